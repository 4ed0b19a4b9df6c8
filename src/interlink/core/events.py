"""Domain events: what happened, written to an outbox in the transaction that did it.

A service calls ``publish()`` beside its audit entry; the event row commits (or rolls
back) with the change, so no event announces a change that did not happen and no change
goes unannounced. Readers take events in order from ``events_after()`` (the live
delivery to bureaus, the change feed). The ``owner`` bureau is always told; ``audience``
says who else: ``*`` for every member, or packed codes (``,DE,SEC,CCC,``): bureaus by
country code, ``SEC`` the General Secretariat, ``CCC`` its command centre.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = ["Event", "events_after", "publish"]

_Id = BigInteger().with_variant(Integer, "sqlite")


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    topic: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(48))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    owner: Mapped[str | None] = mapped_column(String(8))
    """The code of the bureau the object belongs to (it is always told)."""
    audience: Mapped[str] = mapped_column(String(1024))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


def publish(
    session: Session,
    topic: str,
    *,
    object_type: str,
    object_id: object,
    owner: str | None,
    audience: str,
    payload: dict[str, Any],
) -> Event:
    """Add an event to the caller's transaction (it is seen once that commits)."""
    event = Event(
        topic=topic,
        object_type=object_type,
        object_id=str(object_id),
        owner=owner,
        audience=audience,
        payload=payload,
    )
    session.add(event)
    return event


def events_after(session: Session, after: int = 0, limit: int = 500) -> list[Event]:
    """Committed events with an id above ``after``, oldest first."""
    return list(
        session.scalars(select(Event).where(Event.id > after).order_by(Event.id).limit(limit))
    )
