"""The console in a real browser."""

from __future__ import annotations

from typing import Any

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
