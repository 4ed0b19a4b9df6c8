"""Domain events: what happened, written to an outbox in the transaction that did it.

A service calls ``publish()`` beside its audit entry; the event row commits (or rolls
back) with the change, so no event announces a change that did not happen and no change
goes unannounced. Readers take events in order from ``events_after()`` (the live
delivery to bureaus, the change feed). The ``owner`` bureau is always told; ``audience``
says who else: ``*`` for every member, or packed codes (``,DE,SEC,CCC,``): bureaus by
country code, ``SEC`` the General Secretariat, ``CCC`` its command centre.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import JSON, BigInteger, Integer, String, event, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = [
    "CHANNEL",
    "Event",
    "Listener",
    "bell",
    "events_after",
    "hold_commit_order",
    "latest_event_id",
    "publish",
]

log = logging.getLogger("interlink.events")
CHANNEL = "interlink_events"
"""The PostgreSQL channel on which a commit that published events wakes every process."""
_ORDER_LOCK = 0x1E7E4E5  # the advisory lock that keeps log ids in commit order

_Id = BigInteger().with_variant(Integer, "sqlite")


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    topic: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(48))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    owner: Mapped[str | None] = mapped_column(String(8))
    """The code of the bureau the object belongs to (it is always told)."""
    audience: Mapped[str] = mapped_column(String(1024))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


def hold_commit_order(session: Session) -> None:
    """Make ids taken from here on in this transaction become visible in id order.

    A reader that has read id 11 of a log (events, changes) would never see id 10 if it
    committed after: on PostgreSQL one transaction at a time takes ids, until it commits.
    (SQLite has one writer at a time anyway.)
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ORDER_LOCK}
        )


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
    hold_commit_order(session)
    row = Event(
        topic=topic,
        object_type=object_type,
        object_id=str(object_id),
        owner=owner,
        audience=audience,
        payload=payload,
    )
    session.add(row)
    session.info["events_published"] = True
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to every listening process when (and only if) the transaction commits.
        session.execute(text(f"NOTIFY {CHANNEL}"))
    return row


def latest_event_id(session: Session) -> int:
    """The newest event's id (0 with none): a stream or a page starts after it."""
    return int(session.scalar(select(func.max(Event.id))) or 0)


def events_after(session: Session, after: int = 0, limit: int = 500) -> list[Event]:
    """Committed events with an id above ``after``, oldest first."""
    return list(
        session.scalars(select(Event).where(Event.id > after).order_by(Event.id).limit(limit))
    )


class _Waiter:
    """One stream's subscription to the bell: rung even between two of its waits."""

    def __init__(self, owner: Bell) -> None:
        self._owner = owner
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    def ring(self) -> None:
        self._loop.call_soon_threadsafe(self._event.set)

    async def wait(self, timeout: float) -> bool:
        """True when rung (since the last wait), False after ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        self._event.clear()
        return True

    def close(self) -> None:
        self._owner.discard(self)


class Bell:
    """Wakes this process's live streams when events were committed (rung after commit
    here, and by ``Listener`` for commits in other processes on PostgreSQL)."""

    def __init__(self) -> None:
        self._waiters: set[_Waiter] = set()
        self._lock = threading.Lock()

    def subscribe(self) -> _Waiter:
        waiter = _Waiter(self)
        with self._lock:
            self._waiters.add(waiter)
        return waiter

    def discard(self, waiter: _Waiter) -> None:
        with self._lock:
            self._waiters.discard(waiter)

    def ring(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for waiter in waiters:
            waiter.ring()


bell = Bell()


@event.listens_for(Session, "after_commit")
def _ring_after_commit(session: Session) -> None:
    if session.info.pop("events_published", False):
        bell.ring()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("events_published", None)  # nothing was published after all


class Listener:
    """LISTENs on PostgreSQL for events committed by any process and rings the bell: a
    client connected to any server process gets every event at once."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    while not self._stop.is_set():
                        for _ in connection.notifies(timeout=1.0, stop_after=100):
                            bell.ring()
            except psycopg.Error:
                log.exception("event listener lost its connection; reconnecting")
                self._stop.wait(1.0)
