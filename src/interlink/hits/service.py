"""The hit loop: a screening finds another bureau's record (a hit, its owner and the
command centre told at once); the screening bureau asks the owner to confirm, urgently
(10 minutes) or routinely (60 minutes); the owner answers (confirmed, with instructions;
not the same; more information needed); overdue requests escalate to the command centre;
an outcome closes the hit and offers the owner the matching follow-up.

Every function takes the time as ``now`` (the router passes the app's clock), so
deadlines are tested with a controlled clock. Every change writes its audit entry and
its event in the caller's transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import (
    Action,
    Actor,
    Permission,
    Visibility,
    VisibilityMode,
    check_permission,
    require,
    restrict,
)
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core import metrics
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.events import publish
from interlink.hits.followups import follow_ups
from interlink.hits.models import Hit, HitConfirmation
from interlink.matching.score import HIT_THRESHOLD
from interlink.members.service import COMMAND_CENTRE, bureau_code
from interlink.node.guard import is_node
from interlink.records.models import Record

__all__ = [
    "ANSWERS",
    "DEADLINES",
    "OUTCOMES",
    "answer_confirmation",
    "escalate_overdue",
    "is_overdue",
    "load_hit",
    "record_found_hits",
    "record_hits",
    "record_outcome",
    "report_hit",
    "request_confirmation",
]

DEADLINES = {"urgent": timedelta(minutes=10), "routine": timedelta(minutes=60)}
ANSWERS = ("confirmed", "not_same", "more_information")
OUTCOMES = ("located", "arrested", "detained", "seized", "returned", "no_action")


def _audience(session: Session, hit: Hit) -> str:
    screening = bureau_code(session, hit.screening_bureau_id)
    return f",{screening},{COMMAND_CENTRE},"


def _event(session: Session, hit: Hit, topic: str, **payload: Any) -> None:
    publish(
        session,
        topic,
        object_type="hit",
        object_id=hit.id,
        owner=bureau_code(session, hit.owner_bureau_id),
        audience=_audience(session, hit),
        payload={
            "hit": str(hit.id),
            "status": hit.status,
            "record_kind": hit.record_kind,
            "score": hit.score,
            "due_at": hit.due_at.isoformat() if hit.due_at else None,
            **payload,
        },
    )


def _audit(session: Session, actor: Actor | None, hit: Hit, what: str, **after: Any) -> None:
    audit(
        session,
        AuditAction.HIT,
        actor=actor,
        actor_name=None if actor else "system",
        object_type="hit",
        object_id=hit.id,
        after={"what": what, "status": hit.status, **after},
    )


def record_hits(
    session: Session,
    actor: Actor,
    query: dict[str, Any],
    matches: list[tuple[Any, float, dict[str, Any]]],
    now: datetime,
) -> list[Hit]:
    """A hit for every match at or above the threshold on another bureau's record
    (``matches``: record or record label, score, full explanation)."""
    made = []
    for record, score, explanation in matches:
        if score < HIT_THRESHOLD or record.owner_bureau_id == actor.bureau_id:
            continue
        hit = Hit(
            created_at=now,
            updated_at=now,
            owner_bureau_id=record.owner_bureau_id,
            screening_bureau_id=actor.bureau_id,
            screened_by=actor.name,
            system="user" if actor.kind == "user" else actor.name,
            query=query,
            record_id=record.id,
            record_kind=record.kind,
            score=score,
            explanation=explanation,
        )
        # The screening bureau follows the hit it made; the owner and the secretariat
        # see it by the policy's own rules.
        if actor.country:
            hit.set_visibility(Visibility(mode=VisibilityMode.ONLY, countries=[actor.country]))
        session.add(hit)
        session.flush()
        _audit(session, actor, hit, "created", record_id=str(record.id), score=score)
        _event(session, hit, "hit.created", screening_bureau=actor.bureau_code)
        metrics.count_hit_created(record.kind)
        made.append(hit)
    return made


def record_found_hits(
    session: Session, actor: Actor, found: list[dict[str, Any]], now: datetime
) -> list[Hit]:
    """Hits from a batch screening's matches (``query``, ``record_id``, ``score``,
    ``explanation`` each): the records are read once for the lot."""
    ids = {uuid.UUID(str(item["record_id"])) for item in found}
    if not ids:
        return []
    rows = session.execute(
        select(Record.id, Record.owner_bureau_id, Record.kind).where(Record.id.in_(ids))
    ).all()
    records = {row.id: row for row in rows}
    made: list[Hit] = []
    for item in found:
        record = records.get(uuid.UUID(str(item["record_id"])))
        if record is not None:
            match = (record, float(item["score"]), item["explanation"])
            made += record_hits(session, actor, item["query"], [match], now)
    return made


def report_hit(
    session: Session,
    record_id: uuid.UUID,
    query: dict[str, Any],
    note: str | None,
    *,
    actor: Actor,
    now: datetime,
    reference: str | None = None,
) -> tuple[Hit, bool]:
    """A hit found by other means (a national system's own copy of the data, an
    officer's check): on a record the actor may screen, of another bureau; and whether
    it is new. ``reference``: the reporter's own id for it; reporting the same reference
    again answers the hit made the first time (a node retrying after a broken link)."""
    check_permission(actor, Permission.SCREENING_RUN)
    if reference is not None:
        earlier = session.scalars(
            restrict(
                select(Hit).where(
                    Hit.screening_bureau_id == actor.bureau_id, Hit.reported_as == reference
                ),
                actor,
                Action.READ if actor.can(Permission.RECORDS_READ) else Action.SCREEN,
            )
        ).first()
        if earlier is not None:
            return earlier, False
    try:
        record = require(session, Record, record_id, actor, Action.SCREEN)
    except NotFound:
        raise InvalidInput("body.record_id", f"no record {record_id} that you may screen") from None
    if record.owner_bureau_id == actor.bureau_id or record.deleted_at is not None:
        raise InvalidInput("body.record_id", "a hit is on a live record of another bureau")
    explanation = {"reported": note or "reported by the screening bureau"}
    (hit,) = record_hits(session, actor, query, [(record, 1.0, explanation)], now)
    hit.reported_as = reference
    return hit, True


def load_hit(
    session: Session, hit_id: uuid.UUID, actor: Actor, action: Action, *, lock: bool = False
) -> Hit:
    """The hit if ``actor`` may ``action`` it; ``lock``: held until commit, so that two
    bureaus acting on it at once take turns (the second sees the first's change)."""
    hit = require(session, Hit, hit_id, actor, action)
    if lock:
        session.refresh(hit, with_for_update=True)
    return hit


def is_overdue(hit: Hit, now: datetime) -> bool:
    return hit.status == "confirmation_requested" and hit.due_at is not None and hit.due_at < now


def request_confirmation(
    session: Session,
    hit_id: uuid.UUID,
    priority: str,
    note: str | None,
    *,
    actor: Actor,
    now: datetime,
) -> Hit:
    """The screening bureau asks the owner to confirm, with a deadline by priority."""
    check_permission(actor, Permission.HITS_ANSWER)
    hit = load_hit(session, hit_id, actor, Action.READ, lock=True)
    if hit.screening_bureau_id != actor.bureau_id:
        raise Forbidden("only the bureau whose screening made the hit asks for confirmation")
    if priority not in DEADLINES:
        raise InvalidInput("body.priority", "urgent (10 minutes) or routine (60 minutes)")
    if hit.status not in ("open", "more_information"):
        raise Conflict(f"hit {hit.id} is {hit.status}: confirmation is asked of an open hit")
    hit.priority, hit.due_at, hit.status = (
        priority,
        now + DEADLINES[priority],
        "confirmation_requested",
    )
    hit.escalated_at, hit.updated_at = None, now
    session.add(
        HitConfirmation(
            hit_id=hit.id,
            priority=priority,
            requested_at=now,
            requested_by=actor.name,
            due_at=hit.due_at,
            note=note,
        )
    )
    session.flush()
    _audit(session, actor, hit, "confirmation requested", priority=priority)
    _event(session, hit, "hit.confirmation_requested", priority=priority, note=note)
    metrics.count_confirmation_requested(priority)
    return hit


def _open_request(session: Session, hit: Hit) -> HitConfirmation | None:
    return session.scalars(
        select(HitConfirmation)
        .where(HitConfirmation.hit_id == hit.id, HitConfirmation.answered_at.is_(None))
        .order_by(HitConfirmation.id.desc())
    ).first()


def answer_confirmation(
    session: Session,
    hit_id: uuid.UUID,
    answer: str,
    details: str | None,
    *,
    actor: Actor,
    now: datetime,
) -> Hit:
    """The owner's answer: confirmed (with instructions), not the same, or more
    information needed (saying what)."""
    check_permission(actor, Permission.HITS_ANSWER)
    hit = load_hit(session, hit_id, actor, Action.READ, lock=True)
    if hit.owner_bureau_id != actor.bureau_id:
        raise Forbidden("only the bureau that owns the record answers a confirmation request")
    if answer not in ANSWERS:
        raise InvalidInput("body.answer", f"one of {', '.join(ANSWERS)}")
    if answer in ("confirmed", "more_information") and not (details or "").strip():
        what = "instructions (arrest, seize, inform ...)" if answer == "confirmed" else "what"
        raise InvalidInput("body.details", f"say {what}")
    request = _open_request(session, hit)
    if hit.status != "confirmation_requested" or request is None:
        raise Conflict(f"hit {hit.id} is {hit.status}: no confirmation was asked")
    late = is_overdue(hit, now)
    request.answer, request.details = answer, details
    request.answered_at, request.answered_by = now, actor.name
    hit.status, hit.updated_at = answer, now
    if answer == "confirmed":
        hit.confirmed_at = now
    session.flush()
    _audit(session, actor, hit, "confirmation answered", answer=answer, late=late)
    _event(session, hit, "hit.answered", answer=answer, details=details, late=late)
    return hit


def escalate_overdue(session: Session, *, now: datetime) -> list[Hit]:
    """Escalate every confirmation request past its deadline to the command centre
    (once each); called by the server's watcher and by ``interlink hits escalate``. Not
    on a national node: its hits are copies queued for central, which asks the owners and
    escalates there."""
    if is_node(session):
        return []
    overdue = session.scalars(
        select(Hit)
        .where(
            Hit.status == "confirmation_requested",
            Hit.due_at < now,
            Hit.escalated_at.is_(None),
        )
        .with_for_update(skip_locked=True)  # several server processes watch at once
    ).all()
    for hit in overdue:
        hit.escalated_at = hit.updated_at = now
        request = _open_request(session, hit)
        if request is not None:
            request.escalated_at = now
        session.flush()
        late = (now - hit.due_at).total_seconds() if hit.due_at else 0
        _audit(session, None, hit, "escalated", seconds_late=round(late))
        _event(session, hit, "hit.escalated", seconds_late=round(late))
    return list(overdue)


def record_outcome(
    session: Session,
    hit_id: uuid.UUID,
    outcome: str,
    details: str | None,
    *,
    actor: Actor,
    now: datetime,
) -> tuple[Hit, list[dict[str, Any]]]:
    """What came of the hit (either bureau records it); closes the hit and returns the
    follow-ups offered to the record's owner."""
    check_permission(actor, Permission.HITS_ANSWER)
    hit = load_hit(session, hit_id, actor, Action.READ, lock=True)
    if actor.bureau_id not in (hit.owner_bureau_id, hit.screening_bureau_id):
        raise Forbidden("only the two bureaus of a hit record its outcome")
    if outcome not in OUTCOMES:
        raise InvalidInput("body.outcome", f"one of {', '.join(OUTCOMES)}")
    if hit.outcome is not None:
        raise Conflict(f"hit {hit.id} already has its outcome ({hit.outcome})")
    if outcome != "no_action" and hit.status != "confirmed":
        raise Conflict(
            f"hit {hit.id} is {hit.status}: an outcome other than no_action follows the "
            "owner's confirmation"
        )
    request = _open_request(session, hit)
    if request is not None:  # closed unanswered: nothing is pending any more
        request.answer, request.answered_at, request.answered_by = "withdrawn", now, actor.name
    hit.outcome, hit.outcome_details, hit.outcome_at = outcome, details, now
    hit.status, hit.updated_at = "closed", now
    session.flush()
    offered = follow_ups(session, hit)
    _audit(session, actor, hit, "outcome", outcome=outcome)
    _event(session, hit, "hit.outcome", outcome=outcome, follow_ups=offered)
    return hit, offered
