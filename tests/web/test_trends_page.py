"""The analyst's trends page: charts with their figures tables, the early warnings with
links to the records behind them, the form's choices kept and a wrong one named; 403
for an officer; the nav and desk links for analysts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.core.types import utcnow
from interlink.hits.models import Hit
from interlink.members.models import User
from interlink.records.models import Record
from tests.conftest import bureau
from tests.web.test_pages import _signin

MakeUser = Callable[..., User]


def _spike(session: Session, now: datetime) -> None:
    """Polish documents screened at four borders this week, one a week before."""
    borders = ["DE", "AT", "CZ", "NL"]
    owner = bureau(session, "PL").id
    moments = [now - timedelta(days=7 * week + 3) for week in range(1, 9)]
    moments += [now - timedelta(hours=4 + 6 * n) for n in range(10)]
    for n, moment in enumerate(moments):
        number = f"AB{n:05d}"
        data = {"number": number, "document_type": "passport", "issuing_country": "PL",
                "status": "stolen"}  # fmt: skip
        record = Record.example(owner_bureau_id=owner, kind="travel-documents", data=data,
                                title=f"passport PL {number} (stolen)",
                                created_at=now - timedelta(days=400),
                                visibility_mode="all_members")  # fmt: skip
        screener = borders[n % 4]
        hit = Hit.example(owner_bureau_id=owner, record=record, record_kind=record.kind,
                          created_at=moment, screening_bureau_id=bureau(session, screener).id,
                          visibility_mode="only", visibility_countries=f",{screener},")  # fmt: skip
        session.add(hit)
    session.commit()


def test_the_page_draws_charts_and_warnings_for_the_analyst(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    _spike(session, utcnow())
    analyst = make_user(Role.ANALYST, "SEC")
    _signin(client, analyst)
    page = client.get("/analysis/trends?measure=hits&interval=day&by=screening_country")
    assert page.status_code == 200, page.text
    html = page.text
    assert '<a href="/analysis/trends">Trends</a>' in html  # the nav
    assert html.count('<figure class="chart"') == 4  # a chart per screening country
    assert html.count("<summary>Figures</summary>") == 4
    assert 'value="screening_country" selected' in html
    warnings = html[html.index('id="warnings"') :]
    assert "documents at several borders" in warnings and "screened at 4 borders" in warnings
    links = re.findall(r'<a href="(/records/travel-documents/[0-9a-f-]+)">passport PL', warnings)
    assert len(links) == 10
    record = client.get(links[0])
    assert record.status_code == 200

    desk = client.get("/")
    assert '<a href="/analysis/trends">Trends and early warnings</a>' in desk.text


def test_a_wrong_choice_is_named_and_an_officer_is_refused(
    client: TestClient, make_user: MakeUser
) -> None:
    _signin(client, make_user(Role.ANALYST, "SEC"))
    wrong = client.get("/analysis/trends?measure=people&period=5")
    assert wrong.status_code == 422
    assert 'id="measure-error"' in wrong.text and 'id="period-error"' in wrong.text
    assert 'value="hits" selected' in wrong.text  # falls back to the default
    only_hits = client.get("/analysis/trends?measure=records&by=screening_region")
    assert only_hits.status_code == 422 and "hits and confirmations only" in only_hits.text

    client.cookies.clear()
    _signin(client, make_user(Role.OFFICER, "FR"))
    refused = client.get("/analysis/trends")
    assert refused.status_code == 403 and "Trends are for analysts" in refused.text
    assert 'href="/analysis/trends"' not in client.get("/").text
