"""The analyst's trends page (``/analysis/trends``): a form (measure, interval, grouping,
period), a bar chart per series (small multiples, each with its table of figures), and
the early warnings with links to the records and hits behind them.

Thin: the counts and warnings come from ``analysis.trends`` and ``analysis.alerts`` as
the signed-in analyst, so the page shows only what the policy lets that analyst see.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from interlink.access import Actor, Permission
from interlink.analysis.alerts import Method, early_warnings, with_behind
from interlink.analysis.trends import Grouping, Interval, Measure, Trends, series
from interlink.core.deps import DbSession, Now
from interlink.core.errors import AppError
from interlink.web.charts import Chart, bar_chart
from interlink.web.pages import render
from interlink.web.session import page_requires

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Analyst = Annotated[
    Actor, Depends(page_requires(Permission.ANALYSIS_RUN, "Trends are for analysts."))
]

PERIODS = {28: "last 4 weeks", 91: "last 13 weeks", 182: "last 26 weeks", 364: "last 52 weeks"}
GROUPINGS = {
    Grouping.NONE: "whole network",
    Grouping.COUNTRY: "owner country",
    Grouping.REGION: "owner region (UN M49)",
    Grouping.SCREENING_COUNTRY: "screening country (hits)",
    Grouping.SCREENING_REGION: "screening region (hits)",
}
CHOICES = {
    "measure": [(m.value, m.value) for m in Measure],
    "interval": [(Interval.DAY.value, "day"), (Interval.WEEK.value, "week (Monday to Sunday)")],
    "by": [(g.value, text) for g, text in GROUPINGS.items()],
    "period": [(str(days), text) for days, text in PERIODS.items()],
}
CHARTS = 12
"""Series drawn as charts (largest first); the rest are listed with their totals."""
WARNINGS = 20
BEHIND = 10


def _choice(raw: str, allowed: Any, default: Any, field: str, errors: dict[str, str]) -> Any:
    if not raw:
        return default
    try:
        return allowed(raw)
    except ValueError:
        errors[field] = f"{raw!r} is not one of the choices"
        return default


def _charts(trends: Trends) -> list[Chart]:
    unit = trends.measure.value
    # A week's bar is labelled with its Monday.
    per = "per week from Monday" if trends.interval is Interval.WEEK else "per day"
    labels = [day.strftime("%m-%d") for day in trends.buckets]
    return [
        bar_chart(f"{s.label}, {per}", list(zip(labels, s.counts, strict=True)), unit=unit)
        for s in trends.series[:CHARTS]
    ]


@router.get("/analysis/trends", response_class=HTMLResponse)
def trends_page(
    request: Request,
    session: DbSession,
    actor: Analyst,
    now: Now,
    measure: str = "",
    interval: str = "",
    by: str = "",
    period: str = "",
) -> Response:
    errors: dict[str, str] = {}
    form = {
        "measure": _choice(measure, Measure, Measure.HITS, "measure", errors),
        "interval": _choice(interval, Interval, Interval.DAY, "interval", errors),
        "by": _choice(by, Grouping, Grouping.NONE, "by", errors),
        "period": _choice(period, int, 91, "period", errors),
    }
    if form["period"] not in PERIODS:
        errors["period"], form["period"] = "choose one of the periods listed", 91
    values = {name: str(value) for name, value in form.items()}
    context: dict[str, Any] = {"actor": actor, "errors": errors, "trends": None, "charts": [],
                               "values": values, "choices": CHOICES}  # fmt: skip
    until = now.date()
    try:
        found = series(
            session, actor, measure=form["measure"], interval=form["interval"],
            since=until - timedelta(days=form["period"] - 1), until=until, by=form["by"],
        )  # fmt: skip
        context |= {"trends": found, "charts": _charts(found), "rest": found.series[CHARTS:]}
    except AppError as exc:
        errors["by"] = exc.errors[0]["message"] if exc.errors else exc.detail
    method = Method()
    warnings = early_warnings(session, actor, now=now, method=method)
    context |= {
        "warnings": with_behind(session, actor, warnings[:WARNINGS], limit=BEHIND),
        "warnings_total": len(warnings),
        "method": method.describe(),
    }
    session.commit()  # the audit entry of listed person data
    return render(request, "trends.html", context, status_code=422 if errors else 200)
