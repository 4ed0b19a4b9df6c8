"""The console in a real browser."""

from __future__ import annotations

import time
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core.db import make_engine
from interlink.members.models import Bureau
from interlink.records.models import Record
from tests.messaging.live import Server

DEMO_PASSWORD = "demo-password"


def _shared_person(url: str, not_owned_by: str) -> dict[str, Any]:
    """A demo person another bureau shares with every member, with a Latin name."""
    engine = make_engine(url)
    with Session(engine) as session:
        excluded = session.scalars(select(Bureau.id).where(Bureau.code == not_owned_by)).one()
        owners = {row.id: row.code for row in session.execute(select(Bureau.id, Bureau.code))}
        for record in session.scalars(
            select(Record)
            .where(
                Record.kind == "persons",
                Record.visibility_mode == "all_members",
                Record.owner_bureau_id != excluded,
            )
            .order_by(Record.source_id)
        ):
            data = record.data
            if data.get("given_name") and data.get("family_name") and data.get("date_of_birth"):
                found = {**data, "owner": owners[record.owner_bureau_id]}
                engine.dispose()
                return found
    raise AssertionError("the demo has no shared person")


def _sign_in(page: Any, server: Server, username: str) -> None:
    page.goto(f"{server.base}/signin")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.base}/")


def test_an_officer_screens_a_person_and_sees_the_hit_explained(
    browser: Any, server: Server
) -> None:
    person = _shared_person(server.url, not_owned_by="DE")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, server, "de.officer")
    assert page.get_by_role("heading", name="Bureau workspace: DE").is_visible()
    # A typing error in the family name; the date of birth as listed.
    family = person["family_name"]
    page.get_by_label("Name").fill(f"{person['given_name']} {family[:-1]}")
    page.get_by_label("Date of birth (YYYY-MM-DD)").fill(person["date_of_birth"])
    page.get_by_role("button", name="Screen").click()
    results = page.locator("#screen-results")
    results.get_by_text("HIT", exact=False).first.wait_for()
    text = results.inner_text()
    assert f"owned by {person['owner']}" in text
    assert "name" in text and "date_of_birth" in text  # the explanation, part by part
    page.close()


def _token(server: Server, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{server.base}/api/v1/auth/token",
        data={"username": username, "password": DEMO_PASSWORD},
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_message_appears_live_in_an_open_inbox(browser: Any, server: Server) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, server, "it.officer")
    page.wait_for_timeout(500)  # the page's stream is open
    subject = f"Live check {time.time_ns()}"
    sent = httpx.post(
        f"{server.base}/api/v1/messages",
        json={"recipients": ["IT"], "priority": "urgent", "subject": subject, "body": "Hello."},
        headers=_token(server, "fr.officer"),
    )
    assert sent.status_code == 201
    page.locator("#inbox-list").get_by_text(subject).wait_for(timeout=10_000)
    page.close()


def test_the_command_centre_sees_a_new_urgent_hit_without_reload(
    browser: Any, server: Server
) -> None:
    person = _shared_person(server.url, not_owned_by="DE")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, server, "ccc.operator")
    page.goto(f"{server.base}/ccc")
    page.wait_for_timeout(500)
    germany = _token(server, "de.officer")
    query = {"person": {"name": f"{person['given_name']} {person['family_name']}",
                        "date_of_birth": person["date_of_birth"]}}  # fmt: skip
    screened = httpx.post(f"{server.base}/api/v1/screen", json=query, headers=germany)
    assert screened.json()["hit"] is True
    hits = httpx.get(f"{server.base}/api/v1/hits", headers=germany,
                     params={"status": "open", "limit": 1}).json()["items"]  # fmt: skip
    asked = httpx.post(f"{server.base}/api/v1/hits/{hits[0]['id']}/confirmation",
                       json={"priority": "urgent"}, headers=germany)  # fmt: skip
    assert asked.status_code == 200
    feed = page.locator("#feed")
    feed.get_by_text("new hit").first.wait_for(timeout=10_000)
    feed.locator("li.urgent").first.wait_for(timeout=10_000)
    page.close()


def test_an_excluded_country_cannot_reach_a_restricted_record_by_url(
    browser: Any, server: Server
) -> None:
    engine = make_engine(server.url)
    with Session(engine) as session:
        record = session.scalars(
            select(Record).where(Record.visibility_mode == "only").order_by(Record.source_id)
        ).first()
        assert record is not None
        owner = session.get(Bureau, record.owner_bureau_id)
        assert owner is not None
        allowed = set((record.visibility_countries or "").strip(",").split(",")) | {owner.code}
        outsider = next(code for code in ("IS", "NZ", "CL", "MA") if code not in allowed)
        insider = next(iter(sorted(allowed - {owner.code})))
        path = f"/records/{record.kind}/{record.id}"
    engine.dispose()
    page = browser.new_page()
    _sign_in(page, server, f"{outsider.lower()}.officer")
    response = page.goto(f"{server.base}{path}")
    assert response is not None and response.status == 404
    assert page.get_by_text("Not found").is_visible()
    page.close()
    page = browser.new_page()
    _sign_in(page, server, f"{insider.lower()}.officer")
    response = page.goto(f"{server.base}{path}")
    assert response is not None and response.status == 200
    assert page.get_by_text(f"owned by {owner.code}").is_visible()
    page.close()


def test_a_red_notice_is_drafted_submitted_approved_and_published(
    browser: Any, server: Server
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    _sign_in(page, server, "fr.officer")
    page.goto(f"{server.base}/notices/new")
    page.get_by_role("link", name="Red notice").click()  # the chooser of the nine types
    page.wait_for_url(f"{server.base}/notices/new/red")
    person = page.get_by_label("Person (a record of your bureau)")
    person.select_option(label=page.locator("#data-person-record_id option").all_inner_texts()[1])
    page.get_by_label("Purpose").select_option("prosecution")
    page.locator("#data-charges-0-offence").fill("Armed robbery")
    page.locator("#data-charges-0-law").fill("Code pénal, art. 311-8")
    penalty = page.get_by_label("Maximum penalty (months)")
    penalty.fill("12")  # below the threshold, at first
    page.get_by_label("Issuing authority").fill("Tribunal judiciaire de Lyon")
    page.get_by_label("Issuing country").fill("FR")
    page.locator("#data-warrant-date").fill("2026-01-15")
    page.locator("#data-warrant-reference").fill("AW-2026-042")
    page.get_by_label("Summary of the facts").fill("Robbed three jewellers in Lyon in 2025.")
    page.get_by_role("button", name="Save the draft").click()
    error = page.locator("#data-charges-0-max_penalty_months-error")
    assert "at least 24 months" in error.inner_text()  # inline, on its field
    assert "Robbed three jewellers" in page.get_by_label("Summary of the facts").input_value()
    penalty.fill("240")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(f"{server.base}/notices/*")
    notice_url = page.url
    reference = page.locator("h1").inner_text().split(" ")[0]
    assert page.locator("#status").inner_text() == "draft"
    page.get_by_role("button", name="Submit").click()
    assert page.locator("#status").inner_text() == "submitted"
    page.close()

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    _sign_in(page, server, "fr.supervisor")
    page.goto(notice_url)
    page.get_by_role("button", name="Approve").click()
    assert page.locator("#status").inner_text() == "under_review"
    page.close()

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    _sign_in(page, server, "gs.reviewer")
    page.goto(f"{server.base}/review")
    page.get_by_role("link", name=reference).click()  # from the review queue
    page.wait_for_url(notice_url)
    for radio in page.locator("input[type=radio][value=cleared]").all():
        radio.check()
    page.get_by_label("Reason (for returns, refusals, cancellations, resolutions)").fill(
        "Ordinary-law crime; checked."
    )
    page.get_by_role("button", name="Publish").click()
    assert page.locator("#status").inner_text() == "published"
    page.close()
