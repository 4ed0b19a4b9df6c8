"""The per-process screening index of person records, kept current from the database.

Built on first use, then brought up to date before each screening from the records
changed since the last look (``updated_at``, which every change moves), so that a
record created, changed or deleted is screened accordingly at once.

It files every person record, whoever may see it: it only proposes candidates, and the
service asks ``access.restrict()`` which of them the actor may screen before any is
scored or shown.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
        self._seen_until: datetime | None = None
        self._at_edge: set[uuid.UUID] = set()  # records changed at exactly _seen_until
        self._lock = threading.Lock()
        self._min_interval = min_interval
        self._looked_at = float("-inf")

    def _apply(
        self, rows: Iterable[tuple[uuid.UUID, dict[str, Any], datetime | None, datetime]]
    ) -> None:
        changed = []
        for record_id, data, deleted_at, updated_at in rows:
            if updated_at == self._seen_until and record_id in self._at_edge:
                continue  # seen by the last refresh (which asks from that instant on)
            if deleted_at is None:
                changed.append((record_id, person_facts(data)))
            else:
                self.persons.remove(record_id)
            if self._seen_until is None or updated_at > self._seen_until:
                self._seen_until, self._at_edge = updated_at, set()
            if updated_at == self._seen_until:
                self._at_edge.add(record_id)
        if len(changed) > 1_000:  # a build, or a large import: one sort
            self.persons.extend(changed)
        else:
            for record_id, facts in changed:
                self.persons.add(record_id, facts)

    def refresh(self, session: Session, *, force: bool = False) -> None:
        """File every person record changed since the last refresh (all, the first time);
        ``force``: even if the last look was less than ``min_interval`` ago."""
        with self._lock:
            now = time.monotonic()
            if now - self._looked_at < self._min_interval and not force:
                return
            self._looked_at = now
            query = select(Record.id, Record.data, Record.deleted_at, Record.updated_at).where(
                Record.kind.in_(PERSON_KINDS)
            )
            if self._seen_until is not None:
                # >=: rows written in the same microsecond as the last one seen are not
                # missed; those already filed are skipped (_at_edge).
                query = query.where(Record.updated_at >= self._seen_until)
            self._apply(session.execute(query.order_by(Record.updated_at)))  # type: ignore[arg-type]
