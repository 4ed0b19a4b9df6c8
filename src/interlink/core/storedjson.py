"""JSON as the database gives it back, read so that one damaged row cannot fail a read.

Every JSON column is decoded by ``loads`` (the engines' ``json_deserializer``, on SQLite
and PostgreSQL alike): a value that is not JSON, or is nested deeper than ``JSON_DEPTH``
(which no request can store any more, but a tampered or older row can hold, and which
broke the encoding of every answer holding it), comes back as the marker
``{"$damaged": reason}`` instead of raising in the middle of a query. Lists show a row so
marked as damaged (``damage``) or leave it out (``readable``), and log it;
``interlink doctor`` finds such rows (``problem``).

What a request carries as a free-form object on its way to the model that validates it
(a notice's ``data``, its type's) is a ``BoundedObject``: so many keys, so deep, at most.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field

from interlink.core.errors import AppError
from interlink.core.limits import JSON_DEPTH, OBJECT_DEPTH, OBJECT_KEYS

__all__ = ["DAMAGED", "BoundedObject", "damage", "depth", "loads", "problem", "readable"]

log = logging.getLogger("interlink.storedjson")

DAMAGED = "$damaged"
"""The key of the marker a damaged value is read as."""

Row = TypeVar("Row")
View = TypeVar("View")


def depth(value: Any) -> int:
    """How deeply ``value`` nests objects and arrays (a scalar: 0; ``[[1]]``: 2),
    without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict):
            children: Iterable[Any] = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def _shallow(value: dict[str, Any]) -> dict[str, Any]:
    if depth(value) > OBJECT_DEPTH:
        raise ValueError(f"nested deeper than {OBJECT_DEPTH} levels (OBJECT_DEPTH)")
    return value


BoundedObject = Annotated[dict[str, Any], Field(max_length=OBJECT_KEYS), AfterValidator(_shallow)]
"""A free-form JSON object from a request, for a model to validate later: at most
``OBJECT_KEYS`` keys, nested at most ``OBJECT_DEPTH`` deep."""


def _openers(text: str | bytes) -> int:
    if isinstance(text, str):
        return text.count("{") + text.count("[")
    return text.count(b"{") + text.count(b"[")


def problem(text: str | bytes | None) -> str | None:
    """Why a stored JSON text is damaged (None: it is not)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except RecursionError:
        return f"nested deeper than {JSON_DEPTH} levels (too deep to decode)"
    except ValueError as exc:  # not JSON, or not UTF-8
        return f"not JSON ({str(exc)[:80]})"
    # Counting brackets is quick: only a text with enough of them can be too deep.
    if _openers(text) > JSON_DEPTH and depth(value) > JSON_DEPTH:
        return f"nested deeper than {JSON_DEPTH} levels"
    return None


def loads(text: str | bytes) -> Any:
    """A stored JSON value, or ``{"$damaged": reason}`` when it cannot be read safely."""
    try:
        value = json.loads(text)
    except (RecursionError, ValueError):
        return {DAMAGED: problem(text) or "not JSON"}
    if _openers(text) > JSON_DEPTH and depth(value) > JSON_DEPTH:
        return {DAMAGED: f"nested deeper than {JSON_DEPTH} levels"}
    return value


def damage(value: Any) -> str | None:
    """Why a value read from the database is damaged (None: it is not)."""
    if isinstance(value, dict) and len(value) == 1 and DAMAGED in value:
        return str(value[DAMAGED])
    return None


def readable(rows: Iterable[Row], view: Callable[[Row], View], what: str) -> list[View]:
    """``view`` of each row, leaving out (and logging) a row it cannot show: its stored
    JSON damaged, or no longer what its model takes. One bad row must not fail a list."""
    shown = []
    for row in rows:
        try:
            shown.append(view(row))
        except (AppError, ValueError, TypeError, KeyError, RecursionError) as exc:
            ident = getattr(row, "id", "?")
            log.warning("%s %s left out of a list: %s", what, ident, str(exc)[:300])
    return shown
