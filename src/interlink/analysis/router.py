"""``/api/v1/analysis/graph``: the link graph as the analyst may see it. Thin routes: the
graph catches up with record changes first (``derive.catch_up``), then reads."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission
from interlink.analysis import derive, graph
from interlink.core.db import reading
from interlink.core.deps import DbSession
from interlink.core.files import download_headers
from interlink.members.deps import reading_requires

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/analysis/graph", tags=["analysis"])


# Read-only routes: the console's graph page fetches them with its session cookie.
Analyst = Annotated[Actor, Depends(reading_requires(Permission.ANALYSIS_RUN))]
Depth = Annotated[int, Query(ge=1, le=4, description="links away from the record")]
Kinds = Annotated[list[str] | None, Query(description="only records of these kinds")]
Countries = Annotated[list[str] | None, Query(description="only records of these owners")]


def _current(session: Session) -> None:
    derive.catch_up(session)
    session.commit()


def _graph(
    session: Session, actor: Actor, record_id: uuid.UUID, depth: int,
    kind: list[str] | None, country: list[str] | None,
) -> graph.Graph:  # fmt: skip
    _current(session)
    with reading(session):  # the walk only reads: no write lock held meanwhile
        return graph.neighbourhood(
            session, actor, record_id, depth=depth, kinds=set(kind or ()),
            countries={c.upper() for c in country or ()},
        )  # fmt: skip


@router.get("/records/{record_id}", summary="A record's neighbourhood")
def record_graph(
    session: DbSession, actor: Analyst, record_id: uuid.UUID, depth: Depth = 1,
    kind: Kinds = None, country: Countries = None,
) -> dict[str, Any]:  # fmt: skip
    return _graph(session, actor, record_id, depth, kind, country)


@router.get("/records/{record_id}/measures", summary="Communities and key players")
def record_measures(
    session: DbSession, actor: Analyst, record_id: uuid.UUID, depth: Depth = 2,
    kind: Kinds = None, country: Countries = None,
) -> dict[str, Any]:  # fmt: skip
    return graph.key_players(_graph(session, actor, record_id, depth, kind, country))


@router.get(
    "/records/{record_id}/export",
    summary="The neighbourhood as GraphML or JSON",
    response_class=Response,
    responses={
        200: {
            "description": "The neighbourhood as GraphML or JSON",
            "content": {
                "application/graphml+xml": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
def record_export(
    session: DbSession, actor: Analyst, record_id: uuid.UUID, depth: Depth = 2,
    format: Literal["graphml", "json"] = "graphml",
) -> Response:  # fmt: skip
    found = _graph(session, actor, record_id, depth, None, None)
    if format == "json":
        body, media = json.dumps(found, ensure_ascii=False), "application/json"
    else:
        body, media = graph.to_graphml(found), "application/graphml+xml"
    headers = download_headers(f"graph-{record_id}.{format}")
    return Response(body, media_type=media, headers=headers)


@router.get("/paths", summary="The shortest path between two records")
def path(
    session: DbSession, actor: Analyst,
    source: Annotated[uuid.UUID, Query(description="the record to start from")],
    target: Annotated[uuid.UUID, Query(description="the record to reach")],
    max_depth: Annotated[int, Query(ge=1, le=8)] = 6,
) -> dict[str, Any]:  # fmt: skip
    _current(session)
    with reading(session):
        return graph.shortest_path(session, actor, source, target, max_depth=max_depth)
