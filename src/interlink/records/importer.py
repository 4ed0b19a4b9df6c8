"""Bulk import of records from exchange formats: validated, batched, idempotent.

Every item is validated by its kind's model; a bad one is reported (line, field,
reason) and skipped, or stops the import, as the caller chooses. Good items are written
per batch in one transaction (with one audit entry for the batch) as an upsert on
owner + kind + source id: new records are created, changed ones get a new version,
identical ones are left alone, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from interlink.access import Visibility
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.types import utcnow
from interlink.interop.base import ParsedItem
from interlink.members.models import Bureau
from interlink.records.kinds import KINDS
from interlink.records.models import Record, RecordVersion
from interlink.records.service import columns_for

__all__ = ["ImportProblem", "ImportReport", "OnError", "import_items"]

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

    def problem(self, item: ParsedItem, field_name: str | None, reason: str) -> None:
        self.failed += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ImportProblem(item.line, field_name, reason))


@dataclass(slots=True)
class _Row:
    line: int
    kind: str
    source_id: str
    columns: dict[str, Any]


def _validate(item: ParsedItem, report: ImportReport) -> _Row | None:
    if item.error:
        report.problem(item, item.error_field, item.error)
        return None
    if item.kind not in KINDS:
        report.problem(item, "kind", f"unknown record kind {item.kind!r}")
        return None
    if not item.source_id:
        report.problem(item, "id", "a source id is required (it makes re-imports idempotent)")
        return None
    if len(item.source_id) > 200:
        report.problem(item, "id", "the source id is longer than 200 characters")
        return None
    try:
        data = KINDS[item.kind].model_validate(item.data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or None
        report.problem(item, where, error["msg"])
        return None
    return _Row(item.line, item.kind, item.source_id, columns_for(data))


def _write_batch(
    session: Session,
    rows: list[_Row],
    owner: Bureau,
    visibility: Visibility,
    actor_name: str,
    source: str,
    report: ImportReport,
) -> None:
    # Later lines win over earlier ones with the same source id.
    latest: dict[tuple[str, str], _Row] = {(row.kind, row.source_id): row for row in rows}
    counts: Counter[str] = Counter()
    now = utcnow()
    visibility_columns = {
        "visibility_mode": visibility.mode.value,
        "visibility_countries": ("," + ",".join(visibility.countries) + ",")
        if visibility.countries
        else None,
        "visibility_group_id": visibility.group,
    }
    for kind in sorted({kind for kind, _ in latest}):
        batch = {source: row for (k, source), row in latest.items() if k == kind}
        existing = {
            current.source_id: current
            for current in session.scalars(
                select(Record).where(
                    Record.owner_bureau_id == owner.id,
                    Record.kind == kind,
                    Record.source_id.in_(list(batch)),
                )
            )
        }
        new_rows, changed = [], []
        for source_id, row in batch.items():
            current = existing.get(source_id)
            if current is None:
                new_rows.append(
                    {
                        "id": uuid.uuid4(),
                        "kind": kind,
                        "owner_bureau_id": owner.id,
                        "source_id": source_id,
                        "version": 1,
                        "created_at": now,
                        "created_by": actor_name,
                        "updated_at": now,
                        "updated_by": actor_name,
                        **visibility_columns,
                        **row.columns,
                    }
                )
            elif (
                current.data != row.columns["data"]
                or current.visibility != visibility
                or current.deleted_at is not None
            ):
                changed.append((current, row))
            else:
                counts["unchanged"] += 1
        if new_rows:
            session.execute(insert(Record), new_rows)
        if changed:
            session.execute(
                insert(RecordVersion),
                [
                    {
                        "record_id": current.id,
                        "version": current.version,
                        "data": current.data,
                        "visibility": current.visibility_snapshot(),
                        "changed_at": current.updated_at,
                        "changed_by": current.updated_by,
                    }
                    for current, _ in changed
                ],
            )
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
                        **row.columns,
                    }
                    for current, row in changed
                ],
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
        actor_name=actor_name,
        object_type="import",
        object_id=source,
        after={
            "owner": owner.code,
            "lines": [rows[0].line, rows[-1].line],
            "created": counts["created"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
            "visibility": visibility.model_dump(mode="json"),
        },
    )
    session.commit()
    session.expunge_all()
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
) -> ImportReport:
    """Import ``items`` as records owned by ``owner``; commits once per batch."""
    report = ImportReport()
    pending: list[_Row] = []
    for item in items:
        row = _validate(item, report)
        if row is None:
            if on_error is OnError.STOP:
                report.stopped = True
                session.rollback()
                return report
            continue
        pending.append(row)
        if len(pending) >= batch_size:
            _write_batch(session, pending, owner, visibility, actor_name, source, report)
            pending = []
            if progress:
                progress(report)
    if pending:
        _write_batch(session, pending, owner, visibility, actor_name, source, report)
    if progress:
        progress(report)
    return report
