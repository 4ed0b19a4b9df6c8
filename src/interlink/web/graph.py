"""The analyst's link graph page: find a record, see its neighbourhood drawn (Cytoscape.js,
vendored), expand a node's neighbours, filter by kind and owner country, open the record
behind a node or read why two records are linked. The same neighbourhood is listed as
tables under the drawing, for keyboards, screen readers and pages without script.

Data comes from ``/api/v1/analysis/graph`` (the page's session cookie signs those GET
requests), so the page shows exactly what the API shows the analyst.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from interlink.access import Actor, Permission
from interlink.analysis import derive, graph
from interlink.core.db import reading
from interlink.core.deps import DbSession
from interlink.core.errors import AppError
from interlink.records.kinds import KINDS
from interlink.records.service import ListFilters, list_records
from interlink.web.pages import render
from interlink.web.session import page_requires

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
NOT_YOURS = "The link graph is for analysts."
Analyst = Annotated[Actor, Depends(page_requires(Permission.ANALYSIS_RUN, NOT_YOURS))]


@router.get("/analysis/graph", response_class=HTMLResponse)
def graph_page(
    request: Request, session: DbSession, actor: Analyst,
    record: str = "", q: str = "", depth: int = 1,
) -> Response:  # fmt: skip
    context: dict[str, Any] = {"actor": actor, "q": q[:200], "found": [], "graph": None,
                               "record": "", "depth": min(max(depth, 1), 4), "error": "",
                               "kinds": sorted(KINDS)}  # fmt: skip
    if q.strip():
        for kind in sorted(KINDS):  # the words in every database, a few of each
            rows, _ = list_records(session, kind, ListFilters(q=q[:200]), actor=actor,
                                   limit=5, offset=0)  # fmt: skip
            context["found"] += [(kind, row) for row in rows]
    if record:
        try:
            start = uuid.UUID(record)
            derive.catch_up(session)
            session.commit()  # the derivation; the walk then reads without the write lock
            with reading(session):
                context["graph"] = graph.neighbourhood(session, actor, start,
                                                       depth=context["depth"])  # fmt: skip
            context["record"] = str(start)
        except (ValueError, AppError) as exc:
            session.rollback()
            context["error"] = "No such record that you may see." if not isinstance(
                exc, AppError) or exc.status == 404 else exc.detail  # fmt: skip
    session.commit()  # the derivation, and the audit entries of person lists
    status = 404 if context["error"] else 200
    return render(request, "graph.html", context, status_code=status)
