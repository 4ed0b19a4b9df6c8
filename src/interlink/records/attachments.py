"""Photos and images attached to records (persons, artworks, missing persons, bodies).

A file is readable by whoever may read its record, and attached by whoever may change
it. Its type is sniffed from its first bytes, never taken from the client's word.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.errors import InvalidInput, NotFound
from interlink.core.files import safe_filename, sha256, sniff_image
from interlink.core.limits import RECORD_FILE_BYTES, megabytes
from interlink.records.models import Record, RecordFile
from interlink.records.service import load_record

__all__ = ["FILE_KINDS", "MAX_FILE_BYTES", "add_file", "get_file", "list_files", "sniff_image"]

FILE_KINDS = frozenset({"persons", "artworks", "missing-persons", "unidentified-bodies"})
MAX_FILE_BYTES = RECORD_FILE_BYTES


def _record(
    session: Session, kind: str, record_id: uuid.UUID, actor: Actor, action: Action
) -> Record:
    if kind not in FILE_KINDS:
        raise NotFound(f"{kind} records do not hold files")
    return load_record(session, kind, record_id, actor, action)


def add_file(
    session: Session,
    kind: str,
    record_id: uuid.UUID,
    filename: str,
    content: bytes,
    *,
    actor: Actor,
) -> RecordFile:
    check_permission(actor, Permission.RECORDS_WRITE)
    record = _record(session, kind, record_id, actor, Action.UPDATE)
    if not content:
        raise InvalidInput("file", "the file is empty")
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(
            "file", f"the file is larger than {megabytes(MAX_FILE_BYTES)} (RECORD_FILE_BYTES)"
        )
    media_type = sniff_image(content)
    if media_type is None:
        raise InvalidInput("file", "only JPEG, PNG, GIF or WebP images are accepted")
    safe_name = safe_filename(filename, "image")
    stored = RecordFile(
        record_id=record.id,
        filename=safe_name,
        content_type=media_type,
        size=len(content),
        sha256=sha256(content),
        content=content,
        created_by=actor.name,
    )
    session.add(stored)
    session.flush()
    audit(
        session,
        AuditAction.FILE_ATTACH,
        actor=actor,
        object_type=kind,
        object_id=record.id,
        after={"file_id": str(stored.id), "sha256": stored.sha256, "size": stored.size},
    )
    return stored


def list_files(
    session: Session, kind: str, record_id: uuid.UUID, *, actor: Actor
) -> list[RecordFile]:
    check_permission(actor, Permission.RECORDS_READ)
    record = _record(session, kind, record_id, actor, Action.READ)
    query = (
        select(RecordFile).where(RecordFile.record_id == record.id).order_by(RecordFile.created_at)
    )
    return list(session.scalars(query))


def get_file(
    session: Session, kind: str, record_id: uuid.UUID, file_id: uuid.UUID, *, actor: Actor
) -> RecordFile:
    check_permission(actor, Permission.RECORDS_READ)
    record = _record(session, kind, record_id, actor, Action.READ)
    stored = session.get(RecordFile, file_id)
    if stored is None or stored.record_id != record.id:
        raise NotFound(f"no file {file_id} on this record")
    return stored
