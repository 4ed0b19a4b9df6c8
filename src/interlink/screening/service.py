"""Screening use cases: one query against every database the actor may screen.

Persons are found through the candidate index and scored; documents, vehicles and
firearms by their identifier key; artworks by their words. Only records the actor may
screen (``access.restrict`` with ``Action.SCREEN``) are ever scored or returned, and
every screening is audited with what was asked and what was found.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

import pycountry
from rapidfuzz import fuzz
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission, restrict
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core import metrics
from interlink.core.db import reading
from interlink.core.errors import InvalidInput
from interlink.core.types import utcnow
from interlink.hits.service import record_hits
from interlink.matching.identifiers import (
    compact_identifier,
    compare_identifiers,
    document_number_key,
)
from interlink.matching.mrz import MrzError, parse_mrz
from interlink.matching.names import name_forms
from interlink.matching.score import HIT_THRESHOLD, PersonFacts, score_person
from interlink.members.service import bureau_code
from interlink.node.guard import is_node
from interlink.records.kinds import fold
from interlink.records.models import Record
from interlink.records.schemas import ScreeningDetails
from interlink.screening.index import PERSON_KINDS, ScreeningIndex
from interlink.screening.schemas import (
    ArtworkQuery,
    DocumentQuery,
    FirearmQuery,
    PersonQuery,
    ScreenRequest,
    VehicleQuery,
)

__all__ = ["SHOWN_FROM", "Snapshot", "screen"]

SHOWN_FROM = 0.6
"""Matches from this score are shown (as possible matches); hits start at HIT_THRESHOLD."""
MAX_MATCHES = 20
SCORED_CANDIDATES = 64

Match = dict[str, Any]


class RecordLabel(NamedTuple):
    """What a match shows of a record: persons are scored on the index's facts, so their
    records themselves are never loaded."""

    id: uuid.UUID
    kind: str
    source_id: str | None
    owner_bureau_id: uuid.UUID
    screening_details: str


def _labels(session: Session, actor: Actor, *where: Any) -> dict[uuid.UUID, RecordLabel]:
    """Labels of the live records matching ``where`` that ``actor`` may screen."""
    query = select(
        Record.id, Record.kind, Record.source_id, Record.owner_bureau_id, Record.screening_details
    ).where(Record.deleted_at.is_(None), *where)
    rows = session.execute(restrict(query, actor, Action.SCREEN))
    return {row[0]: RecordLabel(*row) for row in rows}


class Snapshot:
    """What an actor may screen, read once: a batch screens one snapshot rather than
    asking the database about every traveller's candidates."""

    def __init__(self, session: Session, actor: Actor, index: ScreeningIndex) -> None:
        index.refresh(session, force=True)
        self.persons = _labels(session, actor, Record.kind.in_(PERSON_KINDS))


def _match(record: Record | RecordLabel, score: float, explanation: dict[str, Any]) -> Match:
    return {"record": record, "score": round(score, 4), "explanation": explanation}


def _persons(
    session: Session,
    actor: Actor,
    query: PersonFacts,
    index: ScreeningIndex,
    snapshot: Snapshot | None = None,
) -> list[Match]:
    # Candidates are drawn wider than what is scored, and filtered by the access policy
    # first, so that records the actor may not see do not crowd out those it may.
    candidates = index.persons.candidates(query, limit=4 * SCORED_CANDIDATES)
    if snapshot:
        allowed = snapshot.persons
    elif candidates:
        allowed = _labels(session, actor, Record.id.in_([record_id for record_id, _ in candidates]))
    else:
        allowed = {}
    matches = []
    for record_id, facts in [c for c in candidates if c[0] in allowed][:SCORED_CANDIDATES]:
        if score_person(query, facts, explain=False).score >= SHOWN_FROM:
            result = score_person(query, facts)  # explained only if shown
            matches.append(_match(allowed[record_id], result.score, result.explanation))
    return matches


def _person_query(query: PersonQuery) -> PersonFacts:
    return PersonFacts(
        names=tuple(name_forms(query.names())),
        date_of_birth=query.date_of_birth,
        nationalities=(query.nationality,) if query.nationality else (),
        sex=query.sex.value if query.sex else None,
        documents=(query.document_number,) if query.document_number else (),
    )


@lru_cache(maxsize=4096)
def _keyed(actor: Actor, kind: str, second: bool) -> Select[tuple[Record]]:
    # Built once per actor and kind (building the policy's clause costs more than the
    # indexed lookup itself); the key is a parameter.
    column = Record.second_key if second else Record.lookup_key
    query = select(Record).where(
        Record.kind == kind, column == bindparam("key"), Record.deleted_at.is_(None)
    )
    return restrict(query, actor, Action.SCREEN)


def _by_key(
    session: Session, actor: Actor, kind: str, key: str, *, second: bool = False
) -> list[Record]:
    if not key:  # nothing left of the identifier ("-"): it identifies nothing
        return []
    return list(session.scalars(_keyed(actor, kind, second), {"key": key}))


def _documents(session: Session, actor: Actor, query: DocumentQuery) -> list[Match]:
    matches = []
    for record in _by_key(session, actor, "travel-documents", document_number_key(query.number)[0]):
        same = compare_identifiers(query.number, record.data["number"])
        score, explanation = same.score, {"number": {"score": same.score, "detail": same.reason}}
        issuer = record.data.get("issuing_country")
        if query.issuing_country and issuer and query.issuing_country != issuer:
            score = min(score, 0.6)
            explanation["issuing_country"] = {
                "agrees": False,
                "detail": f"{query.issuing_country} vs {issuer}",
            }
        elif query.issuing_country:
            explanation["issuing_country"] = {"agrees": True, "detail": issuer}
        explanation["status"] = record.data.get("status")
        matches.append(_match(record, score, explanation))
    return matches


def _alpha2(code3: str) -> str | None:
    country = pycountry.countries.get(alpha_3=code3)
    return country.alpha_2 if country else None


def _mrz(
    session: Session, actor: Actor, text: str, index: ScreeningIndex, snapshot: Snapshot | None
) -> list[Match]:
    try:
        zone = parse_mrz(text)
    except MrzError as exc:
        raise InvalidInput("mrz", str(exc)) from exc
    matches = _documents(
        session,
        actor,
        DocumentQuery(number=zone.document_number, issuing_country=_alpha2(zone.issuing_state)),
    )
    nationality = _alpha2(zone.nationality)
    person = PersonFacts(
        names=tuple(name_forms([f"{zone.given_names} {zone.surname}".strip()])),
        date_of_birth=zone.date_of_birth,
        nationalities=(nationality,) if nationality else (),
        sex=zone.sex,
        documents=(zone.document_number,),
    )
    return matches + _persons(session, actor, person, index, snapshot)


def _vehicles(session: Session, actor: Actor, query: VehicleQuery) -> list[Match]:
    if query.vin:
        key = compact_identifier(query.vin)
        records = _by_key(session, actor, "vehicles", key)
    else:
        # A vehicle with a VIN is keyed by it; its plate is its second key.
        key = compact_identifier(query.plate or "")
        records = _by_key(session, actor, "vehicles", key)
        records += _by_key(session, actor, "vehicles", key, second=True)
    matches = []
    for record in records:
        what = "VIN" if query.vin else "plate"
        explanation: dict[str, Any] = {"identifier": {"score": 1.0, "detail": f"{what} {key}"}}
        score = 1.0
        country = record.data.get("plate_country")
        if query.plate and query.country and country and country != query.country:
            score = 0.6
            explanation["country"] = {"agrees": False, "detail": f"{query.country} vs {country}"}
        matches.append(_match(record, score, explanation))
    return matches


def _firearms(session: Session, actor: Actor, query: FirearmQuery) -> list[Match]:
    matches = []
    for record in _by_key(session, actor, "firearms", compact_identifier(query.serial)):
        score, explanation = 1.0, {"serial": {"score": 1.0, "detail": "identical"}}
        make = record.data.get("make", "")
        if query.make and fuzz.ratio(fold(query.make), fold(make)) < 80:
            score = 0.6
            explanation["make"] = {"agrees": False, "detail": f"{query.make} vs {make}"}
        matches.append(_match(record, score, explanation))
    return matches


def _artworks(session: Session, actor: Actor, query: ArtworkQuery) -> list[Match]:
    words = [word for word in fold(query.text()).split() if len(word) >= 4][:6]
    if not words:
        raise InvalidInput("artwork", "give at least one word of four letters or more")
    base = select(Record).where(Record.kind == "artworks", Record.deleted_at.is_(None))
    candidates: dict[uuid.UUID, Record] = {}
    for word in words:
        query_ = base.where(Record.search_text.contains(word, autoescape=True)).limit(200)
        for record in session.scalars(restrict(query_, actor, Action.SCREEN)):
            candidates[record.id] = record
    matches = []
    text = fold(query.text())
    for record in candidates.values():
        ratio = fuzz.token_set_ratio(text, record.search_text) / 100
        matches.append(
            _match(
                record,
                ratio,
                {"description": {"score": round(ratio, 3), "detail": "words in common"}},
            )
        )
    return matches


def _contact_only(session: Session, record: Record | RecordLabel, actor: Actor) -> bool:
    """Whether a match on ``record`` says only that there is a hit and whom to call: the
    owner lets machine clients learn no more, and a national node holds no more of such
    a record (``records.withheld``), so there everyone learns no more."""
    if record.screening_details != ScreeningDetails.CONTACT_ONLY:
        return False
    if actor.kind == "client":
        return True
    if "is_node" not in session.info:
        session.info["is_node"] = is_node(session)
    return bool(session.info["is_node"])


def _shown(session: Session, match: Match, actor: Actor) -> dict[str, Any]:
    record: Record | RecordLabel = match["record"]
    owner = bureau_code(session, record.owner_bureau_id)
    if _contact_only(session, record, actor):
        # The owner lets border systems learn only that there is a hit and whom to call.
        return {
            "record_id": record.id,
            "source_id": None,
            "kind": record.kind,
            "owner": owner,
            "score": match["score"],
            "explanation": {"contact": f"National Central Bureau {owner}", "details": "withheld"},
        }
    return {
        "record_id": record.id,
        "source_id": record.source_id,
        "kind": record.kind,
        "owner": owner,
        "score": match["score"],
        "explanation": match["explanation"],
    }


def screen(
    session: Session,
    request: ScreenRequest,
    *,
    actor: Actor,
    index: ScreeningIndex,
    audited: bool = True,
    snapshot: Snapshot | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Screen one query; returns ``{"hit", "matches"}`` with matches best first.

    Audited here, and a hit recorded for every hit on another bureau's record, unless
    ``audited`` is False: batch screening audits per chunk instead, and screens against
    a ``snapshot`` of what the actor may screen.
    """
    check_permission(actor, Permission.SCREENING_RUN)
    with reading(session):  # the screening reads; only its audit entry (and hits) write
        result, ranked = _screen(session, request, actor, index, snapshot)
    if audited:
        audit(
            session,
            AuditAction.SCREENING,
            actor=actor,
            object_type=request.kind(),
            after={
                "query": request.model_dump(mode="json", exclude_none=True),
                "hit": result["hit"],
                "matches": [
                    {"record_id": str(m["record_id"]), "score": m["score"]}
                    for m in result["matches"]
                ],
            },
        )
        query = request.model_dump(mode="json", exclude_none=True)
        found = [(m["record"], m["score"], m["explanation"]) for m in ranked]
        record_hits(session, actor, query, found, now=now or utcnow())
        metrics.count_screening(request.kind(), result["hit"])  # batch counts its own rows
    return result


def _screen(
    session: Session,
    request: ScreenRequest,
    actor: Actor,
    index: ScreeningIndex,
    snapshot: Snapshot | None,
) -> tuple[dict[str, Any], list[Match]]:
    kind = request.kind()
    if kind in ("person", "document", "mrz"):  # the kinds that consult the index
        index.refresh(session)
    if request.person is not None:
        found = _persons(session, actor, _person_query(request.person), index, snapshot)
        if request.person.document_number:
            # The traveller's document may itself be listed as stolen or lost.
            document = DocumentQuery(
                number=request.person.document_number,
                issuing_country=request.person.document_country,
            )
            found += _documents(session, actor, document)
    elif request.document is not None:
        # A document number also finds the persons whose records list that document.
        person = PersonFacts(names=(), documents=(request.document.number,))
        found = _documents(session, actor, request.document)
        found += _persons(session, actor, person, index, snapshot)
    elif request.mrz is not None:
        found = _mrz(session, actor, request.mrz, index, snapshot)
    elif request.vehicle is not None:
        found = _vehicles(session, actor, request.vehicle)
    elif request.firearm is not None:
        found = _firearms(session, actor, request.firearm)
    else:
        assert request.artwork is not None
        found = _artworks(session, actor, request.artwork)
    best: dict[uuid.UUID, Match] = {}
    for match in found:
        record = match["record"]
        if match["score"] >= SHOWN_FROM and (
            record.id not in best or match["score"] > best[record.id]["score"]
        ):
            best[record.id] = match
    ranked = sorted(best.values(), key=lambda m: -m["score"])[:MAX_MATCHES]
    matches = [_shown(session, m, actor) for m in ranked]
    hit = any(m["score"] >= HIT_THRESHOLD for m in matches)
    return {"hit": hit, "matches": matches}, ranked
