"""What the trends and early-warnings API answers with."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel

from interlink.analysis.alerts import EarlyWarning
from interlink.analysis.trends import Grouping, Interval, Measure, Series, Trends

__all__ = ["BehindRead", "SeriesRead", "TrendsRead", "WarningRead", "WarningsRead"]


class SeriesRead(BaseModel):
    category: str
    """The notice type, or the record kind (for hits: the database hit)."""
    group: str | None
    """Country code or UN M49 sub-region, by the grouping asked; None without one."""
    label: str
    counts: list[int]
    total: int

    @classmethod
    def of(cls, series: Series) -> SeriesRead:
        return cls(
            category=series.category,
            group=series.group,
            label=series.label,
            counts=list(series.counts),
            total=series.total,
        )


class TrendsRead(BaseModel):
    measure: Measure
    interval: Interval
    by: Grouping
    category: str | None
    since: date
    until: date
    buckets: list[date]
    """Each bucket's first day (UTC); ``counts`` of every series align with it."""
    series: list[SeriesRead]
    total: int
    """How many series in all (the list is paginated)."""
    limit: int
    offset: int

    @classmethod
    def of(cls, trends: Trends, *, limit: int, offset: int) -> TrendsRead:
        return cls(
            measure=trends.measure,
            interval=trends.interval,
            by=trends.by,
            category=trends.category,
            since=trends.since,
            until=trends.until,
            buckets=list(trends.buckets),
            series=[SeriesRead.of(s) for s in trends.series[offset : offset + limit]],
            total=len(trends.series),
            limit=limit,
            offset=offset,
        )


class BehindRead(BaseModel):
    type: str
    """``record``, ``notice`` or ``hit``."""
    id: uuid.UUID
    kind: str
    title: str
    at: datetime
    link: str | None
    api: str
    country: str | None


class WarningRead(BaseModel):
    pattern: str
    """``rise``, or ``documents_at_several_borders``."""
    measure: Measure
    category: str
    group: str | None
    label: str
    window_start: date
    window_end: date
    observed: int
    expected: float
    spread: float
    threshold: float
    score: float
    history: list[int]
    """The earlier windows' counts, oldest first."""
    explanation: str
    borders: list[str]
    behind: list[BehindRead]
    behind_total: int

    @classmethod
    def of(cls, w: EarlyWarning) -> WarningRead:
        return cls(
            pattern=w.pattern,
            measure=w.measure,
            category=w.category,
            group=w.group,
            label=w.label,
            window_start=w.window_start,
            window_end=w.window_end,
            observed=w.observed,
            expected=w.expected,
            spread=round(w.spread, 3),
            threshold=round(w.threshold, 3),
            score=round(w.score, 3),
            history=list(w.history),
            explanation=w.explanation,
            borders=list(w.borders),
            behind=[BehindRead(**vars(b)) for b in w.behind],
            behind_total=w.behind_total,
        )


class WarningsRead(BaseModel):
    as_of: date
    method: str
    items: list[WarningRead]
    total: int
    limit: int
    offset: int
