"""The per-process screening index of person records, kept current from the database.

Built on first use, then brought up to date before each screening from the change log
(``changes``, ids in commit order) since the last look, so that a record created,
changed or deleted through any process is screened accordingly at once.

It files every person record, whoever may see it: it only proposes candidates, and the
service asks ``access.restrict()`` which of them the actor may screen before any is
scored or shown.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.changes.models import Change
from interlink.matching.index import PersonIndex
from interlink.matching.names import name_forms
from interlink.matching.score import PersonFacts
from interlink.records.models import Record

__all__ = ["PERSON_KINDS", "ScreeningIndex", "person_facts"]

PERSON_KINDS = ("persons", "missing-persons")


def person_facts(data: dict[str, Any]) -> PersonFacts:
    """What screening compares of a person record's data."""
    given = " ".join(p for p in (data.get("given_name"), data.get("family_name")) if p)
    names: list[str | None] = [data.get("full_name"), given, data.get("original_script_name")]
    names.extend(data.get("aliases") or [])
    documents = [doc.get("number", "") for doc in data.get("identity_documents") or []]
    return PersonFacts(
        names=tuple(name_forms(dict.fromkeys(names))),
        date_of_birth=data.get("date_of_birth"),
        nationalities=tuple(data.get("nationalities") or ()),
        sex=data.get("sex"),
        documents=tuple(d for d in documents if d),
    )


class ScreeningIndex:
    """``min_interval``: seconds between two looks at the database (0: before every query;
    a batch run over a fixed snapshot uses a long one)."""

    def __init__(self, min_interval: float = 0.0) -> None:
        self.persons: PersonIndex[uuid.UUID] = PersonIndex()
        self._seen: int | None = None  # the last change-log id filed
        self._lock = threading.Lock()
        self._min_interval = min_interval
        self._looked_at = float("-inf")

    def _apply(self, rows: Iterable[tuple[uuid.UUID, dict[str, Any] | None, bool]]) -> None:
        changed = []
        for record_id, data, live in rows:
            if live and data is not None:
                changed.append((record_id, person_facts(data)))
            else:
                self.persons.remove(record_id)
        if len(changed) > 1_000:  # a build, or a large import: one sort
            self.persons.extend(changed)
        else:
            for record_id, facts in changed:
                self.persons.add(record_id, facts)

    def _build(self, session: Session) -> None:
        # The log's end first: a change committed while the records are read is filed
        # twice (harmlessly), never missed.
        self._seen = int(session.scalar(select(func.max(Change.id))) or 0)
        rows = session.execute(
            select(Record.id, Record.data).where(
                Record.kind.in_(PERSON_KINDS), Record.deleted_at.is_(None)
            )
        )
        self._apply((record_id, data, True) for record_id, data in rows)

    def _follow(self, session: Session) -> None:
        rows = session.execute(
            select(Change.id, Change.object_id, Record.data, Record.deleted_at)
            .outerjoin(Record, Record.id == Change.object_id)
            .where(
                Change.id > self._seen,
                Change.entity == "record",
                Change.kind.in_(PERSON_KINDS),
            )
            .order_by(Change.id)
        ).all()
        if not rows:
            return
        latest = {row.object_id: row for row in rows}  # a record's state now, once
        self._apply(
            (record_id, row.data, row.data is not None and row.deleted_at is None)
            for record_id, row in latest.items()
        )
        self._seen = rows[-1].id

    def refresh(self, session: Session, *, force: bool = False) -> None:
        """File every person record changed since the last refresh, as the change log
        tells (all, the first time); ``force``: even if the last look was less than
        ``min_interval`` ago."""
        with self._lock:
            now = time.monotonic()
            if now - self._looked_at < self._min_interval and not force:
                return
            self._looked_at = now
            if self._seen is None:
                self._build(session)
            else:
                self._follow(session)
