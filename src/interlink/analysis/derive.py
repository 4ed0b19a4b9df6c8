"""Keeping the link graph current: each record's identifiers, the links it states, and
the links derived from identifiers it shares with records of other bureaus.

``catch_up`` reads the records changed since it last ran (by ``updated_at``, with an
overlap, since a change may commit after a later-stamped one) and redoes their part of
the graph: nobody has to ask for a cross-border correlation for it to be found. Graph
reads call it first; ``interlink analysis derive`` runs it over everything in bulk.
Runs as the system: what a reader sees of the result is decided when they read it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from interlink.analysis.identifiers import Identifier, record_identifiers
from interlink.analysis.models import DeriveState, GraphLink, RecordIdentifier
from interlink.matching.score import HIT_THRESHOLD, PersonFacts, score_person
from interlink.members.service import bureau_codes
from interlink.records.models import Record
from interlink.screening.index import person_facts

__all__ = ["MAX_SHARED", "catch_up", "derive_records"]

CHUNK = 1000
OVERLAP = timedelta(minutes=5)
MAX_SHARED = 200
"""An identifier held by more records than this (a shared switchboard, a registered
agent's address) links nobody: it would tie hundreds together and tell nothing."""
_LOCK = 0x6A7A95  # one catch-up at a time on PostgreSQL


def catch_up(
    session: Session, *, progress: Callable[[int], None] | None = None, full: bool = False
) -> int:
    """Redo the graph for every record changed since the last run (all with ``full``);
    the caller commits. Returns how many records were read."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    state = session.get(DeriveState, "links")
    query = select(Record.id, Record.updated_at).order_by(Record.updated_at, Record.id)
    if state is not None and not full:
        query = query.where(Record.updated_at > state.up_to - OVERLAP)
    changed = session.execute(query).all()
    if not changed:
        return 0
    codes = bureau_codes(session)
    for start in range(0, len(changed), CHUNK):
        derive_records(session, [row.id for row in changed[start : start + CHUNK]], codes)
        if progress is not None:
            progress(min(start + CHUNK, len(changed)))
    newest: datetime = changed[-1].updated_at
    if state is None:
        session.add(DeriveState(name="links", up_to=newest))
    else:
        state.up_to = max(state.up_to, newest)
    session.flush()
    return len(changed)


def derive_records(
    session: Session, ids: list[uuid.UUID], codes: dict[uuid.UUID, str] | None = None
) -> None:
    """Redo the identifiers and links of the records ``ids`` (deleted ones lose theirs)."""
    codes = codes if codes is not None else bureau_codes(session)
    session.execute(delete(RecordIdentifier).where(RecordIdentifier.record_id.in_(ids)))
    # Two statements, each on its own index: what these records state or share (they are
    # the a side), and what others share with them; links others state stay.
    session.execute(delete(GraphLink).where(GraphLink.a_id.in_(ids)))
    session.execute(delete(GraphLink).where(GraphLink.b_id.in_(ids), GraphLink.origin == "derived"))
    rows = session.execute(
        select(Record.id, Record.kind, Record.owner_bureau_id, Record.data).where(
            Record.id.in_(ids), Record.deleted_at.is_(None)
        )
    ).all()
    held: dict[uuid.UUID, list[Identifier]] = {}
    for row in rows:
        held[row.id] = record_identifiers(row.kind, row.data)
    rows_held = [
        {"record_id": row.id, "owner_bureau_id": row.owner_bureau_id, "type": i.type,
         "value": i.value, "shown": i.shown}
        for row in rows for i in held[row.id]
    ]  # fmt: skip
    if rows_held:  # core inserts: a bulk run keeps no million objects in the session
        session.execute(insert(RecordIdentifier), rows_held)
    _stated(session, rows)
    _derived(session, rows, held, codes)


def _stated(session: Session, rows: Iterable[Any]) -> None:
    """The links records state: a person's ``links``, an asset's ``person_ids``."""
    wanted: list[tuple[uuid.UUID, uuid.UUID, str, dict[str, Any]]] = []
    for row in rows:
        for link in row.data.get("links") or []:
            relation = str(link.get("relation") or "linked")
            wanted.append((row.id, uuid.UUID(str(link["record_id"])), relation, link))
        for person in row.data.get("person_ids") or []:
            wanted.append((row.id, uuid.UUID(str(person)), "owned by", {}))
    if not wanted:
        return
    existing = set(
        session.scalars(
            select(Record.id).where(Record.id.in_({b for _, b, _, _ in wanted}),
                                    Record.deleted_at.is_(None))
        )
    )  # fmt: skip
    seen: set[tuple[uuid.UUID, uuid.UUID, str]] = set()
    links: list[dict[str, Any]] = []
    for a, b, relation, stated in wanted:
        if b in existing and a != b and (a, b, relation) not in seen:
            seen.add((a, b, relation))
            because = {"because": f"the record says: {relation}"}
            if stated.get("source"):
                because["source"] = str(stated["source"])
            given = stated.get("confidence")
            confidence = 1.0 if given is None else float(given)
            links.append({"a_id": a, "b_id": b, "relation": relation[:60], "origin": "stated",
                          "basis": "stated", "value": "", "explanation": because,
                          "confidence": confidence})  # fmt: skip
    _insert(session, links)


def _derived(
    session: Session,
    rows: Iterable[Any],
    held: dict[uuid.UUID, list[Identifier]],
    codes: dict[uuid.UUID, str],
) -> None:
    """A link between each record read and each record of another bureau holding one of
    its identifiers."""
    owners = {row.id: row.owner_bureau_id for row in rows}
    keys = {(i.type, i.value) for found in held.values() for i in found}
    if not keys:
        return
    holders: dict[tuple[str, str], list[Any]] = defaultdict(list)
    by_type: dict[str, list[str]] = defaultdict(list)
    for type_, value in sorted(keys):
        by_type[type_].append(value)
    for type_, values in by_type.items():
        # One type at a time: "type = ? AND value IN (...)" walks the (type, value) index,
        # where a row-value IN may scan the whole table.
        for value_batch in _batches(values, 500):
            for holder in session.execute(
                select(RecordIdentifier.record_id, RecordIdentifier.owner_bureau_id,
                       RecordIdentifier.type, RecordIdentifier.value, RecordIdentifier.shown)
                .join(Record, Record.id == RecordIdentifier.record_id)
                .where(RecordIdentifier.type == type_,
                       RecordIdentifier.value.in_(value_batch), Record.deleted_at.is_(None))
            ):  # fmt: skip
                holders[(holder.type, holder.value)].append(holder)
    made: set[tuple[uuid.UUID, uuid.UUID, str, str]] = set()
    links: list[dict[str, Any]] = []
    people = _people(session, rows, holders)
    for record_id, found in held.items():
        for identifier in found:
            others = holders[(identifier.type, identifier.value)]
            if len(others) > MAX_SHARED:
                continue
            for other in others:
                if other.owner_bureau_id == owners[record_id]:
                    continue  # a bureau's own records: its own business, not a correlation
                a, b = sorted((record_id, other.record_id))
                key = (a, b, identifier.type, identifier.value)
                if key in made:
                    continue
                made.add(key)
                if identifier.type == "born":
                    _same_person(links, people, a, b, codes, owners, other)
                    continue
                shown = {record_id: identifier.shown, other.record_id: other.shown}
                owner = {record_id: owners[record_id], other.record_id: other.owner_bureau_id}
                links.append({
                    "a_id": a, "b_id": b, "relation": f"shares {identifier.type}",
                    "origin": "derived", "basis": identifier.type, "value": identifier.value,
                    "confidence": 1.0,
                    "explanation": {
                        "because": f"both hold the {identifier.type} {identifier.value}",
                        "written": [shown[a], shown[b]],
                        "owners": [codes.get(owner[a], "?"), codes.get(owner[b], "?")],
                    },
                })  # fmt: skip
    _insert(session, links)


def _people(
    session: Session, rows: Iterable[Any], holders: dict[tuple[str, str], list[Any]]
) -> dict[uuid.UUID, PersonFacts]:
    """What the screening engine compares of each person born the same day as one read."""
    wanted = {h.record_id for (type_, _), found in holders.items() if type_ == "born"
              for h in found}  # fmt: skip
    facts = {row.id: person_facts(row.data) for row in rows if row.id in wanted}
    missing = list(wanted - facts.keys())
    for start in range(0, len(missing), 500):
        for record_id, data in session.execute(
            select(Record.id, Record.data).where(Record.id.in_(missing[start : start + 500]))
        ):
            facts[record_id] = person_facts(data)
    return facts


def _same_person(
    links: list[dict[str, Any]], people: dict[uuid.UUID, PersonFacts], a: uuid.UUID, b: uuid.UUID,
    codes: dict[uuid.UUID, str], owners: dict[uuid.UUID, uuid.UUID], other: Any,
) -> None:  # fmt: skip
    """A link when the screening engine finds two records, born the same day, to be the
    same person (its score at the hit threshold), with the engine's own explanation."""
    scored = score_person(people[a], people[b])
    if scored.score < HIT_THRESHOLD:
        return
    owner = {**{other.record_id: other.owner_bureau_id}, **owners}
    links.append({
        "a_id": a, "b_id": b, "relation": "same person", "origin": "derived",
        "basis": "screening", "value": f"born {other.value}",
        "confidence": round(scored.score, 3),
        "explanation": {
            "because": f"the screening engine finds the same person (score {scored.score:.2f})",
            "detail": scored.explanation,
            "owners": [codes.get(owner[a], "?"), codes.get(owner[b], "?")],
        },
    })  # fmt: skip


def _insert(session: Session, links: list[dict[str, Any]]) -> None:
    if links:
        session.execute(insert(GraphLink), links)


def _batches(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
