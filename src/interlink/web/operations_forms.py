"""What the operations and incidents pages share: reading a posted form, turning it into
an API body, and placing each error on the form field it belongs to."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.core.errors import AppError
from interlink.web.forms import error_status, field_errors
from interlink.web.session import CSRF_FIELD, check_csrf

__all__ = [
    "Act",
    "Again",
    "body_of",
    "change",
    "codes",
    "lines",
    "posted",
    "utc",
]

M = TypeVar("M", bound=BaseModel)


async def posted(request: Request) -> dict[str, str]:
    """The posted form, its CSRF token checked."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get(CSRF_FIELD))
    return form


def body_of(model: type[M], data: dict[str, Any]) -> M:
    """The API body from the form's values (empty fields left out: the API's defaults)."""
    return model.model_validate({k: v for k, v in data.items() if v not in ("", None, [])})


def codes(text: str) -> list[str]:
    """Country codes written in any way: ``FR, DE`` or ``fr de``."""
    return [code for code in re.split(r"[\s,;]+", text.strip()) if code]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def utc(value: str) -> str:
    """A ``datetime-local`` value (the console works in UTC) as an aware time."""
    value = value.strip()
    return f"{value}+00:00" if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?", value) else value


Act = Callable[[Actor, dict[str, str]], object]
"""One form's change, as the signed-in actor, from the posted form."""
Again = Callable[[Actor, str, dict[str, str], dict[str, str], int], Response]
"""The page again (actor, form name, posted form, errors by ``form.field``, status)."""


async def change(
    request: Request, session: Session, actor: Actor, *, name: str,
    known: set[str], act: Act, done: str, again: Again,
) -> Response:  # fmt: skip
    """Run the change of the form ``name`` as ``actor`` (the route's guard let them in)
    and go to ``done`` (POST-redirect-GET); on an error, the page again with each message
    on its field (``task.title``)."""
    form = await posted(request)
    try:
        act(actor, form)
    except (AppError, ValidationError) as exc:
        session.rollback()
        found = field_errors(exc, known)
        errors = {f"{name}.{field}": message for field, message in found.items()}
        return again(actor, name, form, errors, error_status(exc))
    session.commit()
    return RedirectResponse(done, status_code=303)
