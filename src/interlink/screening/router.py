"""``POST /api/v1/screen``: one query against every database the caller may screen."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession
from interlink.members.deps import requires
from interlink.screening import service
from interlink.screening.index import ScreeningIndex
from interlink.screening.schemas import ScreenRequest, ScreenResult

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["screening"])
Screener = Annotated[Actor, Depends(requires(Permission.SCREENING_RUN))]


def screening_index(request: Request) -> ScreeningIndex:
    index: ScreeningIndex = request.app.state.screening_index
    return index


@router.post("/screen", response_model=ScreenResult)
def screen(
    session: DbSession,
    actor: Screener,
    body: ScreenRequest,
    index: Annotated[ScreeningIndex, Depends(screening_index)],
) -> dict[str, Any]:
    result = service.screen(session, body, actor=actor, index=index)
    session.commit()
    return result
