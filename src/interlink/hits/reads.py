"""Reading hits: one, lists by status, owner and deadline, and statistics (hits per
database and country, time to confirm). Through the access policy: a hit is seen by the
record's owner, the bureau whose screening made it, and the secretariat."""

from __future__ import annotations

import logging
import statistics
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission, restrict
from interlink.core.storedjson import damage
from interlink.hits.models import Hit, HitConfirmation
from interlink.hits.service import is_overdue, load_hit
from interlink.members.service import bureau_by_code

__all__ = [
    "RESPONSE_BUCKETS",
    "get_hit",
    "hit_stats",
    "hit_view",
    "hits_per_hour",
    "list_hits",
    "response_times",
    "visible_hits",
]

log = logging.getLogger("interlink.hits")


def get_hit(session: Session, hit_id: uuid.UUID, *, actor: Actor) -> Hit:
    check_permission(actor, Permission.RECORDS_READ)
    return load_hit(session, hit_id, actor, Action.READ)


def visible_hits(actor: Actor) -> Select[Hit]:
    """The hits ``actor`` may see: the record's owner's, the screening bureau's, the
    secretariat's (every read of hits goes through it)."""
    return restrict(select(Hit), actor, Action.READ)


def list_hits(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    status: str | None = None,
    owner: str | None = None,
    screened_by: str | None = None,
    overdue: bool | None = None,
    due_before: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Hit], int]:
    check_permission(actor, Permission.RECORDS_READ)
    query = visible_hits(actor)
    if status:
        query = query.where(Hit.status == status)
    if owner:
        query = query.where(Hit.owner_bureau_id == bureau_by_code(session, owner, field="owner").id)
    if screened_by:
        bureau = bureau_by_code(session, screened_by, field="screened_by")
        query = query.where(Hit.screening_bureau_id == bureau.id)
    if overdue is not None:
        late = (Hit.status == "confirmation_requested") & (Hit.due_at < now)
        query = query.where(late if overdue else ~late)
    if due_before:
        query = query.where(Hit.due_at <= due_before)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    ordered = query.order_by(Hit.due_at.is_(None), Hit.due_at, Hit.created_at.desc(), Hit.id)
    return list(session.scalars(ordered.limit(limit).offset(offset))), total


def _damaged(hit: Hit) -> dict[str, str]:
    """The parts of ``hit`` whose stored JSON cannot be shown, and why (logged)."""
    found = {
        name: reason
        for name in ("query", "explanation")
        if (reason := damage(getattr(hit, name))) is not None
    }
    if found:
        log.warning("hit %s: stored JSON damaged (%s); shown without it", hit.id, found)
    return found


def hit_view(
    session: Session, hit: Hit, codes: dict[uuid.UUID, str], now: datetime
) -> dict[str, Any]:
    """A hit as the API shows it; a part of its stored JSON that cannot be read is left
    out (null) and named in ``damaged``, so that one damaged row breaks no list."""
    confirmations = session.scalars(
        select(HitConfirmation).where(HitConfirmation.hit_id == hit.id).order_by(HitConfirmation.id)
    ).all()
    damaged = _damaged(hit)
    view = {
        "id": hit.id,
        "created_at": hit.created_at,
        "owner": codes.get(hit.owner_bureau_id, "?"),
        "screening_bureau": codes.get(hit.screening_bureau_id, "?"),
        "screened_by": hit.screened_by,
        "system": hit.system,
        "query": None if "query" in damaged else hit.query,
        "record_id": hit.record_id,
        "record_kind": hit.record_kind,
        "score": hit.score,
        "explanation": None if "explanation" in damaged else hit.explanation,
        "status": hit.status,
        "priority": hit.priority,
        "due_at": hit.due_at,
        "overdue": is_overdue(hit, now),
        "escalated_at": hit.escalated_at,
        "confirmed_at": hit.confirmed_at,
        "outcome": hit.outcome,
        "outcome_at": hit.outcome_at,
        "outcome_details": hit.outcome_details,
        "confirmations": [
            {
                "priority": c.priority,
                "requested_at": c.requested_at,
                "requested_by": c.requested_by,
                "due_at": c.due_at,
                "note": c.note,
                "answer": c.answer,
                "details": c.details,
                "answered_at": c.answered_at,
                "answered_by": c.answered_by,
                "escalated_at": c.escalated_at,
            }
            for c in confirmations
        ],
    }
    if damaged:
        view["damaged"] = damaged
    return view


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def hit_stats(
    session: Session, *, actor: Actor, now: datetime, codes: dict[uuid.UUID, str]
) -> dict[str, Any]:
    """Hits per database, per owner and screening country, by status; time to confirm
    (seconds from request to answer, median and 90th percentile), overdue requests."""
    check_permission(actor, Permission.RECORDS_READ)
    visible = visible_hits(actor).subquery()

    by_kind = {str(k): v for k, v in _grouped(session, visible.c.record_kind)}
    by_status = {str(k): v for k, v in _grouped(session, visible.c.status)}
    by_owner = {codes.get(k, "?"): v for k, v in _grouped(session, visible.c.owner_bureau_id)}
    by_screening = {
        codes.get(k, "?"): v for k, v in _grouped(session, visible.c.screening_bureau_id)
    }
    answered = session.execute(
        select(HitConfirmation.requested_at, HitConfirmation.answered_at, HitConfirmation.due_at)
        .join(visible, visible.c.id == HitConfirmation.hit_id)
        .where(HitConfirmation.answered_at.is_not(None))
    ).all()
    seconds = [(a - r).total_seconds() for r, a, _ in answered if a is not None]
    late = sum(1 for _, a, due in answered if a is not None and a > due)
    overdue = session.scalar(
        select(func.count())
        .select_from(visible)
        .where(visible.c.status == "confirmation_requested", visible.c.due_at < now)
    )
    return {
        "total": sum(by_status.values()),
        "by_database": by_kind,
        "by_status": by_status,
        "by_owner": by_owner,
        "by_screening_country": by_screening,
        "confirmations_answered": len(seconds),
        "answered_late": late,
        "overdue_now": int(overdue or 0),
        "time_to_confirm_seconds": {
            "median": statistics.median(seconds) if seconds else None,
            "p90": _percentile(seconds, 0.9),
        },
    }


def _grouped(session: Session, column: Any) -> list[tuple[Any, int]]:
    """(value, count) for each value of ``column``."""
    rows = session.execute(select(column, func.count()).group_by(column)).all()
    return [(key, int(count)) for key, count in rows]


def hits_per_hour(session: Session, *, actor: Actor, now: datetime, hours: int = 24) -> list[int]:
    """Hits ``actor`` may see made in each of the last ``hours`` clock hours, oldest first
    (the last is the current hour, up to ``now``)."""
    check_permission(actor, Permission.RECORDS_READ)
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    visible = visible_hits(actor).where(Hit.created_at >= start, Hit.created_at <= now).subquery()
    counts = [0] * hours
    for (made,) in session.execute(select(visible.c.created_at)):
        # UTCDateTime hands back aware datetimes on both backends.
        slot = int((made - start).total_seconds() // 3600)
        counts[min(max(slot, 0), hours - 1)] += 1
    return counts


RESPONSE_BUCKETS = ((120, "<2 min"), (300, "2-5 min"), (600, "5-10 min"),
                    (1800, "10-30 min"), (None, ">30 min"))  # fmt: skip


def response_times(session: Session, *, actor: Actor, now: datetime) -> dict[str, int]:
    """How quickly owners answered confirmation requests on hits ``actor`` may see: counts
    per time band, and those still unanswered past their deadline."""
    check_permission(actor, Permission.RECORDS_READ)
    visible = visible_hits(actor).subquery()
    rows = session.execute(
        select(
            HitConfirmation.requested_at, HitConfirmation.answered_at, HitConfirmation.due_at
        ).join(visible, visible.c.id == HitConfirmation.hit_id)
    ).all()
    counts = {label: 0 for _, label in RESPONSE_BUCKETS} | {"late, open": 0}
    for requested, answered, due in rows:
        if answered is None:
            if due < now:
                counts["late, open"] += 1
            continue
        seconds = (answered - requested).total_seconds()
        label = next(lbl for limit, lbl in RESPONSE_BUCKETS if limit is None or seconds < limit)
        counts[label] += 1
    return counts
