"""Use cases of the shared databases: create, read, update, soft-delete, list, history.

Every query passes ``access.restrict`` / ``access.require``; every change writes its
audit entry in the same transaction; reads of person data are audited too.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

import interlink.changes.log  # noqa: F401  (logs every change made through the ORM)
from interlink.access import (
    Action,
    Actor,
    Permission,
    Visibility,
    check_permission,
    require,
    restrict,
    visible_clause,
)
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.db import reading
from interlink.core.errors import Conflict, InvalidInput, NotFound
from interlink.core.storedjson import damage
from interlink.core.types import utcnow
from interlink.members.models import Bureau
from interlink.members.service import bureau_by_code, check_visibility
from interlink.node.guard import require_writable
from interlink.records.kinds import PERSON_KINDS, RecordData, fold, kind_model
from interlink.records.models import Record, RecordFile, RecordVersion, VersionVisibility

__all__ = [
    "ListFilters",
    "columns_for",
    "create_record",
    "data_dump",
    "delete_record",
    "encoded_columns",
    "erase_record",
    "fingerprint",
    "get_record",
    "list_records",
    "load_record",
    "record_history",
    "record_view",
    "snapshot_version",
    "update_record",
    "validation_to_invalid_input",
    "visible_records",
]

_BODY_ONLY = {"visibility", "source_id", "screening_details"}


def data_dump(data: RecordData) -> dict[str, Any]:
    """The kind data as stored: public field names, absent values left out."""
    return data.model_dump(mode="json", by_alias=True, exclude=_BODY_ONLY, exclude_none=True)


def fingerprint(data_json: str, visibility: Visibility) -> str:
    """A digest of a record's stored data and visibility: equal exactly when both are."""
    text = data_json + "|" + visibility.mode.value + "|" + ",".join(visibility.countries)
    text += "|" + (str(visibility.group) if visibility.group else "")
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def encoded_columns(data: RecordData, visibility: Visibility) -> tuple[dict[str, Any], str]:
    """The columns computed from a record's data and visibility (all but ``data``), and
    the data as JSON text (stable for equal data: fields in the model's order)."""
    text = data.model_dump_json(by_alias=True, exclude=_BODY_ONLY, exclude_none=True)
    columns = {
        "fingerprint": fingerprint(text, visibility),
        "title": data.title()[:400],
        "search_text": data.search_text(),
        # An identifier with nothing left once compacted ("-") identifies nothing.
        "lookup_key": data.lookup_key() or None,
        "second_key": data.second_key() or None,
    }
    return columns, text


def columns_for(data: RecordData, visibility: Visibility) -> dict[str, Any]:
    """The columns computed from a record's data and visibility, ``data`` included."""
    columns, text = encoded_columns(data, visibility)
    return {**columns, "data": json.loads(text)}


def validation_to_invalid_input(exc: ValidationError, prefix: str = "body") -> InvalidInput:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in (prefix, *first["loc"]))
    error = InvalidInput(field, first["msg"])
    error.errors = [
        {"field": ".".join(str(p) for p in (prefix, *e["loc"])), "message": e["msg"]}
        for e in exc.errors()
    ]
    error.detail = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
    return error


def record_view(record: Record, codes: dict[uuid.UUID, str]) -> dict[str, Any]:
    """The record as the API shows it; ``Conflict`` when its stored data no longer reads
    (damaged, or outside its kind's model: lists leave such a record out instead)."""
    model = kind_model(record.kind)
    why = damage(record.data)
    data = None
    try:
        data = model.model_validate(record.data) if why is None else None
    except ValidationError as exc:
        why = f"its data no longer passes the {model.label} model ({exc.error_count()} errors)"
    if data is None:
        raise Conflict(
            f"this record's stored data cannot be read: {why}; `interlink doctor` lists such "
            "records for an administrator to mend"
        )
    return {
        **record.data,
        "id": record.id,
        "kind": record.kind,
        "owner": codes.get(record.owner_bureau_id, "?"),
        "source_id": record.source_id,
        "screening_details": record.screening_details,
        "version": record.version,
        "visibility": record.visibility,
        "summary": record.title,
        "created_at": record.created_at,
        "created_by": record.created_by,
        "updated_at": record.updated_at,
        "updated_by": record.updated_by,
        "warnings": data.warnings(),
        "derived": data.derived(),
    }


def _visibility_snapshot(record: Record) -> dict[str, Any]:
    return record.visibility_snapshot()


def create_record(session: Session, kind: str, body: RecordData, *, actor: Actor) -> Record:
    check_permission(actor, Permission.RECORDS_WRITE)
    require_writable(session)
    kind_model(kind)
    visibility: Visibility = getattr(body, "visibility", None) or Visibility()
    check_visibility(session, visibility, sharer=actor.country, field="body.visibility")
    source_id = getattr(body, "source_id", None)
    if (
        source_id
        and session.scalars(
            select(Record.id).where(
                Record.owner_bureau_id == actor.bureau_id,
                Record.kind == kind,
                Record.source_id == source_id,
            )
        ).first()
    ):
        raise Conflict(f"your bureau already has a {kind} record with source_id {source_id!r}")
    record = Record(
        kind=kind,
        owner_bureau_id=actor.bureau_id,
        source_id=source_id,
        version=1,
        created_by=actor.name,
        updated_by=actor.name,
        screening_details=str(getattr(body, "screening_details", None) or "full"),
        **columns_for(body, visibility),
    )
    record.set_visibility(visibility)
    session.add(record)
    session.flush()
    audit(
        session,
        AuditAction.RECORD_CREATE,
        actor=actor,
        object_type=kind,
        object_id=record.id,
        after={"data": record.data, "visibility": _visibility_snapshot(record)},
    )
    return record


def load_record(
    session: Session,
    kind: str,
    record_id: uuid.UUID,
    actor: Actor,
    action: Action,
    *,
    include_deleted: bool = False,
) -> Record:
    """The record of ``kind`` if ``actor`` may ``action`` it, else ``NotFound``."""
    kind_model(kind)
    record = require(session, Record, record_id, actor, action)
    if record.kind != kind or (record.deleted_at is not None and not include_deleted):
        raise NotFound(f"no {kind} record with id {record_id}")
    return record


def get_record(session: Session, kind: str, record_id: uuid.UUID, *, actor: Actor) -> Record:
    check_permission(actor, Permission.RECORDS_READ)
    record = load_record(session, kind, record_id, actor, Action.READ)
    if kind in PERSON_KINDS:
        audit(session, AuditAction.RECORD_READ, actor=actor, object_type=kind, object_id=record.id)
    return record


def snapshot_version(session: Session, record: Record) -> None:
    """Keep the record as it is now as an earlier version (before it changes)."""
    session.add(RecordVersion(**RecordVersion.of(record)))


def update_record(
    session: Session, kind: str, record_id: uuid.UUID, patch: BaseModel, *, actor: Actor
) -> Record:
    """Merge ``patch`` into the record, validate the whole, keep the previous version."""
    check_permission(actor, Permission.RECORDS_WRITE)
    require_writable(session)
    record = load_record(session, kind, record_id, actor, Action.UPDATE)
    changes = patch.model_dump(exclude_unset=True, by_alias=True)
    new_visibility = changes.pop("visibility", None)
    details = str(changes.pop("screening_details", None) or record.screening_details)
    merged = {**record.data, **changes}
    try:
        data = kind_model(kind).model_validate({k: v for k, v in merged.items() if v is not None})
    except ValidationError as exc:
        raise validation_to_invalid_input(exc) from None
    visibility = Visibility.model_validate(new_visibility) if new_visibility else record.visibility
    if new_visibility:  # the owner's sharing, checked when it is chosen
        owner = session.get_one(Bureau, record.owner_bureau_id).country_code
        check_visibility(session, visibility, sharer=owner, field="body.visibility")
    columns = columns_for(data, visibility)
    before = {
        "data": record.data,
        "visibility": _visibility_snapshot(record),
        "screening_details": record.screening_details,
    }
    if columns["fingerprint"] == record.fingerprint and details == record.screening_details:
        return record
    snapshot_version(session, record)
    for name, value in columns.items():
        setattr(record, name, value)
    record.set_visibility(visibility)
    record.screening_details = details
    record.version += 1
    record.updated_at, record.updated_by = utcnow(), actor.name
    session.flush()
    audit(
        session,
        AuditAction.RECORD_UPDATE,
        actor=actor,
        object_type=kind,
        object_id=record.id,
        before=before,
        after={
            "data": record.data,
            "visibility": _visibility_snapshot(record),
            "screening_details": details,
        },
    )
    return record


def delete_record(
    session: Session, kind: str, record_id: uuid.UUID, reason: str, *, actor: Actor
) -> Record:
    """Soft delete: the record disappears from reads and lists; its history stays."""
    check_permission(actor, Permission.RECORDS_WRITE)
    require_writable(session)
    if len(reason.strip()) < 3:
        raise InvalidInput("reason", "say why the record is deleted (at least 3 characters)")
    record = load_record(session, kind, record_id, actor, Action.DELETE)
    now = utcnow()
    record.deleted_at, record.deleted_by, record.deleted_reason = now, actor.name, reason.strip()
    # A deletion is a change: readers of changes (the screening index) must see it.
    record.updated_at, record.updated_by = now, actor.name
    session.flush()
    audit(
        session,
        AuditAction.RECORD_DELETE,
        actor=actor,
        object_type=kind,
        object_id=record.id,
        before={"data": record.data, "visibility": _visibility_snapshot(record)},
        after={"reason": record.deleted_reason},
    )
    return record


def erase_record(
    session: Session, kind: str, record_id: uuid.UUID, reason: str, *, actor: Actor
) -> Record:
    """Deletion for a data-protection decision: beyond ``delete_record``, the data,
    earlier versions and attached files go too; only that the record existed, who erased
    it and why remain. (The audit trail's earlier entries keep what they recorded: the
    chain's hashes cover them.)"""
    record = delete_record(session, kind, record_id, reason, actor=actor)
    session.execute(delete(RecordVersion).where(RecordVersion.record_id == record.id))
    session.execute(delete(RecordFile).where(RecordFile.record_id == record.id))
    record.data, record.title, record.search_text = {}, f"{kind} record erased", ""
    record.lookup_key = record.second_key = record.source_id = None
    session.flush()
    return record


def record_history(
    session: Session, kind: str, record_id: uuid.UUID, *, actor: Actor
) -> list[dict[str, Any]]:
    """Every version, oldest first, the current one last (deleted records included).

    An earlier version is shown only to whom its own visibility allowed (the owner bureau
    and the secretariat always), by the access policy; to anyone else it is withheld: its
    number and date stay, so that the numbering has no holes to wonder about, but not
    its data, visibility or author.
    """
    check_permission(actor, Permission.RECORDS_READ)
    with reading(session):
        record = load_record(session, kind, record_id, actor, Action.READ, include_deleted=True)
        shown = visible_clause(VersionVisibility(), actor, Action.READ).label("shown")
        versions = session.execute(
            select(RecordVersion, shown)
            .join(Record, Record.id == RecordVersion.record_id)
            .where(RecordVersion.record_id == record.id)
            .order_by(RecordVersion.version)
        ).all()
    history = [
        _version_view(version) if allowed else _withheld(version) for version, allowed in versions
    ]
    history.append(
        {
            "version": record.version,
            "data": record.data,
            "visibility": _visibility_snapshot(record),
            "changed_at": record.updated_at,
            "changed_by": record.updated_by,
            "current": True,
            "deleted": record.deleted_at is not None,
        }
    )
    if kind in PERSON_KINDS:
        audit(session, AuditAction.RECORD_READ, actor=actor, object_type=kind, object_id=record.id)
    return history


def _version_view(version: RecordVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "data": version.data,
        "visibility": version.visibility.model_dump(mode="json"),
        "changed_at": version.changed_at,
        "changed_by": version.changed_by,
    }


def _withheld(version: RecordVersion) -> dict[str, Any]:
    return {"version": version.version, "changed_at": version.changed_at, "withheld": True}


class ListFilters(BaseModel):
    q: str | None = None
    owner: str | None = None
    key: str | None = None
    source_id: str | None = None
    updated_since: datetime | None = None


def visible_records(
    kind: str, actor: Actor | None, filters: ListFilters, session: Session
) -> Select[Any]:
    """The query of live records of ``kind`` the actor may read, filtered."""
    query = select(Record).where(Record.kind == kind, Record.deleted_at.is_(None))
    if filters.q:
        for word in fold(filters.q).split():
            query = query.where(Record.search_text.contains(word, autoescape=True))
    if filters.owner:
        query = query.where(
            Record.owner_bureau_id == bureau_by_code(session, filters.owner, field="owner").id
        )
    if filters.key:
        model = kind_model(kind)
        key = model.key_form(filters.key)
        query = query.where(or_(Record.lookup_key == key, Record.second_key == key))
    if filters.source_id:
        query = query.where(Record.source_id == filters.source_id)
    if filters.updated_since:
        query = query.where(Record.updated_at >= filters.updated_since)
    return restrict(query, actor, Action.READ)


def list_records(
    session: Session, kind: str, filters: ListFilters, *, actor: Actor, limit: int, offset: int
) -> tuple[list[Record], int]:
    check_permission(actor, Permission.RECORDS_READ)
    kind_model(kind)
    with reading(session):  # the count reads every visible record: no write lock held
        query = visible_records(kind, actor, filters, session)
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        rows = session.scalars(
            query.order_by(Record.updated_at.desc(), Record.id).limit(limit).offset(offset)
        )
        records = list(rows)
    if kind in PERSON_KINDS and records:
        audit(
            session,
            AuditAction.RECORD_READ,
            actor=actor,
            object_type=kind,
            after={
                "listed": len(records),
                "filters": filters.model_dump(mode="json", exclude_none=True),
            },
        )
    return records, total or 0
