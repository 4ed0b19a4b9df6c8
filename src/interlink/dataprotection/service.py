"""Data-protection requests, from receipt to answer.

1. The secretariat records the request (``receive``); the subject is searched across every
   bureau's persons, missing persons and documents with the screening service (not
   recorded as hits: nobody is at a border). Each record found becomes a finding, and its
   owner is asked (an event to the bureau).
2. Each owner decides whether the applicant may be told of its record (``decide``).
3. The secretariat corrects, erases or keeps each record (``act``), through the records
   service, so the record's own history and audit entries follow as for any change.
4. The secretariat answers (``answer``) from the findings their owners let be disclosed,
   in words that are the same whether nothing was found or everything was withheld.

Every step is audited in its transaction.
"""

from __future__ import annotations

import calendar
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission, check_permission
from interlink.audit.service import AuditAction
from interlink.audit.service import record as audit
from interlink.core.counters import next_number
from interlink.core.errors import Conflict, InvalidInput, NotFound
from interlink.core.events import publish
from interlink.dataprotection.models import DataRequest, DataRequestFinding
from interlink.dataprotection.schemas import DataRequestCreate, FindingAction, FindingDecision
from interlink.matching.score import HIT_THRESHOLD
from interlink.records.schemas import update_schema
from interlink.records.service import erase_record, update_record, validation_to_invalid_input
from interlink.screening.index import ScreeningIndex
from interlink.screening.schemas import DocumentQuery, PersonQuery, ScreenRequest
from interlink.screening.service import screen

__all__ = [
    "act",
    "answer",
    "consultations",
    "decide",
    "get_request",
    "list_requests",
    "receive",
    "request_view",
]

ANSWER_MONTHS = {"access": 4, "correction": 9, "deletion": 9}
"""Months the applicant waits at most (the CCF's statute: 4 for access, 9 otherwise)."""
OWNERS_DAYS = 30
"""Days the owners have to decide; an undecided finding is then withheld."""
NOTHING_TO_DISCLOSE = "No data concerning you can be disclosed to you."


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _queries(body: DataRequestCreate) -> list[ScreenRequest]:
    subject = body.subject
    person = PersonQuery(
        name=subject.name, date_of_birth=subject.date_of_birth, nationality=subject.nationality
    )
    documents = [DocumentQuery(number=number) for number in subject.document_numbers]
    return [ScreenRequest(person=person)] + [ScreenRequest(document=d) for d in documents]


def _search(
    session: Session, body: DataRequestCreate, actor: Actor, index: ScreeningIndex
) -> dict[uuid.UUID, dict[str, Any]]:
    """The records about the subject (best score per record), whoever owns them."""
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for query in _queries(body):
        result = screen(session, query, actor=actor, index=index, audited=False)
        for match in result["matches"]:
            record_id = uuid.UUID(str(match["record_id"]))
            if match["score"] >= HIT_THRESHOLD and (
                record_id not in found or match["score"] > found[record_id]["score"]
            ):
                found[record_id] = match
    return found


def receive(
    session: Session,
    body: DataRequestCreate,
    *,
    actor: Actor,
    index: ScreeningIndex,
    today: date,
) -> DataRequest:
    """Record a request and ask the owners of every record found about its subject."""
    check_permission(actor, Permission.DATA_PROTECTION)
    received = body.received_on or today
    if received > today:
        raise InvalidInput("body.received_on", "the day the request arrived: not in the future")
    found = _search(session, body, actor, index)
    request = DataRequest(
        reference=f"DP-{received.year}-{next_number(session, f'DP:{received.year}'):04d}",
        kind=body.kind,
        status="consulting" if found else "ready",
        subject=body.subject.model_dump(mode="json", exclude_none=True),
        applicant=body.applicant,
        details=body.details,
        received_on=received,
        due_on=add_months(received, ANSWER_MONTHS[body.kind]),
        owners_due_on=today + timedelta(days=OWNERS_DAYS),
        created_by=actor.name,
    )
    session.add(request)
    session.flush()
    for record_id, match in found.items():
        session.add(
            DataRequestFinding(
                request_id=request.id,
                record_id=record_id,
                kind=str(match["kind"]),
                owner=str(match["owner"]),
                score=float(match["score"]),
            )
        )
    owners = sorted({str(match["owner"]) for match in found.values()})
    _step(
        session,
        actor,
        request,
        after={
            "step": "receive",
            "reference": request.reference,
            "kind": request.kind,
            "findings": [{"record_id": str(r), "owner": m["owner"]} for r, m in found.items()],
        },
    )
    if owners:
        publish(
            session,
            "data-request.consult",
            object_type="data_request",
            object_id=request.id,
            owner=None,
            audience="," + ",".join(owners) + ",",
            payload={"reference": request.reference, "due": request.owners_due_on.isoformat()},
        )
    session.flush()
    return request


def _step(
    session: Session, actor: Actor, request: DataRequest, *, after: Any, before: Any = None
) -> None:
    """The audit entry of one step of ``request`` (in the caller's transaction)."""
    audit(session, AuditAction.DATA_REQUEST, actor=actor, object_type="data_request",
          object_id=request.id, before=before, after=after)  # fmt: skip


def get_request(session: Session, request_id: uuid.UUID, *, actor: Actor) -> DataRequest:
    check_permission(actor, Permission.DATA_PROTECTION)
    request = session.get(DataRequest, request_id)
    if request is None:
        raise NotFound(f"no data-protection request with id {request_id}")
    return request


def list_requests(
    session: Session, *, actor: Actor, status: str | None = None, limit: int = 100
) -> list[DataRequest]:
    check_permission(actor, Permission.DATA_PROTECTION)
    query = select(DataRequest).order_by(DataRequest.due_on, DataRequest.reference)
    if status:
        query = query.where(DataRequest.status == status)
    return list(session.scalars(query.limit(limit)))


def findings_of(session: Session, request: DataRequest) -> list[DataRequestFinding]:
    query = select(DataRequestFinding).where(DataRequestFinding.request_id == request.id)
    return list(session.scalars(query.order_by(DataRequestFinding.owner, DataRequestFinding.id)))


def request_view(session: Session, request: DataRequest, today: date) -> dict[str, Any]:
    view = {c.name: getattr(request, c.name) for c in DataRequest.__table__.columns}
    view["overdue"] = request.status != "answered" and today > request.due_on
    view["findings"] = [
        {c.name: getattr(f, c.name) for c in DataRequestFinding.__table__.columns}
        for f in findings_of(session, request)
    ]
    return view


def consultations(session: Session, *, actor: Actor) -> list[dict[str, Any]]:
    """What the actor's bureau is asked to decide: its findings still pending."""
    check_permission(actor, Permission.RECORDS_WRITE)
    if actor.country is None:
        return []
    rows = session.execute(
        select(DataRequestFinding, DataRequest)
        .join(DataRequest, DataRequest.id == DataRequestFinding.request_id)
        .where(
            DataRequestFinding.owner == actor.country,
            DataRequestFinding.decision == "pending",
            DataRequest.status == "consulting",
        )
        .order_by(DataRequest.owners_due_on)
    )
    return [
        {
            "request_id": request.id,
            "reference": request.reference,
            "request_kind": request.kind,
            "subject": request.subject,
            "owners_due_on": request.owners_due_on,
            "finding_id": finding.id,
            "record_id": finding.record_id,
            "kind": finding.kind,
        }
        for finding, request in rows
    ]


def _finding(session: Session, request: DataRequest, finding_id: uuid.UUID) -> DataRequestFinding:
    finding = session.get(DataRequestFinding, finding_id)
    if finding is None or finding.request_id != request.id:
        raise NotFound(f"no finding {finding_id} in {request.reference}")
    return finding


def decide(
    session: Session,
    request_id: uuid.UUID,
    finding_id: uuid.UUID,
    body: FindingDecision,
    *,
    actor: Actor,
    now: datetime,
) -> DataRequest:
    """The owning bureau decides whether the applicant may be told of its record."""
    check_permission(actor, Permission.RECORDS_WRITE)
    request = session.get(DataRequest, request_id)
    finding = session.get(DataRequestFinding, finding_id)
    if (
        request is None
        or finding is None
        or finding.request_id != request.id
        or finding.owner != actor.country
    ):  # another bureau's consultation is none of this one's business
        raise NotFound(f"no finding {finding_id} of your bureau in request {request_id}")
    if request.status == "answered":
        raise Conflict(f"{request.reference} is answered: decisions are closed")
    before = {"decision": finding.decision}
    finding.decision, finding.decision_reason = body.decision, body.reason
    finding.decided_by, finding.decided_at = actor.name, now
    if all(f.decision != "pending" for f in findings_of(session, request)):
        request.status = "ready"
    _step(
        session,
        actor,
        request,
        before=before,
        after={"step": "decide", "finding": str(finding.id), "decision": body.decision,
               "reason": body.reason},
    )  # fmt: skip
    session.flush()
    return request


def act(
    session: Session,
    request_id: uuid.UUID,
    finding_id: uuid.UUID,
    body: FindingAction,
    *,
    actor: Actor,
    now: datetime,
) -> DataRequest:
    """Correct, erase or keep a finding's record, as the request's review concluded."""
    request = get_request(session, request_id, actor=actor)
    finding = _finding(session, request, finding_id)
    if finding.action in ("corrected", "erased", "kept"):
        raise Conflict(f"the record was already {finding.action} for {request.reference}")
    if body.action == "correct":
        try:
            patch = update_schema(finding.kind).model_validate(body.changes)
        except ValidationError as exc:
            raise validation_to_invalid_input(exc, prefix="body.changes") from None
        update_record(session, finding.kind, finding.record_id, patch, actor=actor)
    elif body.action == "erase":
        why = f"data-protection request {request.reference}: {body.reason}"
        erase_record(session, finding.kind, finding.record_id, why, actor=actor)
    done = {"correct": "corrected", "erase": "erased", "keep": "kept"}[body.action]
    finding.action, finding.action_reason = done, body.reason
    finding.acted_by, finding.acted_at = actor.name, now
    _step(
        session,
        actor,
        request,
        after={"step": "act", "finding": str(finding.id), "record_id": str(finding.record_id),
               "action": done, "reason": body.reason},
    )  # fmt: skip
    session.flush()
    return request


def _answer_text(request: DataRequest, findings: list[DataRequestFinding]) -> str:
    disclosed = [f for f in findings if f.decision == "disclose"]
    if not disclosed:
        return NOTHING_TO_DISCLOSE
    outcome = {
        "corrected": "it has been corrected",
        "erased": "it has been erased",
        "kept": "it is kept, being found to comply with the rules",
        "none": "it is kept",
    }
    lines = [f"Data concerning you is held ({len(disclosed)} record(s)):"]
    for finding in disclosed:
        kind = finding.kind.replace("-", " ")
        lines.append(
            f"- the bureau of {finding.owner} holds a {kind} record; {outcome[finding.action]}."
        )
    return "\n".join(lines)


def answer(session: Session, request_id: uuid.UUID, *, actor: Actor, now: datetime) -> DataRequest:
    """Answer the applicant from what the owners allow. Before every owner has decided,
    only once their time is up (the undecided are withheld)."""
    request = get_request(session, request_id, actor=actor)
    if request.status == "answered":
        raise Conflict(f"{request.reference} is already answered")
    findings = findings_of(session, request)
    pending = [f for f in findings if f.decision == "pending"]
    if pending and now.date() <= request.owners_due_on:
        owners = ", ".join(sorted({f.owner for f in pending}))
        raise Conflict(
            f"owners have until {request.owners_due_on} to decide (waiting for {owners})"
        )
    if request.kind != "access":
        undone = [f for f in findings if f.decision == "disclose" and f.action == "none"]
        if undone:
            raise Conflict(
                f"{request.kind} request: correct, erase or keep each disclosed record first"
            )
    for finding in pending:
        finding.decision, finding.decision_reason = "withhold", "no decision by the owner in time"
    request.answer, request.answered_at, request.status = (
        _answer_text(request, findings),
        now,
        "answered",
    )
    _step(
        session,
        actor,
        request,
        after={"step": "answer", "disclosed": sum(f.decision == "disclose" for f in findings),
               "withheld": sum(f.decision == "withhold" for f in findings)},
    )  # fmt: skip
    session.flush()
    return request
