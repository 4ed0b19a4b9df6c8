"""What the console's forms share: a service's or a schema's complaint turned into
errors on the form's fields (``{"field": "message"}``, with ``form`` for what belongs to
no field). Who may open a form is its route's declaration (``web.session``)."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from interlink.core.errors import AppError

__all__ = ["error_status", "field_errors", "without_none"]


def _first_part(path: str) -> str:
    return path.split(".")[0]


def field_errors(
    exc: ValidationError | AppError,
    fields: Iterable[str],
    rename: Callable[[str], str] = _first_part,
) -> dict[str, str]:
    """The first message for each of ``fields`` the error names; the rest under ``form``.
    ``rename`` makes an error's path (``targets.0.notice_id``, without ``body.``) a
    field's name; by default its first part."""
    known = set(fields)
    if isinstance(exc, ValidationError):
        items = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
    else:
        items = exc.errors or [{"field": "", "message": exc.detail}]
    found: dict[str, str] = {}
    for item in items:
        name = rename(str(item.get("field", "")).removeprefix("body."))
        message = str(item["message"]).removeprefix("Value error, ")
        found.setdefault(name if name in known else "form", message)
    return found


def error_status(exc: ValidationError | AppError) -> int:
    return exc.status if isinstance(exc, AppError) else 422


def without_none(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``None``, and whether ``None`` was allowed."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), True
    return annotation, False
