"""Writing and verifying the audit trail.

``record()`` is the only write path: it appends in the caller's transaction, so an
entry exists exactly when its change was committed. ``verify_chain()`` recomputes
every hash and names the first entry that does not fit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from interlink.access.actor import Actor
from interlink.audit.models import AuditEntry, AuditHead
from interlink.core.context import request_id_var
from interlink.core.db import reading
from interlink.core.types import utcnow

__all__ = [
    "GENESIS",
    "AuditAction",
    "ChainReport",
    "entries_query",
    "entry_hash",
    "page_of",
    "record",
    "verify_chain",
]

GENESIS = "0" * 64


class AuditAction(StrEnum):
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    LOGIN_HELD_BACK = "auth.login_held_back"
    ACCOUNT_LOCKED = "auth.account_locked"
    """Written by earlier versions (accounts were locked after failed sign-ins)."""
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    CLIENT_CREATE = "api_client.create"
    CLIENT_REVOKE = "api_client.revoke"
    GROUP_CREATE = "group.create"
    GROUP_UPDATE = "group.update"
    DEMO_SEED = "demo.seed"
    NETWORK_SEED = "network.seed"
    RECORD_CREATE = "record.create"
    RECORD_READ = "record.read"
    RECORD_UPDATE = "record.update"
    RECORD_DELETE = "record.delete"
    RECORD_IMPORT = "record.import"
    RECORD_EXPORT = "record.export"
    CHANGES_READ = "changes.read"
    NODE_SYNC = "node.sync"
    DATABASE_BACKUP = "database.backup"
    DATABASE_RESTORE = "database.restore"
    FILE_ATTACH = "record.file_attach"
    TRACE_REQUEST = "firearm_trace.request"
    TRACE_ANSWER = "firearm_trace.answer"
    SCREENING = "screening.query"
    NOTICE_TRANSITION = "notice.transition"
    NOTICE_UPDATE = "notice.update"
    NOTICE_READ = "notice.read"
    HIT = "hit"
    OPERATION = "operation"
    OPERATION_READ = "operation.read"
    INCIDENT = "incident"
    INCIDENT_READ = "incident.read"
    MESSAGE_SEND = "message.send"
    KEY_ISSUE = "bureau_key.issue"
    AUDIT_EXPORT = "audit.export"
    DATA_REQUEST = "data_request"
    RECORD_RETENTION = "record.retention_review"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over every field of the entry, including the previous entry's hash."""
    payload = {
        "seq": entry.seq,
        "at": _iso(entry.at),
        "actor": entry.actor,
        "actor_id": entry.actor_id,
        "bureau": entry.bureau,
        "request_id": entry.request_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _head(session: Session) -> AuditHead:
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def record(
    session: Session,
    action: AuditAction,
    *,
    actor: Actor | None = None,
    actor_name: str | None = None,
    object_type: str | None = None,
    object_id: object = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append an entry in the current transaction (committed with the change, or not at all)."""
    head = _head(session)
    entry = AuditEntry(
        seq=head.seq + 1,
        # JSON round-trips only what it can represent; store what verify will read back.
        at=utcnow(),
        actor=actor.name if actor else (actor_name or "system"),
        actor_id=str(actor.id) if actor else None,
        bureau=actor.bureau_code if actor else None,
        request_id=request_id_var.get(),
        action=action.value,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        before=json.loads(_canonical(before)) if before is not None else None,
        after=json.loads(_canonical(after)) if after is not None else None,
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str | None = None


def _entries(session: Session, batch: int = 2000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session) -> ChainReport:
    """Check every link of the chain and the head; report the first entry that breaks it."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for entry in _entries(session):
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(False, count, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return ChainReport(
                False, count, entry.seq, "its previous-hash does not match the entry before it"
            )
        if entry_hash(entry) != entry.hash:
            return ChainReport(False, count, entry.seq, "its content does not match its hash")
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != expected_seq - 1 or head_hash != expected_prev:
        return ChainReport(
            False,
            count,
            expected_seq,
            f"the chain ends at entry {expected_seq - 1} but the head records entry {head_seq}",
        )
    return ChainReport(True, count)


def entries_query(
    *,
    action: str | None = None,
    actor: str | None = None,
    bureau: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[tuple[AuditEntry]]:
    """Entries matching every filter given (``until`` excluded): the search of the API,
    the console's audit page and its export."""
    query = select(AuditEntry)
    exact = {
        AuditEntry.action: action,
        AuditEntry.actor: actor,
        AuditEntry.bureau: bureau,
        AuditEntry.object_type: object_type,
        AuditEntry.object_id: object_id,
    }
    for column, value in exact.items():
        if value:
            query = query.where(column == value)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return query


def page_of(
    session: Session, query: Select[tuple[AuditEntry]], *, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """One page of ``entries_query``'s entries, newest first, and how many there are
    (counting millions of entries takes time: without the write lock, on SQLite)."""
    with reading(session):
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit).offset(offset))
        return list(rows), int(total)
