"""HTTP routes of notices (``/api/v1/notices``) and diffusions (``/api/v1/diffusions``).

A notice is addressed by its id or its reference (``2026/00123`` is written
``2026-00123`` in a URL). Transitions are ``POST .../{id}/{action}``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession
from interlink.core.limits import PAGE
from interlink.core.storedjson import readable
from interlink.members.deps import requires
from interlink.members.schemas import Page
from interlink.members.service import bureau_codes
from interlink.notices import reads, service
from interlink.notices.schemas import (
    DiffusionCreate,
    NoticeCreate,
    NoticeFilters,
    NoticeRead,
    NoticeUpdate,
    TransitionBody,
)
from interlink.notices.transitions import apply_transition
from interlink.notices.types import NoticeType
from interlink.notices.workflow import ACTIONS

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")

Reader = Annotated[Actor, Depends(requires(Permission.RECORDS_READ))]
Requester = Annotated[Actor, Depends(requires(Permission.NOTICES_REQUEST))]
Ident = Annotated[str, Path(description="id, or reference (2026-00123)", max_length=40)]


def _view(session: DbSession, notice: Any, actor: Actor) -> dict[str, Any]:
    return reads.notice_view(session, notice, bureau_codes(session), actor)


def _list(
    session: DbSession,
    actor: Actor,
    kind: str,
    type_: NoticeType | None,
    status_: str | None,
    country: str | None,
    since: date | None,
    until: date | None,
    q: str | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    filters = NoticeFilters(
        kind=kind, type=type_, status=status_, country=country, since=since, until=until, q=q
    )
    notices, total = reads.list_notices(session, filters, actor=actor, limit=limit, offset=offset)
    session.commit()
    # A notice whose stored JSON is damaged is left out (and logged), not the whole page.
    items = readable(
        notices, lambda notice: NoticeRead.model_validate(_view(session, notice, actor)), kind
    )
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _register(kind: str, plural: str) -> None:
    tags: list[str | Any] = [plural]

    @router.get(f"/{plural}", response_model=Page[NoticeRead], tags=tags, name=f"list_{plural}")
    def list_(
        session: DbSession,
        actor: Reader,
        type: Annotated[NoticeType | None, Query()] = None,
        status: Annotated[str | None, Query(max_length=20)] = None,
        country: Annotated[str | None, Query(description="requesting bureau")] = None,
        since: Annotated[date | None, Query(description="requested on or after")] = None,
        until: Annotated[date | None, Query(description="requested on or before")] = None,
        q: Annotated[str | None, Query(max_length=200, description="words or reference")] = None,
        limit: Annotated[int, Query(ge=1, le=PAGE)] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> dict[str, Any]:
        return _list(session, actor, kind, type, status, country, since, until, q, limit, offset)

    @router.get(f"/{plural}/{{ident}}", response_model=NoticeRead, tags=tags, name=f"get_{kind}")
    def get(session: DbSession, actor: Reader, ident: Ident) -> dict[str, Any]:
        notice = reads.get_notice(session, kind, ident, actor=actor)
        session.commit()
        return _view(session, notice, actor)

    @router.get(f"/{plural}/{{ident}}/history", tags=tags, name=f"history_{kind}")
    def history(session: DbSession, actor: Reader, ident: Ident) -> dict[str, Any]:
        result = reads.notice_history(session, kind, ident, actor=actor)
        session.commit()
        return result

    @router.post(
        f"/{plural}/{{ident}}/{{action}}",
        response_model=NoticeRead,
        tags=tags,
        name=f"transition_{kind}",
        summary=f"Move a {kind} on: " + ", ".join(ACTIONS[kind]),
    )
    def transition(
        session: DbSession,
        actor: Reader,
        ident: Ident,
        action: Annotated[str, Path(max_length=24)],
        body: TransitionBody | None = None,
    ) -> dict[str, Any]:
        notice = apply_transition(
            session, kind, ident, action, body or TransitionBody(), actor=actor
        )
        session.commit()
        return _view(session, notice, actor)


@router.post(
    "/notices",
    response_model=NoticeRead,
    status_code=status.HTTP_201_CREATED,
    tags=["notices"],
    summary="Draft a notice request",
)
def create_notice(session: DbSession, actor: Requester, body: NoticeCreate) -> dict[str, Any]:
    notice = service.create_notice(session, body, actor=actor)
    session.commit()
    return _view(session, notice, actor)


@router.patch("/notices/{ident}", response_model=NoticeRead, tags=["notices"])
def update_notice(
    session: DbSession, actor: Requester, ident: Ident, body: NoticeUpdate
) -> dict[str, Any]:
    notice = service.update_notice(session, ident, body, actor=actor)
    session.commit()
    return _view(session, notice, actor)


@router.post(
    "/diffusions",
    response_model=NoticeRead,
    status_code=status.HTTP_201_CREATED,
    tags=["diffusions"],
    summary="Send a diffusion to chosen countries (or all)",
)
def send_diffusion(session: DbSession, actor: Requester, body: DiffusionCreate) -> dict[str, Any]:
    notice = service.send_diffusion(session, body, actor=actor)
    session.commit()
    return _view(session, notice, actor)


_register("notice", "notices")
_register("diffusion", "diffusions")
