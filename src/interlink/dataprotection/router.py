"""``/api/v1/data-requests`` (a person's requests about their data) and
``/api/v1/retention`` (records due for their owners' review). Thin routes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession, Now
from interlink.core.limits import FEED_PAGE, PAGE
from interlink.dataprotection import retention, service
from interlink.dataprotection.schemas import (
    DataRequestCreate,
    DataRequestRead,
    FindingAction,
    FindingDecision,
    RetentionDecision,
    RetentionDue,
)
from interlink.members.deps import requires

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["data protection"])
Officer = Annotated[Actor, Depends(requires(Permission.DATA_PROTECTION))]
Owner = Annotated[Actor, Depends(requires(Permission.RECORDS_WRITE))]


def _view(session: DbSession, request: Any, now: Any) -> dict[str, Any]:
    return service.request_view(session, request, now.date())


@router.post("/data-requests", response_model=DataRequestRead, status_code=status.HTTP_201_CREATED)
def receive(
    request: Request, session: DbSession, actor: Officer, now: Now, body: DataRequestCreate
) -> dict[str, Any]:
    """Record a request; the owners of every record found about its subject are asked."""
    index = request.app.state.screening_index
    found = service.receive(session, body, actor=actor, index=index, today=now.date())
    session.commit()
    return _view(session, found, now)


@router.get("/data-requests", response_model=list[DataRequestRead])
def list_requests(
    session: DbSession,
    actor: Officer,
    now: Now,
    status: Literal["consulting", "ready", "answered"] | None = None,
    limit: Annotated[int, Query(ge=1, le=PAGE)] = 100,
) -> list[dict[str, Any]]:
    found = service.list_requests(session, actor=actor, status=status, limit=limit)
    return [_view(session, r, now) for r in found]


@router.get("/data-requests/consultations", summary="What my bureau is asked to decide")
def consultations(session: DbSession, actor: Owner) -> list[dict[str, Any]]:
    return service.consultations(session, actor=actor)


@router.get("/data-requests/{request_id}", response_model=DataRequestRead)
def get_request(
    session: DbSession, actor: Officer, now: Now, request_id: uuid.UUID
) -> dict[str, Any]:
    return _view(session, service.get_request(session, request_id, actor=actor), now)


@router.put(
    "/data-requests/{request_id}/findings/{finding_id}/decision",
    summary="The owner decides whether the applicant may be told of its record",
)
def decide(
    session: DbSession,
    actor: Owner,
    now: Now,
    request_id: uuid.UUID,
    finding_id: uuid.UUID,
    body: FindingDecision,
) -> dict[str, str]:
    found = service.decide(session, request_id, finding_id, body, actor=actor, now=now)
    session.commit()
    return {"reference": found.reference, "status": found.status}


@router.post(
    "/data-requests/{request_id}/findings/{finding_id}/action",
    response_model=DataRequestRead,
    summary="Correct, erase or keep the record",
)
def act(
    session: DbSession,
    actor: Officer,
    now: Now,
    request_id: uuid.UUID,
    finding_id: uuid.UUID,
    body: FindingAction,
) -> dict[str, Any]:
    found = service.act(session, request_id, finding_id, body, actor=actor, now=now)
    session.commit()
    return _view(session, found, now)


@router.post("/data-requests/{request_id}/answer", response_model=DataRequestRead)
def answer(session: DbSession, actor: Officer, now: Now, request_id: uuid.UUID) -> dict[str, Any]:
    found = service.answer(session, request_id, actor=actor, now=now)
    session.commit()
    return _view(session, found, now)


@router.get("/retention", response_model=list[RetentionDue], summary="Records due for review")
def retention_due(
    session: DbSession,
    actor: Owner,
    now: Now,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=FEED_PAGE)] = 100,
) -> list[dict[str, Any]]:
    return retention.due_for_review(session, actor=actor, now=now, kind=kind, limit=limit)


@router.post("/retention/{record_id}", summary="Keep a record another period, or delete it")
def retention_review(
    session: DbSession, actor: Owner, now: Now, record_id: uuid.UUID, body: RetentionDecision
) -> dict[str, Any]:
    record = retention.review(session, record_id, body, actor=actor, now=now)
    session.commit()
    return {
        "record_id": record.id,
        "kind": record.kind,
        "deleted": record.deleted_at is not None,
        "kept_since": record.retention_reviewed_at,
    }
