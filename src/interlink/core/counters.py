"""Numbered series (notice references ``2026/00123``, operations ``OP-2026-0001``): the
last number given in each, taken by one upsert in the caller's transaction, so two
requests never share a number, even the first two of a series on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from interlink.core.db import Base

__all__ = ["ReferenceCounter", "next_number"]


class ReferenceCounter(Base):
    """The last number given in a series (``notice:2026``)."""

    __tablename__ = "reference_counters"

    series: Mapped[str] = mapped_column(String(32), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


def next_number(session: Session, series: str) -> int:
    """The next number of ``series`` (1 for a new one)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ReferenceCounter)
        .values(series=series, last=1)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.series], set_={"last": ReferenceCounter.last + 1}
        )
        .returning(ReferenceCounter.last)
    )
    return int(session.execute(statement).scalar_one())
