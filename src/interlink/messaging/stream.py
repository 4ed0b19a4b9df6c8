"""``GET /api/v1/stream``: Server-Sent Events of everything addressed to the connected
actor or its bureau (messages, hits and confirmation requests, notice steps, review
tasks), read from the event outbox in order.

Each event carries its outbox id; a client that reconnects with ``Last-Event-ID`` gets
every event after it, in order, once (the outbox is the source, not the connection).
Without it the stream starts now (``?after=0`` replays everything the actor may get).
The process's bell wakes the stream when events are committed here, or, on PostgreSQL,
in any other server process (LISTEN/NOTIFY); a poll every few seconds is the fallback.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from interlink.access import Actor, Permission, Role
from interlink.core.config import Settings
from interlink.core.deps import SettingsDep
from interlink.core.errors import AppError, InvalidInput
from interlink.core.events import Event, bell, latest_event_id
from interlink.core.types import utcnow
from interlink.members.auth import SESSION_COOKIE, cookie_actor, resolve_credentials
from interlink.members.deps import reading_requires
from interlink.members.service import COMMAND_CENTRE
from interlink.messaging.service import mark_delivered
from interlink.operations.reads import may_follow

__all__ = ["activity_by_bureau", "audience_clause", "recent_events", "router"]

router = APIRouter(prefix="/api/v1", tags=["live"])

# The stream carries messages, hits and notices: every role that sends messages also
# reads records, so reading records is what listening takes.
Listener = Annotated[Actor, Depends(reading_requires(Permission.RECORDS_READ))]
BATCH = 500
POLL_SECONDS = 5.0
KEEPALIVE_SECONDS = 15.0
SESSION_CHECK_SECONDS = 15.0
"""How often an open stream checks that its credentials still hold: signing out, a
changed password, an expired token or a revoked key ends it within this time."""


def audience_clause(actor: Actor) -> ColumnElement[bool]:
    """The events ``actor`` is told of: those its role may read (messages with
    ``messages:send``; hits, notices and diffusions with ``records:read``; operations and
    incidents for operators and participating bureaus), of its bureau's
    own, every member's, those naming its bureau, and for the command centre's operators
    those naming ``CCC``."""
    code = actor.bureau_code
    told = [Event.owner == code, Event.audience == "*", Event.audience.contains(f",{code},")]
    if actor.role is Role.OPERATOR:
        told.append(Event.audience.contains(f",{COMMAND_CENTRE},"))
    topics: list[ColumnElement[bool]] = []
    if actor.can(Permission.MESSAGES_SEND):
        topics.append(Event.topic == "message")
    if actor.can(Permission.RECORDS_READ):
        topics += [Event.topic.startswith(family) for family in ("hit.", "notice.", "diffusion.")]
    if actor.can(Permission.RECORDS_WRITE) and not actor.is_secretariat:
        topics.append(Event.topic.startswith("data-request."))  # owners asked to decide
    if actor.can(Permission.GROUPS_MANAGE):  # its groups' changes, and consents asked
        topics.append(Event.topic.startswith("group."))
    # Operations and incidents: told to whoever may see them (operators; a participating
    # country's officers and supervisors, named in the audience), by the same rule as
    # their reads. Other roles are not told, though the secretariat owns them.
    if may_follow(actor):
        topics += [Event.topic.startswith(family) for family in ("operation.", "incident.")]
    return and_(or_(*told), or_(*topics) if topics else false())


def recent_events(session: Session, actor: Actor, limit: int = 20) -> list[Event]:
    """The newest events ``actor`` is told of, newest first (a page's feed before it goes
    live)."""
    query = select(Event).where(audience_clause(actor)).order_by(Event.id.desc()).limit(limit)
    return list(session.scalars(query))


def activity_by_bureau(session: Session, actor: Actor, since: datetime) -> dict[str, int]:
    """Events since ``since`` that ``actor`` is told of, counted for each bureau taking part:
    the bureau each concerns and, for a hit, also the bureau whose screening made it."""
    told = and_(audience_clause(actor), Event.at >= since)
    counts: Counter[str] = Counter()
    for owner, count in session.execute(
        select(Event.owner, func.count()).where(told).group_by(Event.owner)
    ):
        if owner:
            counts[owner] += int(count)
    screener = Event.payload["screening_bureau"].as_string()
    for code, count in session.execute(
        select(screener, func.count()).where(told, Event.topic == "hit.created").group_by(screener)
    ):
        if code:
            counts[str(code)] += int(count)
    return dict(counts)


def _fetch(factory: sessionmaker[Session], actor: Actor, after: int) -> list[Event]:
    with factory() as session:
        events = list(
            session.scalars(
                select(Event)
                .where(Event.id > after, audience_clause(actor))
                .order_by(Event.id)
                .limit(BATCH)
            )
        )
        messages = [e.object_id for e in events if e.topic == "message"]
        if messages and actor.can(Permission.MESSAGES_SEND):
            ids = [uuid.UUID(value) for value in messages]
            mark_delivered(session, actor.bureau_id, ids, utcnow())
            session.commit()
        session.expunge_all()
        return events


def _still_signed_in(factory: sessionmaker[Session], settings: Settings, request: Request) -> bool:
    """Whether the credentials the stream was opened with would still be accepted."""
    authorization = request.headers.get("authorization", "")
    bearer = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
    with factory() as session:
        try:
            found = resolve_credentials(
                session, settings, bearer=bearer, api_key=request.headers.get("x-api-key")
            )
        except AppError:  # expired, or signed out
            return False
        if found is None and not bearer and not request.headers.get("x-api-key"):
            found = cookie_actor(session, settings, request.cookies.get(SESSION_COOKIE))
        return found is not None


def _latest(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return latest_event_id(session)


def _frame(event: Event) -> bytes:
    data: dict[str, Any] = {
        "topic": event.topic,
        "at": event.at.isoformat(),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "owner": event.owner,
        **event.payload,
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.topic}\ndata: {text}\n\n".encode()


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    request: Request,
    actor: Listener,
    settings: SettingsDep,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[
        int | None, Query(ge=0, le=10**18, description="replay events after this id")
    ] = None,
) -> StreamingResponse:
    factory = request.app.state.session_factory
    if last_event_id is not None:
        text = last_event_id.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise InvalidInput("Last-Event-ID", "the id of the last event received (digits)")
        start = int(text)
    elif after is not None:
        start = after
    else:
        start = await run_in_threadpool(_latest, factory)

    async def frames() -> AsyncIterator[bytes]:
        position = start
        waiter = bell.subscribe()  # before the first fetch: no commit slips in between
        try:
            yield b"retry: 2000\n\n"
            idle = 0.0
            checked = time.monotonic()
            while not await request.is_disconnected():
                if time.monotonic() - checked >= SESSION_CHECK_SECONDS:
                    checked = time.monotonic()
                    if not await run_in_threadpool(_still_signed_in, factory, settings, request):
                        yield b"event: signed-out\ndata: {}\n\n"
                        return
                events = await run_in_threadpool(_fetch, factory, actor, position)
                for event in events:
                    yield _frame(event)
                    position = event.id
                if len(events) == BATCH:
                    continue
                if await waiter.wait(POLL_SECONDS):
                    idle = 0.0
                    continue
                idle += POLL_SECONDS
                if idle >= KEEPALIVE_SECONDS:
                    idle = 0.0
                    yield b": keepalive\n\n"
        finally:
            waiter.close()

    return StreamingResponse(
        frames(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
