"""Records leaving a sharing group: when their owner leaves the group, is removed from
it, or withdraws them rather than let a new member see them.

A record shared with a group is shared on the condition that its owner is in the group
and agrees to who joins it; once that no longer holds the group stops deciding who sees
the record, and the record falls back to its owner's eyes only (the owner may share it
again as it chooses). Each is a change like any other: a new version, an audit entry,
and the change log that tells the feed's readers of the removal.
"""

from __future__ import annotations

import uuid

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Actor, Visibility
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.types import utcnow
from interlink.node.guard import require_writable
from interlink.records.kinds import kind_model
from interlink.records.models import Record
from interlink.records.service import encoded_columns, snapshot_version

__all__ = ["withdraw_from_group"]


def withdraw_from_group(
    session: Session, group_id: uuid.UUID, owner_bureau_id: uuid.UUID, *, actor: Actor, why: str
) -> int:
    """Make the owner's live records shared with ``group_id`` owner only; returns how many.
    ``actor`` is who made them leave (the owner, or a group admin removing it)."""
    require_writable(session)
    records = session.scalars(
        select(Record).where(
            Record.visibility_group_id == group_id,
            Record.owner_bureau_id == owner_bureau_id,
            Record.deleted_at.is_(None),
        )
    ).all()
    alone = Visibility()
    now = utcnow()
    for record in records:
        before = record.visibility_snapshot()
        snapshot_version(session, record)
        record.set_visibility(alone)
        try:
            data = kind_model(record.kind).model_validate(record.data)
            record.fingerprint = encoded_columns(data, alone)[0]["fingerprint"]
        except ValidationError:  # stored before its kind's rules: an import will redo it
            record.fingerprint = ""
        record.version += 1
        record.updated_at, record.updated_by = now, actor.name
        audit(
            session,
            AuditAction.RECORD_UPDATE,
            actor=actor,
            object_type=record.kind,
            object_id=record.id,
            before={"visibility": before},
            after={"visibility": record.visibility_snapshot(), "why": why},
        )
    session.flush()
    return len(records)
