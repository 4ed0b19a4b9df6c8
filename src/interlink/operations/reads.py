"""Reading operations and incidents: who may see which (``visible``, the one rule every
list, detail and change goes through), loading one by id or reference, lists with
filters, and the views the API and the console show.

A target is shown to a reader only if the reader may see its notice or record through
the access policy: a participating bureau never learns of a target hidden from it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any, TypeVar

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, Role, check_permission, restrict
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.errors import NotFound
from interlink.notices.models import Notice
from interlink.operations.journal import member_country
from interlink.operations.models import (
    Incident,
    IncidentRequest,
    IncidentTeamMember,
    Operation,
    OperationResult,
    OperationTarget,
    OperationTask,
    TimelineEntry,
)
from interlink.operations.schemas import RESULT_KINDS
from interlink.operations.workflow import INCIDENT_STEPS, OPERATION_STEPS, steps_from
from interlink.records.models import Record

__all__ = [
    "incident_view",
    "list_incidents",
    "list_operations",
    "load_incident",
    "load_operation",
    "may_follow",
    "may_manage",
    "note_read",
    "operation_view",
    "summary_view",
    "visible",
]

S = TypeVar("S", bound=Any)
PARTICIPANT_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})


def may_manage(actor: Actor) -> bool:
    return actor.can(Permission.OPERATIONS_MANAGE)


def may_follow(actor: Actor) -> bool:
    """Whether ``actor`` may see any operation or incident at all (and so hear of their
    steps on the live stream): the command centre's operators, and a member bureau's
    officers and supervisors for those their country takes part in."""
    return may_manage(actor) or (
        actor.kind == "user" and actor.role in PARTICIPANT_ROLES and actor.country is not None
    )


def visible(query: Select[S], actor: Actor) -> Select[S]:
    """``query`` (over operations or incidents) narrowed to what ``actor`` may read: the
    command centre's operators everything; the officers and supervisors of a country
    taking part (through the access policy, on the countries the object lists) what it
    takes part in; nobody else anything."""
    if may_manage(actor):
        return query
    if actor.kind == "user" and actor.role in PARTICIPANT_ROLES:
        return restrict(query, actor, Action.READ)
    return query.where(false())


def _load(
    session: Session, model: type[Operation] | type[Incident], ident: str | uuid.UUID,
    actor: Actor, lock: bool,
) -> Any:  # fmt: skip
    query = select(model)
    try:
        query = query.where(
            model.id == (ident if isinstance(ident, uuid.UUID) else uuid.UUID(ident))
        )
    except ValueError:
        query = query.where(model.reference == str(ident).strip().upper())
    found = session.scalars(visible(query, actor)).first()
    if found is None:
        raise NotFound(f"no {model.__tablename__[:-1]} {ident}")
    if lock:  # changes to one object take turns (the second sees the first's)
        session.refresh(found, with_for_update=True)
    return found


def load_operation(
    session: Session, ident: str | uuid.UUID, actor: Actor, *, lock: bool = False
) -> Operation:
    """The operation by id or reference (``OP-2026-0001``) if ``actor`` may see it."""
    check_permission(actor, Permission.RECORDS_READ)
    operation: Operation = _load(session, Operation, ident, actor, lock)
    return operation


def load_incident(
    session: Session, ident: str | uuid.UUID, actor: Actor, *, lock: bool = False
) -> Incident:
    """The incident by id or reference (``IR-2026-0001``) if ``actor`` may see it."""
    check_permission(actor, Permission.RECORDS_READ)
    incident: Incident = _load(session, Incident, ident, actor, lock)
    return incident


def note_read(session: Session, subject: Operation | Incident, actor: Actor) -> None:
    """An audit entry for ``actor`` opening an operation or incident (its targets name
    people), written in the caller's transaction."""
    is_operation = isinstance(subject, Operation)
    audit(
        session,
        AuditAction.OPERATION_READ if is_operation else AuditAction.INCIDENT_READ,
        actor=actor,
        object_type="operation" if is_operation else "incident",
        object_id=subject.id,
    )


def _page(
    session: Session, query: Select[Any], order: Any, limit: int, offset: int
) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.order_by(*order).limit(limit).offset(offset))), total


def _words(text: str | None, *columns: Any) -> list[Any]:
    """Every word of ``text`` in one of ``columns``, ignoring case."""
    return [
        or_(*(func.lower(column).contains(word.lower(), autoescape=True) for column in columns))
        for word in (text or "").split()
    ]


def list_operations(
    session: Session, *, actor: Actor, status: str | None = None, country: str | None = None,
    q: str | None = None, limit: int = 50, offset: int = 0,
) -> tuple[list[Operation], int]:  # fmt: skip
    check_permission(actor, Permission.RECORDS_READ)
    query = visible(select(Operation), actor)
    if status:
        query = query.where(Operation.status == status)
    if country:
        code = member_country(session, country, "country")
        query = query.where(Operation.visibility_countries.like(f"%,{code},%"))
    query = query.where(*_words(q, Operation.name, Operation.reference))
    order = (Operation.updated_at.desc(), Operation.id)
    return _page(session, query, order, limit, offset)


def list_incidents(
    session: Session, *, actor: Actor, status: str | None = None, country: str | None = None,
    q: str | None = None, limit: int = 50, offset: int = 0,
) -> tuple[list[Incident], int]:  # fmt: skip
    """``country``: where it happened, or a country asked for help."""
    check_permission(actor, Permission.RECORDS_READ)
    query = visible(select(Incident), actor)
    if status:
        query = query.where(Incident.status == status)
    if country:
        code = member_country(session, country, "country")
        query = query.where(
            (Incident.country == code) | Incident.visibility_countries.like(f"%,{code},%")
        )
    query = query.where(*_words(q, Incident.title, Incident.reference, Incident.place))
    order = (Incident.updated_at.desc(), Incident.id)
    return _page(session, query, order, limit, offset)


def summary_view(subject: Operation | Incident) -> dict[str, Any]:
    """What a list shows of one operation or incident."""
    common = {
        "id": subject.id,
        "reference": subject.reference,
        "status": subject.status,
        "countries": subject.countries,
        "updated_at": subject.updated_at,
    }
    if isinstance(subject, Operation):
        return common | {
            "name": subject.name,
            "start_date": subject.start_date,
            "end_date": subject.end_date,
        }
    return common | {
        "title": subject.title,
        "country": subject.country,
        "place": subject.place,
        "occurred_at": subject.occurred_at,
    }


def _timeline(session: Session, column: Any, subject_id: uuid.UUID) -> list[dict[str, Any]]:
    entries = session.scalars(
        select(TimelineEntry)
        .where(column == subject_id)
        .order_by(TimelineEntry.at, TimelineEntry.id)
    )
    return [
        {"at": e.at, "kind": e.kind, "text": e.text, "author": e.author, "bureau": e.bureau}
        for e in entries
    ]


def _targets(session: Session, operation: Operation, actor: Actor) -> list[dict[str, Any]]:
    targets = session.scalars(
        select(OperationTarget)
        .where(OperationTarget.operation_id == operation.id)
        .order_by(OperationTarget.added_at, OperationTarget.id)
    ).all()
    notice_ids = [t.notice_id for t in targets if t.notice_id]
    record_ids = [t.record_id for t in targets if t.record_id]
    notices = {
        n.id: n
        for n in session.scalars(
            restrict(select(Notice).where(Notice.id.in_(notice_ids)), actor, Action.READ)
        )
    }
    records = {
        r.id: r
        for r in session.scalars(
            restrict(select(Record).where(Record.id.in_(record_ids)), actor, Action.READ)
        )
    }
    shown = []
    for target in targets:
        common = {"id": target.id, "note": target.note, "added_at": target.added_at}
        notice = notices.get(target.notice_id) if target.notice_id else None
        record = records.get(target.record_id) if target.record_id else None
        if notice is not None:
            shown.append(common | {
                "notice_id": notice.id, "record_id": None, "kind": f"{notice.type} notice",
                "label": f"{notice.reference} {notice.title}", "href": f"/notices/{notice.id}",
            })  # fmt: skip
        elif record is not None:
            deleted = " (deleted)" if record.deleted_at else ""
            shown.append(common | {
                "notice_id": None, "record_id": record.id, "kind": record.kind,
                "label": record.title + deleted, "href": f"/records/{record.kind}/{record.id}",
            })  # fmt: skip
    # Added together (as when planned), notices come first, then by name.
    return sorted(shown, key=lambda t: (t["added_at"], t["notice_id"] is None, t["label"]))


def operation_view(session: Session, operation: Operation, actor: Actor) -> dict[str, Any]:
    """The operation as ``actor`` may see it, with its targets, tasks, results and timeline."""
    targets = _targets(session, operation, actor)
    shown_targets = {t["id"] for t in targets}
    tasks = session.scalars(
        select(OperationTask)
        .where(OperationTask.operation_id == operation.id)
        .order_by(OperationTask.done, OperationTask.due.is_(None), OperationTask.due,
                  OperationTask.created_at)
    ).all()  # fmt: skip
    results = session.scalars(
        select(OperationResult)
        .where(OperationResult.operation_id == operation.id)
        .order_by(OperationResult.recorded_at, OperationResult.id)
    ).all()
    by_kind = dict.fromkeys(RESULT_KINDS, 0)
    by_country: Counter[str] = Counter()
    for result in results:
        by_kind[result.kind] += result.count
        by_country[result.country] += result.count
    manager = may_manage(actor)
    return summary_view(operation) | {
        "objective": operation.objective,
        "created_at": operation.created_at,
        "created_by": operation.created_by,
        "activated_at": operation.activated_at,
        "closed_at": operation.closed_at,
        "may_manage": manager,
        "steps": steps_from(OPERATION_STEPS, operation.status) if manager else [],
        "targets": targets,
        "tasks": [
            {
                "id": t.id,
                "title": t.title,
                "country": t.country,
                "due": t.due,
                "done": t.done,
                "done_at": t.done_at,
                "done_by": t.done_by,
            }
            for t in tasks
        ],
        "results": [
            {
                "id": r.id,
                "kind": r.kind,
                "country": r.country,
                "count": r.count,
                "description": r.description,
                "recorded_at": r.recorded_at,
                "recorded_by": r.recorded_by,
                "bureau": r.bureau,
                "target_id": r.target_id if r.target_id in shown_targets else None,
            }
            for r in results
        ],
        "results_summary": {"by_kind": by_kind, "by_country": dict(sorted(by_country.items()))},
        "timeline": _timeline(session, TimelineEntry.operation_id, operation.id),
    }


def incident_view(session: Session, incident: Incident, actor: Actor) -> dict[str, Any]:
    """The incident with its team, requests to members and timeline."""
    team = session.scalars(
        select(IncidentTeamMember)
        .where(IncidentTeamMember.incident_id == incident.id)
        .order_by(IncidentTeamMember.added_at, IncidentTeamMember.id)
    ).all()
    requests = session.scalars(
        select(IncidentRequest)
        .where(IncidentRequest.incident_id == incident.id)
        .order_by(IncidentRequest.requested_at, IncidentRequest.id)
    ).all()
    manager = may_manage(actor)
    return summary_view(incident) | {
        "description": incident.description,
        "created_at": incident.created_at,
        "created_by": incident.created_by,
        "deployed_at": incident.deployed_at,
        "closed_at": incident.closed_at,
        "may_manage": manager,
        "steps": steps_from(INCIDENT_STEPS, incident.status) if manager else [],
        "team": [{"id": m.id, "name": m.name, "role": m.role} for m in team],
        "requests": [
            {
                "id": r.id,
                "country": r.country,
                "text": r.text,
                "requested_at": r.requested_at,
                "requested_by": r.requested_by,
                "answered": r.answered,
                "answer": r.answer,
                "answered_at": r.answered_at,
                "answered_by": r.answered_by,
                "may_answer": r.country == actor.country
                and not r.answered
                and incident.status != "closed",
            }
            for r in requests
        ],
        "timeline": _timeline(session, TimelineEntry.incident_id, incident.id),
    }
