"""Firearm tracing: a bureau asks the country of manufacture about a firearm's history.

The request discloses the firearm's identifying data to the country asked (which may not
see the record itself); only that country's bureau answers; the secretariat sees all.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.types import utcnow
from interlink.members.models import Country
from interlink.records.models import FirearmTrace
from interlink.records.service import load_record

__all__ = ["answer_trace", "get_trace", "list_traces", "request_trace", "trace_view"]

_DISCLOSED = ("make", "model", "firearm_type", "calibre", "serial_number", "country_of_manufacture")


def trace_view(trace: FirearmTrace, codes: dict[uuid.UUID, str]) -> dict[str, Any]:
    return {
        "id": trace.id,
        "firearm_id": trace.firearm_id,
        "firearm": trace.firearm,
        "requesting_bureau": codes.get(trace.requesting_bureau_id, "?"),
        "addressed_country": trace.addressed_country,
        "question": trace.question,
        "status": trace.status,
        "answer": trace.answer,
        "requested_at": trace.requested_at,
        "requested_by": trace.requested_by,
        "answered_at": trace.answered_at,
        "answered_by": trace.answered_by,
    }


def request_trace(
    session: Session, firearm_id: uuid.UUID, question: str, *, actor: Actor
) -> FirearmTrace:
    check_permission(actor, Permission.RECORDS_WRITE)
    if actor.is_secretariat:
        raise Forbidden("tracing requests are sent by national bureaus")
    firearm = load_record(session, "firearms", firearm_id, actor, Action.READ)
    country = firearm.data.get("country_of_manufacture")
    if not country:
        raise InvalidInput(
            "country_of_manufacture", "the firearm record does not say where it was made"
        )
    addressed = session.get(Country, country)
    if addressed is None or not addressed.member:
        raise InvalidInput("country_of_manufacture", f"{country} is not a member country to ask")
    trace = FirearmTrace(
        firearm_id=firearm.id,
        firearm={key: firearm.data[key] for key in _DISCLOSED if key in firearm.data},
        requesting_bureau_id=actor.bureau_id,
        addressed_country=country,
        question=question,
        requested_by=actor.name,
    )
    session.add(trace)
    session.flush()
    audit(
        session,
        AuditAction.TRACE_REQUEST,
        actor=actor,
        object_type="firearm_trace",
        object_id=trace.id,
        after={"firearm_id": str(firearm.id), "addressed_country": country},
    )
    return trace


def _visible(actor: Actor) -> Select[FirearmTrace]:
    check_permission(actor, Permission.RECORDS_READ)
    query = select(FirearmTrace).order_by(FirearmTrace.requested_at.desc())
    if actor.is_secretariat:
        return query
    return query.where(
        or_(
            FirearmTrace.requesting_bureau_id == actor.bureau_id,
            FirearmTrace.addressed_country == actor.country,
        )
    )


def list_traces(
    session: Session, *, actor: Actor, direction: str | None = None
) -> list[FirearmTrace]:
    query = _visible(actor)
    if direction == "sent":
        query = query.where(FirearmTrace.requesting_bureau_id == actor.bureau_id)
    elif direction == "received":
        query = query.where(FirearmTrace.addressed_country == actor.country)
    return list(session.scalars(query))


def get_trace(session: Session, trace_id: uuid.UUID, *, actor: Actor) -> FirearmTrace:
    trace = session.scalars(_visible(actor).where(FirearmTrace.id == trace_id)).first()
    if trace is None:
        raise NotFound(f"no tracing request with id {trace_id}")
    return trace


def answer_trace(
    session: Session, trace_id: uuid.UUID, answer: str, *, actor: Actor
) -> FirearmTrace:
    check_permission(actor, Permission.RECORDS_WRITE)
    trace = get_trace(session, trace_id, actor=actor)
    if trace.addressed_country != actor.country:
        raise Forbidden("only the bureau of the country asked answers a tracing request")
    if trace.status != "open":
        raise Conflict("this tracing request has already been answered")
    trace.status, trace.answer = "answered", answer
    trace.answered_at, trace.answered_by = utcnow(), actor.name
    audit(
        session,
        AuditAction.TRACE_ANSWER,
        actor=actor,
        object_type="firearm_trace",
        object_id=trace.id,
        after={"answer": answer},
    )
    return trace
