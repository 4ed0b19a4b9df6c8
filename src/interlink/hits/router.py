"""HTTP routes of hits: ``/api/v1/hits`` (lists, statistics, one hit), its confirmation
(asked by the screening bureau, answered by the owner) and its outcome."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AwareDatetime

from interlink.access import Actor, ClientScope, Permission
from interlink.core.deps import DbSession, Now
from interlink.core.limits import PAGE
from interlink.hits import reads, service
from interlink.hits.schemas import AnswerBody, ConfirmationRequest, HitReport, OutcomeBody
from interlink.members.deps import requires
from interlink.members.service import bureau_codes

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/hits", tags=["hits"])

Reader = Annotated[Actor, Depends(requires(Permission.RECORDS_READ))]
Answerer = Annotated[Actor, Depends(requires(Permission.HITS_ANSWER))]
# Hits found by other means: a national node's, reported with its key (scope ``node``).
Reporter = Annotated[Actor, Depends(requires(Permission.SCREENING_RUN, clients=[ClientScope.NODE]))]


@router.get("")
def list_hits(
    session: DbSession,
    actor: Reader,
    now: Now,
    status: Annotated[
        Literal[
            "open",
            "confirmation_requested",
            "confirmed",
            "not_same",
            "more_information",
            "closed",
        ]
        | None,
        Query(),
    ] = None,
    owner: Annotated[str | None, Query(description="owner bureau (country code)")] = None,
    screened_by: Annotated[str | None, Query(description="screening bureau")] = None,
    overdue: bool | None = None,
    due_before: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    hits, total = reads.list_hits(
        session,
        actor=actor,
        now=now,
        status=status,
        owner=owner,
        screened_by=screened_by,
        overdue=overdue,
        due_before=due_before,
        limit=limit,
        offset=offset,
    )
    codes = bureau_codes(session)
    items = [reads.hit_view(session, hit, codes, now) for hit in hits]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.post("", status_code=201, responses={200: {"description": "Reported before"}})
def report_hit(
    session: DbSession, actor: Reporter, now: Now, body: HitReport, response: Response
) -> dict[str, Any]:
    """Report a hit found by other means (a national copy of the data, say). With a
    ``reference``, reporting it again answers the first report's hit (200)."""
    query = body.query.model_dump(mode="json", exclude_none=True)  # as screening stores it
    hit, new = service.report_hit(
        session, body.record_id, query, body.note, actor=actor, now=now,
        reference=body.reference,
    )  # fmt: skip
    session.commit()
    if not new:
        response.status_code = 200
    return reads.hit_view(session, hit, bureau_codes(session), now)


@router.get("/stats")
def stats(session: DbSession, actor: Reader, now: Now) -> dict[str, Any]:
    return reads.hit_stats(session, actor=actor, now=now, codes=bureau_codes(session))


@router.get("/{hit_id}")
def get_hit(session: DbSession, actor: Reader, now: Now, hit_id: uuid.UUID) -> dict[str, Any]:
    hit = reads.get_hit(session, hit_id, actor=actor)
    return reads.hit_view(session, hit, bureau_codes(session), now)


@router.post("/{hit_id}/confirmation")
def request_confirmation(
    session: DbSession, actor: Answerer, now: Now, hit_id: uuid.UUID, body: ConfirmationRequest
) -> dict[str, Any]:
    hit = service.request_confirmation(
        session, hit_id, body.priority, body.note, actor=actor, now=now
    )
    session.commit()
    return reads.hit_view(session, hit, bureau_codes(session), now)


@router.put("/{hit_id}/confirmation")
def answer_confirmation(
    session: DbSession, actor: Answerer, now: Now, hit_id: uuid.UUID, body: AnswerBody
) -> dict[str, Any]:
    hit = service.answer_confirmation(
        session, hit_id, body.answer, body.details, actor=actor, now=now
    )
    session.commit()
    return reads.hit_view(session, hit, bureau_codes(session), now)


@router.post("/{hit_id}/outcome")
def record_outcome(
    session: DbSession, actor: Answerer, now: Now, hit_id: uuid.UUID, body: OutcomeBody
) -> dict[str, Any]:
    hit, offered = service.record_outcome(
        session, hit_id, body.outcome, body.details, actor=actor, now=now
    )
    session.commit()
    return {**reads.hit_view(session, hit, bureau_codes(session), now), "follow_ups": offered}
