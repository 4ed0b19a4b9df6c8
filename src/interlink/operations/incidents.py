"""Responding to an incident: the command centre records what happened and where,
deploys a team, asks member countries for help; each country asked reads the incident
and answers its own request.

Asking a country for help is what lets its bureau read the incident (its visibility
lists the countries asked). Every change leaves its timeline line, audit entry and
event in the caller's transaction (``journal.trace``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission, check_permission
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.operations.journal import member_country, next_reference, set_countries, trace
from interlink.operations.models import Incident, IncidentRequest, IncidentTeamMember
from interlink.operations.reads import load_incident, note_read
from interlink.operations.schemas import (
    AnswerBody,
    IncidentCreate,
    IncidentUpdate,
    NoteCreate,
    RequestCreate,
    TeamMemberCreate,
)
from interlink.operations.workflow import INCIDENT_STEPS, ensure_open, next_status

__all__ = [
    "add_incident_note",
    "add_request",
    "add_team_member",
    "answer_request",
    "create_incident",
    "transition_incident",
    "update_incident",
]

PAST = {"deploy": "deployed", "close": "closed"}


def _team_member(incident: Incident, body: TeamMemberCreate, actor: Actor, now: datetime) -> Any:
    return IncidentTeamMember(
        incident_id=incident.id, name=body.name, role=body.role, added_at=now, added_by=actor.name
    )


def _request(
    session: Session, incident: Incident, body: RequestCreate, field: str, actor: Actor,
    now: datetime,
) -> IncidentRequest:  # fmt: skip
    country = member_country(session, body.country, field)
    return IncidentRequest(
        incident_id=incident.id, country=country, text=body.text, requested_at=now,
        requested_by=actor.name,
    )  # fmt: skip


def create_incident(
    session: Session, body: IncidentCreate, *, actor: Actor, now: datetime
) -> Incident:
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    country = member_country(session, body.country, "body.country")
    incident = Incident(
        id=uuid.uuid4(),  # its requests are made (and checked) before it is written
        reference=next_reference(session, "IR", now.year), title=body.title,
        description=body.description, country=country, place=body.place,
        occurred_at=body.occurred_at, status="open", created_at=now, created_by=actor.name,
        updated_at=now, owner_bureau_id=actor.bureau_id,
    )  # fmt: skip
    requests = [
        _request(session, incident, item, f"body.requests.{index}.country", actor, now)
        for index, item in enumerate(body.requests)
    ]
    set_countries(incident, sorted({r.country for r in requests}))
    session.add(incident)
    session.flush()
    session.add_all([_team_member(incident, member, actor, now) for member in body.team])
    session.add_all(requests)
    session.flush()
    trace(
        session, incident, "created", f"incident opened: {incident.title}, {incident.place}",
        actor=actor, now=now, country=country, requests=incident.countries, team=len(body.team),
    )  # fmt: skip
    return incident


def update_incident(
    session: Session, ident: str, body: IncidentUpdate, *, actor: Actor, now: datetime
) -> Incident:
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    incident = load_incident(session, ident, actor, lock=True)
    ensure_open(incident.status, incident.reference)
    sent = body.model_dump(exclude_unset=True)
    for name, value in sent.items():
        if value is None:
            raise InvalidInput(f"body.{name}", "may not be empty (leave it out to keep it)")
    if "country" in sent:
        sent["country"] = member_country(session, sent["country"], "body.country")
    before = {n: getattr(incident, n) for n, v in sent.items() if getattr(incident, n) != v}
    if not before:  # nothing changed: the answer shows it as it is, a read
        note_read(session, incident, actor)
        return incident
    for name in before:
        setattr(incident, name, sent[name])
    incident.updated_at = now
    trace(
        session, incident, "updated", f"changed {', '.join(before)}", actor=actor, now=now,
        before=before, changes={name: sent[name] for name in before},
    )  # fmt: skip
    return incident


def transition_incident(
    session: Session, ident: str, step: str, *, actor: Actor, now: datetime
) -> Incident:
    """``deploy`` (open -> deployed, once a team is named) or ``close``."""
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    if step not in INCIDENT_STEPS:
        raise InvalidInput("step", f"one of {', '.join(INCIDENT_STEPS)}")
    incident = load_incident(session, ident, actor, lock=True)
    before = incident.status
    target = next_status(INCIDENT_STEPS, before, step, incident.reference)
    if step == "deploy":
        team = session.scalar(
            select(func.count()).where(IncidentTeamMember.incident_id == incident.id)
        )
        if not team:
            raise Conflict(f"{incident.reference} has no team yet: name who is deployed first")
        incident.deployed_at = now
    else:
        incident.closed_at = now
    incident.status, incident.updated_at = target, now
    trace(
        session, incident, PAST[step], f"incident {PAST[step]}", actor=actor, now=now,
        before={"status": before},
    )  # fmt: skip
    return incident


def add_team_member(
    session: Session, ident: str, body: TeamMemberCreate, *, actor: Actor, now: datetime
) -> Incident:
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    incident = load_incident(session, ident, actor, lock=True)
    ensure_open(incident.status, incident.reference)
    member = _team_member(incident, body, actor, now)
    session.add(member)
    session.flush()
    incident.updated_at = now
    trace(
        session, incident, "team_added", f"{body.name} ({body.role}) joins the team",
        actor=actor, now=now, member=member.id,
    )  # fmt: skip
    return incident


def add_request(
    session: Session, ident: str, body: RequestCreate, *, actor: Actor, now: datetime
) -> IncidentRequest:
    """Ask a member country for help: its bureau may read the incident from now on."""
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    incident = load_incident(session, ident, actor, lock=True)
    ensure_open(incident.status, incident.reference)
    request = _request(session, incident, body, "body.country", actor, now)
    session.add(request)
    session.flush()
    set_countries(incident, sorted({*incident.countries, request.country}))
    incident.updated_at = now
    trace(
        session, incident, "request_sent", f"request to {request.country}: {request.text}",
        actor=actor, now=now, request=request.id, country=request.country,
    )  # fmt: skip
    return request


def answer_request(
    session: Session, ident: str, request_id: uuid.UUID, body: AnswerBody, *,
    actor: Actor, now: datetime,
) -> IncidentRequest:  # fmt: skip
    """The bureau asked answers its own request, once."""
    incident = load_incident(session, ident, actor, lock=True)
    ensure_open(incident.status, incident.reference)
    request = session.get(IncidentRequest, request_id)
    if request is None or request.incident_id != incident.id:
        raise NotFound(f"no request {request_id} in {incident.reference}")
    if request.country != actor.country:
        raise Forbidden(f"the request is to {request.country}: its bureau answers it")
    if request.answered:
        raise Conflict(f"{request.country} already answered this request")
    request.answered, request.answer = True, body.answer
    request.answered_at, request.answered_by = now, actor.name
    incident.updated_at = now
    trace(
        session, incident, "request_answered", f"{request.country} answered: {body.answer}",
        actor=actor, now=now, request=request.id, country=request.country,
    )  # fmt: skip
    return request


def add_incident_note(
    session: Session, ident: str, body: NoteCreate, *, actor: Actor, now: datetime
) -> Incident:
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    incident = load_incident(session, ident, actor, lock=True)
    ensure_open(incident.status, incident.reference)
    incident.updated_at = now
    trace(session, incident, "note_added", body.text, actor=actor, now=now, kind="note", at=body.at)
    return incident
