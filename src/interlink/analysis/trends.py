"""Trends: counts over time of notices (by type), records (by kind), hits and
confirmations (by the database hit), per UTC day or ISO week, optionally by country or
region.

Every count is taken over what the acting analyst may see, through the same visibility
as the domains' reads: ``visible_notices`` for notices, ``restrict(..., Action.READ)``
over live records and over hits (as ``hits.reads`` does). Counting is done in SQL,
grouped by UTC day (one expression per backend, the only dialect-specific line); weeks
are summed from days in Python. A window is at most ``MAX_DAYS`` days.

Groups: ``country`` is the owner bureau's code (``SEC`` for the secretariat);
``screening_country`` (hits and confirmations) the bureau whose screening made the hit;
``region`` and ``screening_region`` the UN M49 sub-region of that country ("Western
Europe", "Eastern Africa" ...), read from the CLDR territory containment that ICU ships
(CLDR takes it from the UN Statistics Division's M49 standard), so no table of ours goes
stale.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

import icu  # type: ignore[import-untyped]
from sqlalchemy import ColumnElement, Subquery, func, select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission, restrict
from interlink.core.db import reading
from interlink.core.errors import InvalidInput
from interlink.hits.reads import visible_hits
from interlink.members.service import SECRETARIAT_CODE, bureau_codes
from interlink.notices.reads import visible_notices
from interlink.notices.schemas import NoticeFilters
from interlink.notices.types import NoticeType
from interlink.records.kinds import KINDS
from interlink.records.models import Record

__all__ = [
    "MAX_DAYS",
    "Grouping",
    "Interval",
    "Measure",
    "Series",
    "Trends",
    "bureaus_in",
    "categories",
    "check_category",
    "check_grouping",
    "check_window",
    "daily_counts",
    "day_start",
    "region_of",
    "series",
]

MAX_DAYS = 366
"""The longest window one request counts over (keeps every query bounded)."""


class Measure(StrEnum):
    NOTICES = "notices"
    RECORDS = "records"
    HITS = "hits"
    CONFIRMATIONS = "confirmations"
    """Hits the owner confirmed, counted when confirmed."""


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    """ISO weeks, Monday to Sunday (UTC)."""


class Grouping(StrEnum):
    NONE = "none"
    COUNTRY = "country"
    REGION = "region"
    SCREENING_COUNTRY = "screening_country"
    SCREENING_REGION = "screening_region"

    @property
    def screening(self) -> bool:
        return self in (Grouping.SCREENING_COUNTRY, Grouping.SCREENING_REGION)

    @property
    def regional(self) -> bool:
        return self in (Grouping.REGION, Grouping.SCREENING_REGION)


HIT_MEASURES = frozenset({Measure.HITS, Measure.CONFIRMATIONS})


def categories(measure: Measure) -> list[str]:
    """What a measure's series are split by: notice types, or record kinds."""
    return [t.value for t in NoticeType] if measure is Measure.NOTICES else list(KINDS)


def check_category(measure: Measure, category: str | None, field: str = "query.category") -> None:
    if category is not None and category not in categories(measure):
        raise InvalidInput(field, f"for {measure.value}, one of {', '.join(categories(measure))}")


def check_grouping(measure: Measure, by: Grouping, field: str = "query.by") -> None:
    if by.screening and measure not in HIT_MEASURES:
        raise InvalidInput(field, f"{by.value} applies to hits and confirmations only")


@lru_cache(maxsize=512)
def region_of(code: str) -> str:
    """The UN M49 sub-region of a country (by its ISO alpha-2 code)."""
    if code == SECRETARIAT_CODE:
        return "General Secretariat"
    try:
        containing = icu.Region.getInstance(code).getContainingRegion()
    except icu.ICUError:
        return "Unknown region"
    if containing is None:
        return "Unknown region"
    return str(icu.Locale("und", containing.getRegionCode()).getDisplayCountry(icu.Locale("en")))


@dataclass(frozen=True)
class Series:
    measure: Measure
    category: str
    group: str | None
    counts: tuple[int, ...]

    @property
    def label(self) -> str:
        return f"{self.category} · {self.group}" if self.group else self.category

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Trends:
    measure: Measure
    interval: Interval
    by: Grouping
    category: str | None
    since: date
    until: date
    buckets: tuple[date, ...]
    """Each bucket's first day."""
    series: list[Series]
    """Largest total first."""


@dataclass(frozen=True)
class _Source:
    rows: Subquery
    at: ColumnElement[Any]
    category: ColumnElement[Any]
    owner: ColumnElement[Any]
    screening: ColumnElement[Any] | None


def _source(session: Session, actor: Actor, measure: Measure) -> _Source:
    """The rows ``actor`` may see for ``measure``, and which columns mean what."""
    if measure is Measure.NOTICES:
        notices = visible_notices(session, NoticeFilters(), actor).subquery()
        c = notices.c
        return _Source(notices, c.created_at, c.type, c.owner_bureau_id, None)
    if measure is Measure.RECORDS:
        live = select(Record).where(Record.deleted_at.is_(None))
        records = restrict(live, actor, Action.READ).subquery()
        c = records.c
        return _Source(records, c.created_at, c.kind, c.owner_bureau_id, None)
    hits = visible_hits(actor).subquery()
    c = hits.c
    at = c.confirmed_at if measure is Measure.CONFIRMATIONS else c.created_at
    return _Source(hits, at, c.record_kind, c.owner_bureau_id, c.screening_bureau_id)


def _utc_day(session: Session, column: ColumnElement[Any]) -> ColumnElement[Any]:
    # SQLite keeps UTC as naive text (date() reads it); PostgreSQL keeps timestamptz,
    # whose date would follow the session's time zone unless turned to UTC first.
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _group_of(by: Grouping, codes: dict[uuid.UUID, str], bureau_id: Any) -> str | None:
    if by is Grouping.NONE:
        return None
    code = codes.get(bureau_id, "?")
    return region_of(code) if by.regional else code


def bureaus_in(session: Session, by: Grouping, group: str | None) -> list[uuid.UUID] | None:
    """The bureaus a series' group stands for (None: every bureau)."""
    if by is Grouping.NONE or group is None:
        return None
    codes = bureau_codes(session)
    return [i for i in codes if _group_of(by, codes, i) == group]


def daily_counts(
    session: Session,
    actor: Actor,
    *,
    measure: Measure,
    first: date,
    last: date,
    by: Grouping = Grouping.NONE,
    category: str | None = None,
) -> dict[tuple[str, str | None], dict[date, int]]:
    """(category, group) -> day -> count, for the days ``first`` to ``last`` inclusive."""
    check_permission(actor, Permission.ANALYSIS_RUN)
    check_category(measure, category)
    check_grouping(measure, by)
    source = _source(session, actor, measure)
    day = _utc_day(session, source.at)
    side = source.screening if by.screening else source.owner
    columns: list[Any] = [day, source.category]
    if by is not Grouping.NONE and side is not None:
        columns.append(side)
    query = select(*columns, func.count()).where(
        source.at >= day_start(first), source.at < day_start(last + timedelta(days=1))
    )
    if category is not None:
        query = query.where(source.category == category)
    rows = session.execute(query.group_by(*columns)).all()
    codes = bureau_codes(session) if by is not Grouping.NONE else {}
    found: dict[tuple[str, str | None], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        bureau = row[2] if len(row) == 4 else None
        found[(str(row[1]), _group_of(by, codes, bureau))][_as_date(row[0])] += int(row[-1])
    return found


def _buckets(since: date, until: date, interval: Interval) -> list[date]:
    step = timedelta(days=7 if interval is Interval.WEEK else 1)
    starts, current = [], since
    while current <= until:
        starts.append(current)
        current += step
    return starts


def check_window(since: date, until: date) -> None:
    if since > until:
        raise InvalidInput("query.since", f"{since} is after until ({until})")
    if (until - since).days + 1 > MAX_DAYS:
        raise InvalidInput("query.since", f"a window is at most {MAX_DAYS} days")


def series(
    session: Session,
    actor: Actor,
    *,
    measure: Measure,
    interval: Interval,
    since: date,
    until: date,
    by: Grouping = Grouping.NONE,
    category: str | None = None,
) -> Trends:
    """Counts per bucket of each series (category x group) with any count in the window.

    Weekly buckets start on Mondays: ``since`` moves back to its week's Monday (after
    the window's length is checked) so that every bucket is a whole week (the last one
    may still be running)."""
    check_window(since, until)
    if interval is Interval.WEEK:
        since -= timedelta(days=since.weekday())
    with reading(session):  # counting a window of every kind's rows: no write lock held
        daily = daily_counts(
            session, actor, measure=measure, first=since, last=until, by=by, category=category
        )
    starts = _buckets(since, until, interval)
    width = 7 if interval is Interval.WEEK else 1
    made = []
    for (kind, group), days in daily.items():
        counts = [0] * len(starts)
        for day, count in days.items():
            counts[(day - since).days // width] += count
        made.append(Series(measure, kind, group, tuple(counts)))
    made.sort(key=lambda s: (-s.total, s.category, s.group or ""))
    return Trends(measure, interval, by, category, since, until, tuple(starts), made)
