"""HTTP routes of ``/api/v1/operations`` and ``/api/v1/incidents``.

An operation or incident is addressed by its id or its reference (``OP-2026-0001``);
steps of its lifecycle are ``POST .../{ident}/{step}``. Every change answers with the
whole object as the caller may see it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, status

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession, Now
from interlink.core.limits import PAGE
from interlink.members.deps import requires
from interlink.operations import incidents, reads, service
from interlink.operations.schemas import (
    AnswerBody,
    IncidentCreate,
    IncidentUpdate,
    NoteCreate,
    OperationCreate,
    OperationUpdate,
    RequestCreate,
    ResultCreate,
    TargetRef,
    TaskCreate,
    TaskUpdate,
    TeamMemberCreate,
)

__all__ = ["router"]

operations = APIRouter(prefix="/api/v1/operations", tags=["operations"])
incident_routes = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])

Reader = Annotated[Actor, Depends(requires(Permission.RECORDS_READ))]
Manager = Annotated[Actor, Depends(requires(Permission.OPERATIONS_MANAGE))]
Ident = Annotated[str, Path(description="id, or reference (OP-2026-0001)", max_length=40)]
Country = Annotated[str | None, Query(description="a country taking part", max_length=3)]
Text = Annotated[str | None, Query(description="words of the name or reference", max_length=200)]
Limit = Annotated[int, Query(ge=1, le=PAGE)]
Offset = Annotated[int, Query(ge=0, le=10**9)]


def _operation(session: DbSession, actor: Actor, ident: str | uuid.UUID) -> dict[str, Any]:
    return reads.operation_view(session, reads.load_operation(session, ident, actor), actor)


def _incident(session: DbSession, actor: Actor, ident: str | uuid.UUID) -> dict[str, Any]:
    return reads.incident_view(session, reads.load_incident(session, ident, actor), actor)


@operations.get("")
def list_operations(
    session: DbSession, actor: Reader,
    status_: Annotated[Literal["planned", "active", "closed"] | None, Query(alias="status")] = None,
    country: Country = None, q: Text = None, limit: Limit = 50, offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    found, total = reads.list_operations(
        session, actor=actor, status=status_, country=country, q=q, limit=limit, offset=offset
    )
    items = [reads.summary_view(operation) for operation in found]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@operations.post("", status_code=status.HTTP_201_CREATED)
def create_operation(
    session: DbSession, actor: Manager, now: Now, body: OperationCreate
) -> dict[str, Any]:
    operation = service.create_operation(session, body, actor=actor, now=now)
    session.commit()
    return _operation(session, actor, operation.id)


@operations.get("/{ident}")
def get_operation(session: DbSession, actor: Reader, ident: Ident) -> dict[str, Any]:
    reads.note_read(session, reads.load_operation(session, ident, actor), actor)
    view = _operation(session, actor, ident)
    session.commit()
    return view


@operations.patch("/{ident}")
def update_operation(
    session: DbSession, actor: Manager, now: Now, ident: Ident, body: OperationUpdate
) -> dict[str, Any]:
    operation = service.update_operation(session, ident, body, actor=actor, now=now)
    session.commit()
    return _operation(session, actor, operation.id)


@operations.post("/{ident}/targets", status_code=status.HTTP_201_CREATED)
def add_target(
    session: DbSession, actor: Manager, now: Now, ident: Ident, body: TargetRef
) -> dict[str, Any]:
    target = service.add_target(session, ident, body, actor=actor, now=now)
    session.commit()
    return _operation(session, actor, target.operation_id)


@operations.delete("/{ident}/targets/{target_id}")
def remove_target(
    session: DbSession, actor: Manager, now: Now, ident: Ident, target_id: uuid.UUID
) -> dict[str, Any]:
    operation = service.remove_target(session, ident, target_id, actor=actor, now=now)
    session.commit()
    return _operation(session, actor, operation.id)


@operations.post("/{ident}/tasks", status_code=status.HTTP_201_CREATED)
def add_task(
    session: DbSession, actor: Manager, now: Now, ident: Ident, body: TaskCreate
) -> dict[str, Any]:
    task = service.add_task(session, ident, body, actor=actor, now=now)
    session.commit()
    return _operation(session, actor, task.operation_id)


@operations.patch("/{ident}/tasks/{task_id}")
def update_task(
    session: DbSession, actor: Reader, now: Now, ident: Ident, task_id: uuid.UUID,
    body: TaskUpdate,
) -> dict[str, Any]:  # fmt: skip
    """The command centre edits a task; a participating bureau marks its own done."""
    task = service.update_task(session, ident, task_id, body, actor=actor, now=now)
    session.commit()
    return _operation(session, actor, task.operation_id)


@operations.post("/{ident}/results", status_code=status.HTTP_201_CREATED)
def add_result(
    session: DbSession, actor: Reader, now: Now, ident: Ident, body: ResultCreate
) -> dict[str, Any]:
    """The command centre, or a participating bureau for its own country."""
    result = service.add_result(session, ident, body, actor=actor, now=now)
    session.commit()
    return _operation(session, actor, result.operation_id)


@operations.post("/{ident}/notes", status_code=status.HTTP_201_CREATED)
def add_note(
    session: DbSession, actor: Manager, now: Now, ident: Ident, body: NoteCreate
) -> dict[str, Any]:
    operation = service.add_note(session, ident, body, actor=actor, now=now)
    session.commit()
    return _operation(session, actor, operation.id)


@operations.post("/{ident}/{step}")
def operation_step(
    session: DbSession, actor: Manager, now: Now, ident: Ident,
    step: Literal["activate", "close"],
) -> dict[str, Any]:  # fmt: skip
    operation = service.transition_operation(session, ident, step, actor=actor, now=now)
    session.commit()
    return _operation(session, actor, operation.id)


@incident_routes.get("")
def list_incidents(
    session: DbSession, actor: Reader,
    status_: Annotated[Literal["open", "deployed", "closed"] | None, Query(alias="status")] = None,
    country: Annotated[str | None, Query(description="where, or a country asked", max_length=3)]
    = None,
    q: Text = None, limit: Limit = 50, offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    found, total = reads.list_incidents(
        session, actor=actor, status=status_, country=country, q=q, limit=limit, offset=offset
    )
    items = [reads.summary_view(incident) for incident in found]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@incident_routes.post("", status_code=status.HTTP_201_CREATED)
def create_incident(
    session: DbSession, actor: Manager, now: Now, body: IncidentCreate
) -> dict[str, Any]:
    incident = incidents.create_incident(session, body, actor=actor, now=now)
    session.commit()
    return _incident(session, actor, incident.id)


@incident_routes.get("/{ident}")
def get_incident(session: DbSession, actor: Reader, ident: Ident) -> dict[str, Any]:
    reads.note_read(session, reads.load_incident(session, ident, actor), actor)
    view = _incident(session, actor, ident)
    session.commit()
    return view


@incident_routes.patch("/{ident}")
def update_incident(
    session: DbSession, actor: Manager, now: Now, ident: Ident, body: IncidentUpdate
) -> dict[str, Any]:
    incident = incidents.update_incident(session, ident, body, actor=actor, now=now)
    session.commit()
    return _incident(session, actor, incident.id)


@incident_routes.post("/{ident}/team", status_code=status.HTTP_201_CREATED)
def add_team_member(
    session: DbSession, actor: Manager, now: Now, ident: Ident, body: TeamMemberCreate
) -> dict[str, Any]:
    incident = incidents.add_team_member(session, ident, body, actor=actor, now=now)
    session.commit()
    return _incident(session, actor, incident.id)


@incident_routes.post("/{ident}/requests", status_code=status.HTTP_201_CREATED)
def add_request(
    session: DbSession, actor: Manager, now: Now, ident: Ident, body: RequestCreate
) -> dict[str, Any]:
    request = incidents.add_request(session, ident, body, actor=actor, now=now)
    session.commit()
    return _incident(session, actor, request.incident_id)


@incident_routes.put("/{ident}/requests/{request_id}/answer")
def answer_request(
    session: DbSession, actor: Reader, now: Now, ident: Ident, request_id: uuid.UUID,
    body: AnswerBody,
) -> dict[str, Any]:  # fmt: skip
    """The bureau of the country asked answers its request."""
    request = incidents.answer_request(session, ident, request_id, body, actor=actor, now=now)
    session.commit()
    return _incident(session, actor, request.incident_id)


@incident_routes.post("/{ident}/notes", status_code=status.HTTP_201_CREATED)
def add_incident_note(
    session: DbSession, actor: Manager, now: Now, ident: Ident, body: NoteCreate
) -> dict[str, Any]:
    incident = incidents.add_incident_note(session, ident, body, actor=actor, now=now)
    session.commit()
    return _incident(session, actor, incident.id)


@incident_routes.post("/{ident}/{step}")
def incident_step(
    session: DbSession, actor: Manager, now: Now, ident: Ident, step: Literal["deploy", "close"]
) -> dict[str, Any]:
    incident = incidents.transition_incident(session, ident, step, actor=actor, now=now)
    session.commit()
    return _incident(session, actor, incident.id)


router = APIRouter()
router.include_router(operations)
router.include_router(incident_routes)
