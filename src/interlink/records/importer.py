"""Bulk import of records from exchange formats: validated, batched, idempotent.

Every item is validated by its kind's model; a bad one is reported (line, field,
reason) and skipped, or stops the import, as the caller chooses. Good items are written
per batch in one transaction (with one audit entry for the batch) as an upsert on
owner + kind + source id: new records are created, changed ones get a new version,
identical ones are left alone, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from interlink.access import Actor, Visibility
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.changes.log import log_bulk, record_state
from interlink.core.types import utcnow
from interlink.interop.base import ParsedItem
from interlink.members.models import Bureau
from interlink.node.guard import require_writable
from interlink.records.bulk import insert_rows
from interlink.records.kinds import KINDS
from interlink.records.models import Record, RecordVersion
from interlink.records.schemas import ScreeningDetails
from interlink.records.service import encoded_columns

__all__ = [
    "BadItem",
    "CheckedRow",
    "ImportProblem",
    "ImportReport",
    "OnError",
    "check_item",
    "import_items",
]

MAX_PROBLEMS = 1000


class OnError(StrEnum):
    SKIP = "skip"
    STOP = "stop"


@dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    batches: int = 0
    stopped: bool = False
    kinds: Counter[str] = field(default_factory=Counter)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.created + self.updated

    @property
    def seen(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    def problem(self, line: int, field_name: str | None, reason: str) -> None:
        self.failed += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ImportProblem(line, field_name, reason))


class CheckedRow(NamedTuple):
    """A valid item, reduced to the strings the writer needs (cheap to pass between processes)."""

    line: int
    kind: str
    source_id: str
    fingerprint: str
    title: str
    search_text: str
    lookup_key: str | None
    second_key: str | None
    data_json: str

    def columns(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "title": self.title,
            "search_text": self.search_text,
            "lookup_key": self.lookup_key,
            "second_key": self.second_key,
        }


class BadItem(NamedTuple):
    line: int
    field: str | None
    reason: str


def check_item(item: ParsedItem, visibility: Visibility) -> CheckedRow | BadItem:
    """Validate one item with its kind's model and compute its stored form."""
    if item.error:
        return BadItem(item.line, item.error_field, item.error)
    if item.kind not in KINDS:
        return BadItem(item.line, "kind", f"unknown record kind {item.kind!r}")
    if not item.source_id:
        return BadItem(item.line, "id", "a source id is required (it makes re-imports idempotent)")
    if len(item.source_id) > 200:
        return BadItem(item.line, "id", "the source id is longer than 200 characters")
    try:
        data = KINDS[item.kind].model_validate(item.data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or None
        return BadItem(item.line, where, error["msg"])
    columns, data_json = encoded_columns(data, visibility)
    return CheckedRow(
        item.line,
        item.kind,
        item.source_id,
        columns["fingerprint"],
        columns["title"],
        columns["search_text"],
        columns["lookup_key"],
        columns["second_key"],
        data_json,
    )


def _existing(
    session: Session, owner_id: uuid.UUID, kind: str, source_ids: list[str]
) -> dict[str, tuple[str, str] | None]:
    """Source id -> (fingerprint, screening details) of the live records the batch may
    replace (None: deleted).

    Only strings come back (``deleted_by`` rather than the timestamp tells deletion), so
    the check costs little even for millions of rows.
    """
    rows = session.execute(
        select(
            Record.source_id, Record.fingerprint, Record.screening_details, Record.deleted_by
        ).where(
            Record.owner_bureau_id == owner_id,
            Record.kind == kind,
            Record.source_id.in_(source_ids),
        )
    )
    return {
        source_id: ((print_, details) if deleted_by is None else None)
        for source_id, print_, details, deleted_by in rows
    }


def _columns_of(record: Record) -> dict[str, Any]:
    return {name: getattr(record, name) for name in Record.visibility_columns(Visibility())}


def _update_changed(
    session: Session,
    owner_id: uuid.UUID,
    kind: str,
    changed: dict[str, CheckedRow],
    visibility_columns: dict[str, Any],
    actor_name: str,
    now: datetime,
    screening_details: str,
) -> None:
    """New versions of the records whose data or visibility differ from the file's."""
    currents = session.scalars(
        select(Record).where(
            Record.owner_bureau_id == owner_id,
            Record.kind == kind,
            Record.source_id.in_(list(changed)),
        )
    ).all()
    befores = [
        (current.id, record_state(_columns_of(current), current.deleted_at is not None))
        for current in currents
    ]
    session.execute(insert(RecordVersion), [RecordVersion.of(current) for current in currents])
    session.execute(
        update(Record),
        [
            {
                "id": current.id,
                "version": current.version + 1,
                "updated_at": now,
                "updated_by": actor_name,
                "deleted_at": None,
                "deleted_by": None,
                "deleted_reason": None,
                **visibility_columns,
                "screening_details": screening_details,
                **changed[current.source_id or ""].columns(),
                "data": json.loads(changed[current.source_id or ""].data_json),
            }
            for current in currents
        ],
    )
    after = record_state(visibility_columns)
    log_bulk(session, "record", kind, owner_id, [(id_, before, after) for id_, before in befores])
    for current in currents:
        session.expunge(current)


def _write_batch(
    session: Session,
    rows: list[CheckedRow],
    owner: tuple[uuid.UUID, str],
    visibility: Visibility,
    actor_name: str,
    source: str,
    report: ImportReport,
    screening_details: ScreeningDetails,
    actor: Actor | None = None,
) -> None:
    owner_id, owner_code = owner
    # Later lines win over earlier ones with the same source id.
    latest: dict[tuple[str, str], CheckedRow] = {(row.kind, row.source_id): row for row in rows}
    counts: Counter[str] = Counter()
    # Stamped once the transaction holds the write lock (SQLite): the screening index
    # follows changes by updated_at, and a batch stamped before waiting for the lock
    # could commit after a later-stamped one that a refresh had already seen.
    session.connection()
    now = utcnow()
    visibility_columns = Record.visibility_columns(visibility)
    for kind in sorted({kind for kind, _ in latest}):
        batch = {source_id: row for (k, source_id), row in latest.items() if k == kind}
        existing = _existing(session, owner_id, kind, list(batch))
        new_rows: list[dict[str, Any]] = []
        changed: dict[str, CheckedRow] = {}
        for source_id, row in batch.items():
            if source_id not in existing:
                new_rows.append(
                    {
                        "id": uuid.uuid4(),
                        "source_id": source_id,
                        **row.columns(),
                        "data": row.data_json,
                    }
                )
            elif existing[source_id] == (row.fingerprint, screening_details.value):
                counts["unchanged"] += 1
            else:
                changed[source_id] = row
        shared = {
            "kind": kind,
            "owner_bureau_id": owner_id,
            "version": 1,
            "created_at": now,
            "created_by": actor_name,
            "updated_at": now,
            "updated_by": actor_name,
            "screening_details": screening_details.value,
            **visibility_columns,
        }
        insert_rows(session, Record.__table__, shared, new_rows, preencoded=frozenset({"data"}))
        created = record_state(visibility_columns)
        log_bulk(session, "record", kind, owner_id, [(r["id"], None, created) for r in new_rows])
        if changed:
            _update_changed(
                session,
                owner_id,
                kind,
                changed,
                visibility_columns,
                actor_name,
                now,
                screening_details.value,
            )
        counts["created"] += len(new_rows)
        counts["updated"] += len(changed)
        report.kinds[kind] += len(batch)
    report.created += counts["created"]
    report.updated += counts["updated"]
    report.unchanged += counts["unchanged"] + (len(rows) - len(latest))
    audit(
        session,
        AuditAction.RECORD_IMPORT,
        actor=actor,
        actor_name=actor_name,
        object_type="import",
        object_id=source,
        after={
            "owner": owner_code,
            "lines": [rows[0].line, rows[-1].line],
            "created": counts["created"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
            "visibility": visibility.model_dump(mode="json"),
            "screening_details": screening_details.value,
        },
    )
    session.commit()
    report.batches += 1


def import_items(
    session: Session,
    items: Iterable[ParsedItem],
    *,
    owner: Bureau,
    visibility: Visibility,
    actor_name: str,
    source: str,
    on_error: OnError = OnError.SKIP,
    batch_size: int = 5000,
    progress: Callable[[ImportReport], None] | None = None,
    screening_details: ScreeningDetails = ScreeningDetails.FULL,
    actor: Actor | None = None,
) -> ImportReport:
    """Import ``items`` as records owned by ``owner``; commits once per batch (audited as
    ``actor`` when a signed-in user imports, else as ``actor_name``).

    ``screening_details`` applies to every record the import creates or updates (records
    equal to the file's but for it are updated too)."""
    require_writable(session)
    report = ImportReport()
    who = (owner.id, owner.code)  # read once: the commits below may expire the object
    pending: list[CheckedRow] = []
    for item in items:
        row = check_item(item, visibility)
        if isinstance(row, BadItem):
            report.problem(row.line, row.field, row.reason)
            if on_error is OnError.STOP:
                report.stopped = True
                session.rollback()
                return report
            continue
        pending.append(row)
        if len(pending) >= batch_size:
            _write_batch(
                session, pending, who, visibility, actor_name, source, report, screening_details,
                actor,
            )  # fmt: skip
            pending = []
            if progress:
                progress(report)
    if pending:
        _write_batch(
            session, pending, who, visibility, actor_name, source, report, screening_details, actor
        )
    if progress:
        progress(report)
    return report
