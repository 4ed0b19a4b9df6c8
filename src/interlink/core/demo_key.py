"""The embedded demo's signing key: random, made the first time ``interlink demo`` seeds a
database and kept in that database (one row), so that the demo's console sessions and
its bureaus' sealed message keys outlive a restart, and no two demo databases share a key.

It is only for the demo: whoever reads the database reads the key, so ``interlink serve``
refuses it (``is_demo_key``) and asks for an ``INTERLINK_SECRET_KEY`` of its own.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Integer, String, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = ["DemoKey", "demo_key", "is_demo_key", "kept_demo_key"]


class DemoKey(Base):
    """The one row holding a demo database's signing key."""

    __tablename__ = "demo_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def demo_key(session: Session) -> str:
    """This database's demo key, made (256 random bits) the first time; the caller commits."""
    row = session.get(DemoKey, 1)
    if row is None:
        row = DemoKey(id=1, secret=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return row.secret


def kept_demo_key(session: Session) -> str | None:
    """The demo key this database keeps, if it is a demo database (None otherwise, also
    for a database that has no such table yet)."""
    try:
        if not inspect(session.connection()).has_table(DemoKey.__tablename__):
            return None
        return session.scalars(select(DemoKey.secret).where(DemoKey.id == 1)).first()
    except SQLAlchemyError:  # unreachable: serving would fail anyway, and say why
        return None


def is_demo_key(session: Session, key: str | None) -> bool:
    """Whether ``key`` is the demo key this database keeps (so no secret: it can be read)."""
    kept = kept_demo_key(session)
    return kept is not None and key is not None and secrets.compare_digest(kept, key)
