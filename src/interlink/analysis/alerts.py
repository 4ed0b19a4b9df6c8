"""Early warnings: a rise in a series that stands out from the series' own history, and
the records, notices and hits behind it (only those the analyst may see).

(Named ``alerts`` so that the module does not shadow the standard ``warnings``.)

Method. Each series (measure x category x country, as ``trends`` counts them over
what the analyst may see) is cut into consecutive windows of ``window`` days (7) ending
today (UTC). The last window is compared with the ``history`` (8) windows before it:
the expected count is their median, the spread their median absolute deviation scaled
by 1.4826 (the standard deviation, were the counts normal), floored at the square root
of the expected count (counts are at least as noisy as a Poisson count) and at 1. A
rise is flagged when the last window's count is at least ``min_count`` (5) and above
``expected + k x spread`` (k = 3). With 7-day windows every window holds each weekday
once, so the weekly cycle (quiet weekends) cancels out: a seasonal baseline by
construction. Median and MAD are robust: one earlier spike does not hide the next.

A series needs history to stand out from: one active (non-zero) in fewer than
``min_active`` (2) of the earlier windows is not judged, or every first import of a
bureau's data would read as a rise. One pattern is an exception, because its spread
is evidence of its own: hits on travel documents of one country screened at
``min_borders`` (3) or more different borders (screening countries) in the last window
are flagged when they pass the threshold, history or not ("documents at several
borders": a batch of stolen passports in use).
"""

from __future__ import annotations

import statistics
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission, restrict
from interlink.analysis.trends import (
    MAX_DAYS,
    Grouping,
    Measure,
    bureaus_in,
    check_grouping,
    daily_counts,
    day_start,
)
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.db import reading
from interlink.core.errors import InvalidInput
from interlink.hits.models import Hit
from interlink.hits.reads import visible_hits
from interlink.members.service import bureau_codes
from interlink.notices.models import Notice
from interlink.notices.reads import visible_notices
from interlink.notices.schemas import NoticeFilters
from interlink.records.kinds import PERSON_KINDS
from interlink.records.models import Record

__all__ = ["Behind", "EarlyWarning", "Method", "early_warnings", "judge", "with_behind"]

DOCUMENTS = "travel-documents"
SPREAD = "documents_at_several_borders"
RISE = "rise"
_NOUNS = {
    Measure.NOTICES: "notices requested",
    Measure.RECORDS: "records entered",
    Measure.HITS: "hits",
    Measure.CONFIRMATIONS: "confirmed hits",
}


@dataclass(frozen=True)
class Method:
    """The method's settings (see the module's docstring)."""

    window: int = 7
    history: int = 8
    k: float = 3.0
    min_count: int = 5
    min_active: int = 2
    min_borders: int = 3

    @property
    def days(self) -> int:
        return self.window * (self.history + 1)

    def describe(self) -> str:
        return (
            f"The last {self.window} days of each series against its previous {self.history} "
            f"periods of {self.window} days: flagged when at least {self.min_count} and above "
            f"median + {self.k:g} x spread (MAD x 1.4826, at least the square root of the "
            f"median and 1); series active in fewer than {self.min_active} earlier periods are "
            f"not judged, except hits on one country's travel documents at "
            f"{self.min_borders} or more borders."
        )


@dataclass(frozen=True)
class Behind:
    """One object a warning counted: a record, a notice or a hit (with its record)."""

    type: str
    id: uuid.UUID
    kind: str
    title: str
    at: datetime
    link: str | None
    """The console page (for a hit: its record's, when the analyst may read it)."""
    api: str
    country: str | None = None
    """For a hit: the screening country."""


@dataclass(frozen=True)
class EarlyWarning:
    pattern: str
    measure: Measure
    category: str
    group: str | None
    window_start: date
    window_end: date
    observed: int
    expected: float
    spread: float
    threshold: float
    history: tuple[int, ...]
    explanation: str
    borders: tuple[str, ...] = ()
    behind: tuple[Behind, ...] = ()
    behind_total: int = 0

    @property
    def label(self) -> str:
        return f"{self.measure.value}: {self.category} · {self.group or 'all'}"

    @property
    def score(self) -> float:
        """How many spreads above the expected count (orders the list)."""
        return (self.observed - self.expected) / self.spread


def judge(history: list[int], observed: int, method: Method) -> tuple[float, float, float] | None:
    """(expected, spread, threshold) when ``observed`` is a rise against ``history``."""
    expected = float(statistics.median(history)) if history else 0.0
    mad = float(statistics.median(abs(x - expected) for x in history)) if history else 0.0
    spread = max(1.4826 * mad, expected**0.5, 1.0)
    threshold = expected + method.k * spread
    if observed >= method.min_count and observed > threshold:
        return expected, spread, threshold
    return None


def _check(method: Method) -> None:
    if method.days > MAX_DAYS:
        raise InvalidInput(
            "query.history", f"window x (history + 1) is at most {MAX_DAYS} days ({method.days})"
        )


def _borders(
    session: Session, actor: Actor, by: Grouping, group: str | None, first: date, last: date
) -> list[str]:
    """Screening countries of visible hits on travel documents of ``group`` in the days."""
    hits = restrict(select(Hit.screening_bureau_id), actor, Action.READ).where(
        Hit.record_kind == DOCUMENTS,
        Hit.created_at >= day_start(first),
        Hit.created_at < day_start(last + timedelta(days=1)),
    )
    owners = bureaus_in(session, by, group)
    if owners is not None:
        hits = hits.where(Hit.owner_bureau_id.in_(owners))
    codes = bureau_codes(session)
    return sorted({codes.get(b, "?") for b in session.scalars(hits.distinct())})


def _explain(
    measure: Measure, category: str, group: str | None, observed: int, numbers: tuple[float, ...],
    method: Method, end: date, borders: list[str],
) -> str:  # fmt: skip
    expected, _spread, threshold = numbers
    what = f"{observed} {_NOUNS[measure]} ({category}{', ' + group if group else ''})"
    if borders:
        what = (
            f"{observed} hits on travel documents registered by {group}, screened at "
            f"{len(borders)} borders ({', '.join(borders)}),"
        )
    return (
        f"{what} in the {method.window} days to {end}, where the previous {method.history} "
        f"periods of {method.window} days had {expected:g} (median); a rise is flagged above "
        f"{threshold:.1f} (median + {method.k:g} x spread)."
    )


def early_warnings(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    measures: list[Measure] | None = None,
    by: Grouping = Grouping.COUNTRY,
    method: Method | None = None,
) -> list[EarlyWarning]:
    """Every warning (without the objects behind it: ``with_behind``), strongest first."""
    check_permission(actor, Permission.ANALYSIS_RUN)
    method = method or Method()
    _check(method)
    last = now.date()
    first = last - timedelta(days=method.days - 1)
    window_start = last - timedelta(days=method.window - 1)
    found: list[EarlyWarning] = []
    for measure in measures or list(Measure):
        check_grouping(measure, by)
        with reading(session):  # counting every series' rows: no write lock held
            counts = daily_counts(session, actor, measure=measure, first=first, last=last, by=by)
        for (category, group), days in counts.items():
            windows = [0] * (method.history + 1)
            for day, count in days.items():
                windows[(day - first).days // method.window] += count
            *history, observed = windows
            numbers = judge(history, observed, method)
            if numbers is None:
                continue
            borders: list[str] = []
            if measure is Measure.HITS and category == DOCUMENTS and by is Grouping.COUNTRY:
                with reading(session):
                    borders = _borders(session, actor, by, group, window_start, last)
                if len(borders) < method.min_borders:
                    borders = []
            if not borders and sum(1 for n in history if n) < method.min_active:
                continue
            found.append(
                EarlyWarning(
                    pattern=SPREAD if borders else RISE,
                    measure=measure,
                    category=category,
                    group=group,
                    window_start=window_start,
                    window_end=last,
                    observed=observed,
                    expected=numbers[0],
                    spread=numbers[1],
                    threshold=numbers[2],
                    history=tuple(history),
                    explanation=_explain(
                        measure, category, group, observed, numbers, method, last, borders
                    ),
                    borders=tuple(borders),
                )
            )
    found.sort(key=lambda w: (w.pattern != SPREAD, -w.score, w.label))
    return found


def _notices(
    session: Session, actor: Actor, w: EarlyWarning, owners: list[uuid.UUID] | None, limit: int
) -> tuple[list[Behind], int]:
    query = visible_notices(session, NoticeFilters(), actor).where(
        Notice.type == w.category,
        Notice.created_at >= day_start(w.window_start),
        Notice.created_at < day_start(w.window_end + timedelta(days=1)),
    )
    if owners is not None:
        query = query.where(Notice.owner_bureau_id.in_(owners))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Notice.created_at.desc(), Notice.id).limit(limit))
    return [
        Behind(
            "notice",
            n.id,
            n.type,
            f"{n.reference} {n.title}",
            n.created_at,
            f"/notices/{n.id}",
            f"/api/v1/notices/{n.id}",
        )
        for n in rows
    ], int(total)


def _records(
    session: Session, actor: Actor, w: EarlyWarning, owners: list[uuid.UUID] | None, limit: int
) -> tuple[list[Behind], int]:
    live = select(Record).where(
        Record.kind == w.category,
        Record.deleted_at.is_(None),
        Record.created_at >= day_start(w.window_start),
        Record.created_at < day_start(w.window_end + timedelta(days=1)),
    )
    if owners is not None:
        live = live.where(Record.owner_bureau_id.in_(owners))
    query = restrict(live, actor, Action.READ)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Record.created_at.desc(), Record.id).limit(limit))
    return [
        Behind(
            "record",
            r.id,
            r.kind,
            r.title,
            r.created_at,
            f"/records/{r.kind}/{r.id}",
            f"/api/v1/records/{r.kind}/{r.id}",
        )
        for r in rows
    ], int(total)


def _hits(
    session: Session,
    actor: Actor,
    w: EarlyWarning,
    owners: list[uuid.UUID] | None,
    limit: int,
    by: Grouping,
) -> tuple[list[Behind], int]:
    at = Hit.confirmed_at if w.measure is Measure.CONFIRMATIONS else Hit.created_at
    query = visible_hits(actor).where(
        Hit.record_kind == w.category,
        at >= day_start(w.window_start),
        at < day_start(w.window_end + timedelta(days=1)),
    )
    if owners is not None:
        side = Hit.screening_bureau_id if by.screening else Hit.owner_bureau_id
        query = query.where(side.in_(owners))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    hits = list(session.scalars(query.order_by(at.desc(), Hit.id).limit(limit)))
    # A hit may be visible where its record is not: name and link only readable ones.
    readable = select(Record).where(
        Record.id.in_({h.record_id for h in hits}), Record.deleted_at.is_(None)
    )
    titles = {r.id: r.title for r in session.scalars(restrict(readable, actor, Action.READ))}
    codes = bureau_codes(session)
    made = []
    for hit in hits:
        title = titles.get(hit.record_id)
        moment: Any = hit.confirmed_at if w.measure is Measure.CONFIRMATIONS else hit.created_at
        made.append(
            Behind(
                "hit",
                hit.id,
                hit.record_kind,
                title or f"a {hit.record_kind} record you may not read",
                moment,
                f"/records/{hit.record_kind}/{hit.record_id}" if title else None,
                f"/api/v1/hits/{hit.id}",
                codes.get(hit.screening_bureau_id, "?"),
            )
        )
    return made, int(total)


def with_behind(
    session: Session,
    actor: Actor,
    warnings: list[EarlyWarning],
    *,
    by: Grouping = Grouping.COUNTRY,
    limit: int = 50,
) -> list[EarlyWarning]:
    """``warnings`` with up to ``limit`` objects behind each (newest first) and their
    count. Listing person data (person records, notices) is audited, as lists are."""
    check_permission(actor, Permission.ANALYSIS_RUN)
    filled = []
    with reading(session):  # the audit entry is written after, in a transaction of its own
        for w in warnings:
            owners = bureaus_in(session, by, w.group)
            if w.measure is Measure.NOTICES:
                behind, total = _notices(session, actor, w, owners, limit)
            elif w.measure is Measure.RECORDS:
                behind, total = _records(session, actor, w, owners, limit)
            else:
                behind, total = _hits(session, actor, w, owners, limit, by)
            filled.append(replace(w, behind=tuple(behind), behind_total=total))
    personal = sum(
        1 for w in filled for b in w.behind if b.type == "notice" or b.kind in PERSON_KINDS
    )
    if personal:
        audit(
            session,
            AuditAction.RECORD_READ,
            actor=actor,
            object_type="early-warnings",
            after={"warnings": [w.label for w in filled], "listed": personal},
        )
    return filled
