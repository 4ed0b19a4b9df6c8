"""HTTP routes of trends and early warnings: ``/api/v1/analysis/trends`` and
``/api/v1/analysis/warnings`` (analysts: ``analysis:run``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from interlink.access import Actor, Permission
from interlink.analysis.alerts import Method, early_warnings, with_behind
from interlink.analysis.trend_schemas import TrendsRead, WarningRead, WarningsRead
from interlink.analysis.trends import Grouping, Interval, Measure, series
from interlink.core.deps import DbSession, Now
from interlink.core.limits import PAGE
from interlink.members.deps import requires

__all__ = ["DEFAULT_DAYS", "router"]

router = APIRouter(prefix="/api/v1/analysis", tags=["analysis"])

Analyst = Annotated[Actor, Depends(requires(Permission.ANALYSIS_RUN))]
DEFAULT_DAYS = {Interval.DAY: 90, Interval.WEEK: 26 * 7}
"""The window when ``since`` is not given."""


@router.get("/trends", response_model=TrendsRead)
def trends(
    session: DbSession,
    actor: Analyst,
    now: Now,
    measure: Annotated[Measure, Query(description="notices, records, hits or confirmations")],
    interval: Interval = Interval.DAY,
    since: Annotated[date | None, Query(description="first day (UTC); default by interval")] = None,
    until: Annotated[date | None, Query(description="last day (UTC); default today")] = None,
    by: Grouping = Grouping.NONE,
    category: Annotated[
        str | None, Query(max_length=32, description="one notice type or record kind")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> TrendsRead:
    """Counts per day or week of each series (category x group), largest first."""
    last = until or now.date()
    first = since or last - timedelta(days=DEFAULT_DAYS[interval] - 1)
    found = series(
        session, actor, measure=measure, interval=interval, since=first, until=last, by=by,
        category=category,
    )  # fmt: skip
    return TrendsRead.of(found, limit=limit, offset=offset)


@router.get("/warnings", response_model=WarningsRead)
def warnings(
    session: DbSession,
    actor: Analyst,
    now: Now,
    measure: Annotated[Measure | None, Query(description="one measure; default all")] = None,
    by: Grouping = Grouping.COUNTRY,
    window: Annotated[int, Query(ge=1, le=31, description="days in a period")] = 7,
    history: Annotated[int, Query(ge=2, le=52, description="earlier periods compared")] = 8,
    k: Annotated[float, Query(ge=1, le=10, description="spreads above the median")] = 3.0,
    min_count: Annotated[int, Query(ge=1, le=100_000)] = 5,
    min_borders: Annotated[int, Query(ge=2, le=100)] = 3,
    behind: Annotated[int, Query(ge=0, le=200, description="objects listed per warning")] = 50,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> WarningsRead:
    """Rises that stand out from their series' own history, strongest first, each with
    the records, notices or hits behind it that the analyst may see."""
    method = Method(window=window, history=history, k=k, min_count=min_count,
                    min_borders=min_borders)  # fmt: skip
    found = early_warnings(
        session, actor, now=now, measures=[measure] if measure else None, by=by, method=method
    )
    page = with_behind(session, actor, found[offset : offset + limit], by=by, limit=behind)
    session.commit()  # the audit entry of listed person data
    return WarningsRead(
        as_of=now.date(),
        method=method.describe(),
        items=[WarningRead.of(w) for w in page],
        total=len(found),
        limit=limit,
        offset=offset,
    )
