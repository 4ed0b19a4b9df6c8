"""The command centre's pages in a real browser: an operation planned and a participant
marking its task done, the live feed, and an incident's request answered by a member.

Every scenario makes its own objects (unique names), so they run in any order beside the
other e2e files on the shared demo server."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.test_console import DEMO_PASSWORD, _token
from tests.messaging.live import Server


@contextmanager
def signed_in(
    browser: Any, server: Server, username: str, password: str = DEMO_PASSWORD
) -> Iterator[Any]:
    """A page of its own browser context (its own cookies), signed in; closed after."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{server.base}/signin")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{server.base}/")
        yield page
    finally:
        context.close()


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(4)}"


def test_an_operation_is_planned_and_a_participant_marks_its_task_done(
    browser: Any, server: Server
) -> None:
    name, task = unique("Operation Lantern"), unique("Watch the Rhine ports")
    with signed_in(browser, server, "ccc.operator") as page:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Operations").click()
        page.get_by_role("link", name="Plan an operation").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Objective").fill("Dismantle a smuggling ring on the Rhine.")
        page.get_by_label("Start date").fill("2026-04-01")
        page.get_by_label("End date").fill("2026-04-30")
        page.get_by_label("Participating countries").fill("de, FR")
        page.get_by_role("button", name="Plan the operation").click()
        page.wait_for_url(f"{server.base}/operations/OP-*")
        reference = page.url.rsplit("/", 1)[1]
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{reference} · {name}")
        expect(page.locator("#status")).to_have_text("planned")
        tasks = page.get_by_role("region", name="Tasks")
        tasks.get_by_label("Task").fill(task)
        tasks.get_by_label("Assigned to").select_option("DE")
        tasks.get_by_label("Due").fill("2026-04-15")
        tasks.get_by_role("button", name="Add the task").click()
        expect(tasks.get_by_role("row", name=task)).to_contain_text("DE")

    with signed_in(browser, server, "de.officer") as page:
        page.goto(f"{server.base}/operations")
        row = page.get_by_role("row", name=name)
        expect(row).to_contain_text("DE, FR")
        row.get_by_role("link", name=reference).click()
        page.wait_for_url(f"{server.base}/operations/{reference}")
        expect(page.get_by_text("read only")).to_be_visible()
        expect(page.get_by_role("button", name="Add the task")).to_have_count(0)
        mine = page.get_by_role("row", name=task)
        mine.get_by_role("button", name="Mark done").click()
        mine = page.get_by_role("row", name=task)  # the page again, after the redirect
        expect(mine).to_contain_text("done by")
        expect(mine.get_by_role("button", name="Reopen")).to_be_visible()
        timeline = page.get_by_role("region", name="Timeline")
        expect(timeline).to_contain_text(f"task done: {task}")

    with signed_in(browser, server, "it.officer") as page:  # Italy takes no part
        page.goto(f"{server.base}/operations")
        expect(page.get_by_role("row", name=name)).to_have_count(0)
        response = page.goto(f"{server.base}/operations/{reference}")
        assert response is not None and response.status == 404
        expect(page.get_by_text("no such operation that you may see")).to_be_visible()
        assert name not in page.content()


def test_changes_to_operations_and_incidents_appear_live_in_the_command_centre(
    browser: Any, server: Server
) -> None:
    operation, incident = unique("Operation Tidewater"), unique("Bridge collapse")
    with signed_in(browser, server, "ccc.operator") as ccc:
        ccc.goto(f"{server.base}/ccc")
        ccc.evaluate("window.notReloaded = true")  # gone if the page were loaded again
        feed = ccc.locator("#feed")
        # A change through the API (another client of the command centre) ...
        planned = httpx.post(
            f"{server.base}/api/v1/operations",
            json={"name": operation, "objective": "Follow the containers.", "countries": ["NL"]},
            headers=_token(server, "ccc.operator"),
        )
        assert planned.status_code == 201, planned.text
        reference = planned.json()["reference"]
        entry = feed.locator("li", has_text=f"{reference} {operation}")
        expect(entry.first).to_be_visible(timeout=10_000)
        expect(entry.first.locator(".badge")).to_have_text("operation")

        # ... and one made in another page, by a colleague on the console.
        with signed_in(browser, server, "ccc.operator") as other:
            other.goto(f"{server.base}/incidents/new")
            other.get_by_label("Title").fill(incident)
            other.get_by_label("What happened").fill("A road bridge fell into the river.")
            other.get_by_label("Country").fill("PT")
            other.get_by_label("Place").fill("Porto")
            other.get_by_label("When (UTC)").fill("2026-03-02T07:45")
            other.get_by_role("button", name="Open the incident").click()
            other.wait_for_url(f"{server.base}/incidents/IR-*")
            other.get_by_role("button", name="Deploy").click()  # nobody named yet: refused
            expect(other.get_by_role("alert")).to_contain_text("no team yet")
            team = other.get_by_role("region", name="Deployed team")
            team.get_by_label("Name").fill("Rui Costa")
            team.get_by_label("Role").fill("liaison")
            team.get_by_role("button", name="Add to the team").click()
            other.get_by_role("button", name="Deploy").click()
            expect(other.locator("#status")).to_have_text("deployed")
        for line in ("incident opened", "Rui Costa (liaison) joins the team", "incident deployed"):
            lines = feed.locator("li", has_text=incident).filter(has_text=line)
            expect(lines).to_have_count(1, timeout=10_000)
        assert ccc.evaluate("window.notReloaded") is True


def test_a_member_answers_an_incident_request_and_the_operator_sees_it(
    browser: Any, server: Server
) -> None:
    title, asked = unique("Derailment"), unique("Check the border crossings for")
    answer = "Checked all crossings: nothing found."
    with signed_in(browser, server, "ccc.operator") as ccc:
        ccc.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents").click()
        ccc.get_by_role("link", name="Open an incident").click()
        ccc.get_by_label("Title").fill(title)
        ccc.get_by_label("What happened").fill("A freight train left the rails near Basel.")
        ccc.get_by_label("Country").fill("CH")
        ccc.get_by_label("Place").fill("Basel")
        ccc.get_by_label("When (UTC)").fill("2026-03-01T22:10")
        ccc.get_by_label("Deployed team").fill("Anna Keller, team lead")
        ccc.get_by_label("Requests to members").fill(f"DE: {asked}")
        ccc.get_by_role("button", name="Open the incident").click()
        ccc.wait_for_url(f"{server.base}/incidents/IR-*")
        incident_url = ccc.url
        requests = ccc.get_by_role("region", name="Requests to members")
        expect(requests).to_contain_text(asked)
        expect(requests).to_contain_text("awaiting the answer")
        expect(ccc.get_by_role("region", name="Deployed team")).to_contain_text("Anna Keller")

        with signed_in(browser, server, "de.officer") as germany:
            germany.goto(f"{server.base}/incidents")
            germany.get_by_role("row", name=title).get_by_role("link").click()
            germany.wait_for_url(incident_url)
            mine = germany.get_by_role("region", name="Requests to members")
            expect(mine).to_contain_text(asked)
            expect(germany.get_by_text("read only")).to_be_visible()
            mine.get_by_role("button", name="Answer").click()  # blank at first: refused
            field = mine.get_by_label("Your answer")
            expect(field).to_have_attribute("aria-invalid", "true")
            field.fill(answer)
            mine.get_by_role("button", name="Answer").click()
            expect(mine).to_contain_text(f"): {answer}")
            expect(mine.get_by_role("button", name="Answer")).to_have_count(0)

        ccc.reload()
        expect(requests).to_contain_text(f"): {answer}")
        expect(requests).not_to_contain_text("awaiting the answer")
        expect(ccc.get_by_role("region", name="Timeline")).to_contain_text(f"DE answered: {answer}")
