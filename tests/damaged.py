"""Damaged rows planted directly in the database, as a tampered table or a bug of an
older version could leave them (the API refuses to store any of these)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Text, cast, literal, type_coerce, update
from sqlalchemy.orm import Session

__all__ = ["NOT_JSON", "nested", "plant"]

NOT_JSON = '{"person": {"name": "Jean'
"""Cut short: not JSON (only SQLite, which keeps JSON as text, can hold it)."""


def nested(levels: int) -> str:
    """A JSON text nested ``levels`` deep (200: decodable, too deep to answer with;
    5,000: too deep even to decode)."""
    return '{"a": ' * levels + "1" + "}" * levels


def plant(session: Session, column: Column[Any], row_id: Any, text: str) -> None:
    """Write ``text`` as it is into the JSON ``column`` of the row ``row_id``, and commit."""
    table = column.table
    on_postgres = session.get_bind().dialect.name == "postgresql"
    value = cast(literal(text, Text), JSON) if on_postgres else type_coerce(text, Text)
    session.execute(update(table).where(table.c.id == row_id).values({column.name: value}))
    session.commit()
