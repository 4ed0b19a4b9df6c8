"""Trends and early warnings: counts per UTC day and week by country, region and
screening country; only what the analyst's bureau may see; precise 422s; a warning for
a spike (documents at several borders, or a plain rise) and none for a flat series or
a series without history; the objects behind a warning only those the analyst may read;
the demo seeder's warning, seeded once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Role, restrict
from interlink.analysis.alerts import RISE, SPREAD, Method, early_warnings, with_behind
from interlink.analysis.demo import seed_warning_demo
from interlink.analysis.trends import Grouping, Interval, Measure, region_of, series
from interlink.hits.models import Hit
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.records.models import Record
from tests.conftest import bureau

Auth = Callable[[User], dict[str, str]]
MakeUser = Callable[..., User]
DAY = date(2026, 3, 11)  # a Wednesday
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)


def _at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _record(session: Session, owner: str, at: datetime, *, kind: str = "travel-documents",
            mode: str = "all_members") -> Any:  # fmt: skip
    record = Record.example(owner_bureau_id=bureau(session, owner).id, kind=kind,
                            created_at=at, visibility_mode=mode)  # fmt: skip
    session.add(record)
    session.flush()
    return record


def _hit(session: Session, owner: str, screener: str, at: datetime, *,
         record_mode: str = "all_members", confirmed: datetime | None = None) -> Hit:  # fmt: skip
    record = _record(session, owner, at - timedelta(days=400), mode=record_mode)
    hit = Hit.example(owner_bureau_id=record.owner_bureau_id, record=record,
                      record_kind=record.kind, created_at=at, confirmed_at=confirmed,
                      screening_bureau_id=bureau(session, screener).id,
                      visibility_mode="only", visibility_countries=f",{screener},")  # fmt: skip
    session.add(hit)
    session.flush()
    return hit


def _analyst(make_user: MakeUser, country: str = "SEC") -> Actor:
    return actor_for_user(make_user(Role.ANALYST, country))


def test_counts_per_utc_day_week_country_and_region(
    session: Session, make_user: MakeUser, backend: str
) -> None:
    if backend == "postgresql":  # dates must not follow the session's own time zone
        session.execute(text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))
    analyst = _analyst(make_user)
    for at in (
        _at(DAY - timedelta(days=2)),
        _at(DAY - timedelta(days=2)),
        _at(DAY - timedelta(days=1), 23, 59),
        _at(DAY, 0, 1),
        _at(DAY),
        _at(DAY),
    ):
        _record(session, "FR", at)
    _record(session, "DE", _at(DAY))
    _record(session, "FR", _at(DAY), kind="vehicles")
    _record(session, "FR", _at(DAY + timedelta(days=1)))  # after the window

    daily = series(session, analyst, measure=Measure.RECORDS, interval=Interval.DAY,
                   since=DAY - timedelta(days=2), until=DAY, by=Grouping.COUNTRY)  # fmt: skip
    assert daily.buckets == tuple(DAY - timedelta(days=n) for n in (2, 1, 0))
    counts = {(s.category, s.group): s.counts for s in daily.series}
    assert counts == {("travel-documents", "FR"): (2, 1, 3), ("travel-documents", "DE"): (0, 0, 1),
                      ("vehicles", "FR"): (0, 0, 1)}  # fmt: skip
    assert daily.series[0].label == "travel-documents · FR"  # largest first

    weekly = series(session, analyst, measure=Measure.RECORDS, interval=Interval.WEEK,
                    since=DAY - timedelta(days=10), until=DAY, by=Grouping.REGION,
                    category="travel-documents")  # fmt: skip
    assert weekly.since == date(2026, 2, 23)  # back to a Monday
    assert weekly.buckets == (date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9))
    assert region_of("FR") == region_of("DE") == "Western Europe"
    assert [(s.group, s.counts) for s in weekly.series] == [("Western Europe", (0, 0, 7))]


def test_hits_by_screening_country_and_confirmations(session: Session, make_user: MakeUser) -> None:
    analyst = _analyst(make_user)
    _hit(session, "PL", "DE", _at(DAY - timedelta(days=1)))
    _hit(session, "PL", "DE", _at(DAY), confirmed=_at(DAY, 13))
    _hit(session, "PL", "KE", _at(DAY - timedelta(days=1)), confirmed=_at(DAY, 14))

    def counts(measure: Measure, by: Grouping) -> dict[str | None, tuple[int, ...]]:
        found = series(session, analyst, measure=measure, interval=Interval.DAY,
                       since=DAY - timedelta(days=1), until=DAY, by=by)  # fmt: skip
        return {s.group: s.counts for s in found.series}

    assert counts(Measure.HITS, Grouping.COUNTRY) == {"PL": (2, 1)}
    assert counts(Measure.HITS, Grouping.SCREENING_COUNTRY) == {"DE": (1, 1), "KE": (1, 0)}
    assert counts(Measure.HITS, Grouping.SCREENING_REGION) == {
        "Western Europe": (1, 1), "Eastern Africa": (1, 0)}  # fmt: skip
    assert counts(Measure.CONFIRMATIONS, Grouping.NONE) == {None: (0, 2)}


def test_an_analyst_counts_only_what_the_bureau_may_see(
    session: Session, make_user: MakeUser
) -> None:
    _record(session, "DE", _at(DAY), mode="owner_only")
    _record(session, "DE", _at(DAY), mode="all_members")
    _record(session, "FR", _at(DAY), mode="owner_only")
    _hit(session, "PL", "DE", _at(DAY))  # neither French nor French-made
    _hit(session, "PL", "FR", _at(DAY))

    def total(actor: Actor, measure: Measure) -> int:
        found = series(session, actor, measure=measure, interval=Interval.DAY, since=DAY,
                       until=DAY, category="travel-documents")  # fmt: skip
        return sum(s.total for s in found.series)

    french, secretariat = _analyst(make_user, "FR"), _analyst(make_user)
    # Germany's shared record and France's own; the secretariat's analyst sees all three.
    assert total(french, Measure.RECORDS) == 2
    assert total(secretariat, Measure.RECORDS) == 3
    assert total(french, Measure.HITS) == 1
    assert total(secretariat, Measure.HITS) == 2


def _get(client: TestClient, path: str, who: User, auth: Auth) -> Any:
    return client.get(path, headers=auth(who))


def test_the_api_answers_analysts_only_and_names_bad_fields(
    client: TestClient, session: Session, make_user: MakeUser, auth: Auth
) -> None:
    analyst, officer = make_user(Role.ANALYST, "SEC"), make_user(Role.OFFICER, "FR")
    today = datetime.now(UTC).date()
    for country in ("FR", "DE", "IT"):
        _record(session, country, _at(today, 0, 5))
    session.commit()
    ok = _get(client, "/api/v1/analysis/trends?measure=records&by=country&limit=2", analyst, auth)
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["total"] == 3 and len(body["series"]) == 2 and len(body["buckets"]) == 90
    assert body["buckets"][-1] == today.isoformat() and body["series"][0]["counts"][-1] == 1
    assert _get(client, "/api/v1/analysis/trends?measure=hits", officer, auth).status_code == 403
    assert _get(client, "/api/v1/analysis/warnings", officer, auth).status_code == 403

    bad = {
        "measure=people": "query.measure",
        "interval=day": "query.measure",
        "measure=hits&interval=month": "query.interval",
        "measure=hits&since=2026-03-02&until=2026-03-01": "query.since",
        "measure=hits&since=2024-01-01&until=2026-01-01": "query.since",
        "measure=hits&until=2026-02-30": "query.until",
        "measure=records&by=screening_country": "query.by",
        "measure=notices&category=vehicles": "query.category",
        "measure=hits&limit=0": "query.limit",
    }
    for query, field in bad.items():
        answer = _get(client, f"/api/v1/analysis/trends?{query}", analyst, auth)
        assert answer.status_code == 422, (query, answer.text)
        assert answer.json()["errors"][0]["field"] == field, (query, answer.json())
    for query, field in {"window=7&history=52": "query.history", "k=0": "query.k",
                         "by=region&measure=bogus": "query.measure"}.items():  # fmt: skip
        answer = _get(client, f"/api/v1/analysis/warnings?{query}", analyst, auth)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field


def _weekly(session: Session, per_week: list[int], make: Callable[[datetime, int], Any]) -> None:
    """``per_week[i]`` objects in the i-th 7-day period before NOW's (the last: NOW's)."""
    periods = len(per_week)
    for index, count in enumerate(per_week):
        first = NOW.date() - timedelta(days=7 * (periods - index) - 1)
        for n in range(count):
            make(_at(first + timedelta(days=n % 7), 1 + n % 12), n)


def test_a_spike_of_documents_at_several_borders_warns(
    session: Session, make_user: MakeUser
) -> None:
    borders = ["DE", "AT", "CZ", "NL"]
    _weekly(session, [1, 1, 0, 1, 1, 1, 1, 1, 12],
            lambda at, n: _hit(session, "PL", borders[n % 4], at))  # fmt: skip
    _weekly(session, [3] * 9, lambda at, n: _hit(session, "RO", "DE", at))  # flat
    _weekly(session, [0] * 8 + [9], lambda at, n: _record(session, "IT", at))  # an import
    analyst = _analyst(make_user)

    found = early_warnings(session, analyst, now=NOW)
    assert [(w.pattern, w.measure, w.group) for w in found] == [(SPREAD, Measure.HITS, "PL")]
    (warning,) = with_behind(session, analyst, found)
    assert (warning.observed, warning.expected, warning.threshold) == (12, 1.0, 4.0)
    assert warning.history == (1, 1, 0, 1, 1, 1, 1, 1)
    assert warning.borders == ("AT", "CZ", "DE", "NL")
    assert "screened at 4 borders (AT, CZ, DE, NL)" in warning.explanation
    assert warning.behind_total == 12 and len(warning.behind) == 12
    assert all(b.type == "hit" and b.link and b.link.startswith("/records/travel-documents/")
               for b in warning.behind)  # fmt: skip

    # One border only: a plain rise against the history.
    stricter = early_warnings(session, analyst, now=NOW, method=Method(min_borders=5))
    assert [(w.pattern, w.group) for w in stricter] == [(RISE, "PL")]


def test_a_rise_of_records_warns_and_lists_only_readable_ones(
    session: Session, make_user: MakeUser
) -> None:
    hidden = []

    def make(at: datetime, n: int) -> None:
        record = _record(session, "DE", at, kind="vehicles",
                         mode="owner_only" if n % 3 == 0 else "all_members")  # fmt: skip
        if n % 3 == 0:
            hidden.append(record.id)

    _weekly(session, [3, 3, 4, 3, 3, 3, 4, 3, 30], make)
    french = _analyst(make_user, "FR")
    (warning,) = with_behind(session, french, early_warnings(session, french, now=NOW))
    assert (warning.pattern, warning.measure, warning.category) == (RISE, Measure.RECORDS,
                                                                    "vehicles")  # fmt: skip
    assert warning.observed == 20 and warning.history == (2, 2, 2, 2, 2, 2, 2, 2)
    assert warning.behind_total == 20
    listed = {b.id for b in warning.behind}
    assert len(listed) == 20 and not listed & set(hidden)
    readable = restrict(select(Record.id).where(Record.id.in_(listed)), french, Action.READ)
    assert set(session.scalars(readable)) == listed


def test_hits_behind_a_warning_name_only_readable_records(
    session: Session, make_user: MakeUser
) -> None:
    # French screenings of Polish documents: the French bureau follows its hits, but a
    # document Poland keeps to itself stays unnamed and unlinked.
    _weekly(session, [1, 1, 1, 1, 1, 1, 1, 1, 8],
            lambda at, n: _hit(session, "PL", "FR", at,
                               record_mode="owner_only" if n % 2 else "all_members"))  # fmt: skip
    french = _analyst(make_user, "FR")
    (warning,) = with_behind(session, french, early_warnings(session, french, now=NOW))
    assert warning.pattern == RISE and warning.observed == 8
    linked = [b for b in warning.behind if b.link]
    assert len(linked) == 4
    assert all(b.link is None and "may not read" in b.title for b in warning.behind
               if b not in linked)  # fmt: skip
    # Another bureau's analyst sees none of these hits: no warning at all.
    assert early_warnings(session, _analyst(make_user, "IT"), now=NOW) == []


def test_the_demo_spike_warns_and_is_seeded_once(session: Session, make_user: MakeUser) -> None:
    for country in ("PL", "DE", "AT", "CZ", "NL", "IT"):
        make_user(Role.OFFICER, country, username=f"{country.lower()}.officer")
    for n in range(5):
        _record(session, "PL", _at(DAY) - timedelta(days=300 + n))
    progress: list[str] = []
    assert seed_warning_demo(session, lambda what, done, total: progress.append(what)) == 20
    assert seed_warning_demo(session, lambda *_: None) == 0
    now = datetime.now(UTC)
    found = early_warnings(session, _analyst(make_user), now=now)
    assert [(w.pattern, w.group, w.observed) for w in found] == [(SPREAD, "PL", 12)]
    assert len(found[0].borders) == 5


@pytest.mark.parametrize(
    "path",
    [
        "trends?measure=hits&interval=week&by=region",
        # 366 days (the most), from a Thursday: the weeks reach back to its Monday.
        "trends?measure=records&interval=week&since=2025-03-13&until=2026-03-13",
        "warnings?measure=hits&window=1&history=28",
    ],
)
def test_the_api_shapes(
    client: TestClient, session: Session, make_user: MakeUser, auth: Auth, path: str
) -> None:
    analyst = make_user(Role.ANALYST, "SEC")
    answer = _get(client, f"/api/v1/analysis/{path}", analyst, auth)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {"total", "limit", "offset"} <= body.keys()
