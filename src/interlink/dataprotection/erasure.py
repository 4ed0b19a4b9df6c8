"""Erasure for a data-protection decision: more than the soft delete of ``records``.

A deleted record keeps its data and earlier versions for the owner's history; an erased
one keeps only that it existed, who erased it and why. Its data, earlier versions and
attached files are removed (the derived link graph drops it as for any deletion).

The audit trail is the exception: its earlier entries, whose hashes chain the trail,
still hold what they recorded (see README, data protection).
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.records.models import Record, RecordFile, RecordVersion
from interlink.records.service import delete_record

__all__ = ["erase_record"]


def erase_record(
    session: Session, kind: str, record_id: uuid.UUID, reason: str, *, actor: Actor
) -> Record:
    record = delete_record(session, kind, record_id, reason, actor=actor)
    session.execute(delete(RecordVersion).where(RecordVersion.record_id == record.id))
    session.execute(delete(RecordFile).where(RecordFile.record_id == record.id))
    record.data = {}
    record.title = f"{kind} record erased"
    record.search_text = ""
    record.lookup_key = record.second_key = None
    record.source_id = None
    session.flush()
    return record
