"""Retention review: a record kept longer than its kind's period since its last change
(or its owner's last review) comes back to the owner, who keeps it (for another period,
saying why) or deletes it. The secretariat's reviewers see every bureau's, as the access
policy lets them change any record.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission, require, restrict
from interlink.audit.service import AuditAction
from interlink.audit.service import record as audit
from interlink.core.errors import InvalidInput, NotFound
from interlink.dataprotection.schemas import RetentionDecision
from interlink.members.service import bureau_codes
from interlink.records.models import Record
from interlink.records.service import delete_record

__all__ = ["RETENTION_YEARS", "due_for_review", "review"]

RETENTION_YEARS = {
    "persons": 5,
    "missing-persons": 5,
    "unidentified-bodies": 10,
    "travel-documents": 10,
    "vehicles": 10,
    "firearms": 10,
    "artworks": 20,
    "assets": 10,
    "indicators": 2,
}
"""Years a record is kept from its last change before its owner must review it: five
for persons, as for notices; cyber indicators age fast; stolen art surfaces decades on."""


def _period(kind: str) -> timedelta:
    return timedelta(days=round(365.25 * RETENTION_YEARS.get(kind, 5)))


def _kept_since() -> Any:
    return func.coalesce(Record.retention_reviewed_at, Record.updated_at)


def due_for_review(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    kind: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Records the actor may change that are past their period, longest overdue first."""
    check_permission(actor, Permission.RECORDS_WRITE)
    if kind is not None and kind not in RETENTION_YEARS:
        raise InvalidInput("kind", f"one of {', '.join(RETENTION_YEARS)}")
    kinds = [kind] if kind else list(RETENTION_YEARS)
    overdue = or_(*((Record.kind == k) & (_kept_since() < now - _period(k)) for k in kinds))
    query = (
        restrict(select(Record), actor, Action.UPDATE)
        .where(Record.deleted_at.is_(None), overdue)
        .order_by(_kept_since(), Record.id)
        .limit(limit)
    )
    codes = bureau_codes(session)
    found = []
    for record in session.scalars(query):
        since = record.retention_reviewed_at or record.updated_at
        found.append(
            {
                "record_id": record.id,
                "kind": record.kind,
                "owner": codes.get(record.owner_bureau_id, "?"),
                "title": record.title,
                "kept_since": since,
                "review_due": since + _period(record.kind),
            }
        )
    return found


def review(
    session: Session,
    record_id: uuid.UUID,
    body: RetentionDecision,
    *,
    actor: Actor,
    now: datetime,
) -> Record:
    """The owner's decision on a record due for review: keep it another period, or delete."""
    check_permission(actor, Permission.RECORDS_WRITE)
    record = require(session, Record, record_id, actor, Action.UPDATE)
    if record.deleted_at is not None:
        raise NotFound(f"no record with id {record_id}")
    since = record.retention_reviewed_at or record.updated_at
    if since + _period(record.kind) > now:
        raise InvalidInput(
            "record_id",
            f"not due for review until {(since + _period(record.kind)):%Y-%m-%d}",
        )
    if body.decision == "delete":
        return delete_record(
            session, record.kind, record.id, f"retention review: {body.reason}", actor=actor
        )
    before = {"kept_since": since.isoformat()}
    record.retention_reviewed_at = now
    audit(
        session,
        AuditAction.RECORD_RETENTION,
        actor=actor,
        object_type=record.kind,
        object_id=record.id,
        before=before,
        after={"decision": "keep", "reason": body.reason, "kept_since": now.isoformat()},
    )
    session.flush()
    return record
