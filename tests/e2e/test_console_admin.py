"""Administration, audit, another notice type and the profile in a real browser.

Each scenario makes its own users and clients (unique names) and changes no demo user,
so they run in any order beside the other e2e files on the shared demo server."""

from __future__ import annotations

import csv
import re
import secrets
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from interlink.web.audit_pages import EXPORT_FIELDS
from tests.e2e.test_console_more import signed_in
from tests.messaging.live import PASSWORD, Server, add_users


def test_an_administrator_adds_a_user_who_then_signs_in(browser: Any, server: Server) -> None:
    username, password = f"de.e2e-{secrets.token_hex(3)}", f"first-{secrets.token_hex(6)}"
    with signed_in(browser, server, "admin") as page:
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Administration"
        ).click()
        page.get_by_role("link", name="Add a user").click()
        page.get_by_label("User name").fill(username)
        page.get_by_label("Full name").fill("Erika Beispiel")
        page.get_by_label("Role").select_option("officer")
        page.get_by_label("Bureau").select_option("DE")
        page.get_by_label("Initial password").fill("too-short")
        page.get_by_role("button", name="Add the user").click()
        field = page.get_by_label("Initial password")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#password-error")).to_contain_text("12")
        expect(page.get_by_label("User name")).to_have_value(username)  # kept
        field.fill(password)
        page.get_by_role("button", name="Add the user").click()
        expect(page.get_by_role("heading", name=f"User {username}")).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("The user was added.")

    with signed_in(browser, server, username, password) as page:
        expect(page.get_by_role("heading", name="Bureau workspace: DE")).to_be_visible()

    with signed_in(browser, server, "de.supervisor") as page:
        page.goto(f"{server.base}/admin/users")
        rows = page.locator("table tbody tr")
        expect(rows.filter(has_text=username)).to_have_count(1)
        expect(rows.filter(has_text="de.officer")).to_have_count(1)
        bureaus = page.locator("table tbody tr td:nth-child(4)").all_inner_texts()
        assert bureaus and set(bureaus) == {"DE"}, bureaus
        expect(page.get_by_role("row", name="fr.officer")).to_have_count(0)


def test_an_api_client_shows_its_key_once(browser: Any, server: Server) -> None:
    name = f"Gate {secrets.token_hex(3)} e-gates"
    with signed_in(browser, server, "admin") as page:
        page.goto(f"{server.base}/admin")
        page.get_by_role("link", name="List, create and revoke API clients").click()
        page.get_by_label("Name (the system that will use it)").fill(name)
        page.get_by_label("Bureau it screens for").select_option("DE")
        with page.expect_response(lambda r: r.request.method == "POST") as created:
            page.get_by_role("button", name="Create the client and its key").click()
        assert created.value.headers["cache-control"] == "no-store"
        expect(page.get_by_role("heading", name=f"API client created: {name}")).to_be_visible()
        key = page.get_by_label("API key").input_value()
        found = re.fullmatch(r"ilk_([A-Za-z0-9]+)_[A-Za-z0-9_-]+", key)
        assert found, key
        page.get_by_role("link", name="Done: back to the API clients").click()
        row = page.get_by_role("row", name=name)
        expect(row).to_contain_text(f"ilk_{found.group(1)}_…")
        assert key not in page.content()  # shown that once only
        row.get_by_role("button", name=f"Revoke {name}").click()
        expect(page.get_by_role("status")).to_contain_text("revoked")
        expect(page.get_by_role("row", name=name)).to_contain_text("revoked")


def test_an_auditor_searches_verifies_and_exports_the_trail(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    with signed_in(browser, server, "auditor") as page:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
        page.get_by_label("Action").select_option("auth.login")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/audit?*action=auth.login*")
        actions = page.locator("table.audit tbody tr td:nth-child(5)").all_inner_texts()
        assert actions and set(actions) == {"auth.login"}, actions
        expect(page.locator("table.audit tbody tr").first).to_contain_text("auditor")

        page.get_by_role("link", name="Verify the hash chain").click()
        expect(page.get_by_role("status")).to_contain_text("Intact:")
        expect(page.get_by_role("alert")).to_have_count(0)

        page.get_by_role("link", name="Back to the trail").click()
        page.get_by_label("Action").select_option("auth.login")
        page.get_by_role("button", name="Search").click()
        with page.expect_download() as download:
            page.get_by_role("link", name="CSV").click()
        assert re.fullmatch(r"audit-\d{8}-\d{6}\.csv", download.value.suggested_filename)
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
    rows = list(csv.reader(saved.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == list(EXPORT_FIELDS)
    action = EXPORT_FIELDS.index("action")
    assert len(rows) > 1 and {row[action] for row in rows[1:]} == {"auth.login"}
    assert any(row[EXPORT_FIELDS.index("actor")] == "auditor" for row in rows[1:])


def test_a_yellow_notice_request_shows_its_error_on_the_field(browser: Any, server: Server) -> None:
    with signed_in(browser, server, "fr.officer") as page:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Notices").click()
        page.get_by_role("link", name="Request a notice").click()
        page.get_by_role("link", name="Yellow notice").click()
        page.wait_for_url(f"{server.base}/notices/new/yellow")
        person = page.get_by_label("Person (a record of your bureau)")
        options = person.locator("option").all_inner_texts()[1:]
        missing = [o for o in options if "(missing-persons)" in o]
        person.select_option(label=(missing or options)[0])
        page.get_by_label("Missing since").fill("2025-11-03")
        page.get_by_label("Missing place").fill("Marseille")
        page.get_by_label("Missing country").fill("FR")
        page.get_by_role("button", name="Save the draft").click()  # no summary yet
        summary = page.get_by_label("Summary of the facts")
        expect(summary).to_have_attribute("aria-invalid", "true")
        error = page.locator("#data-summary-error")
        expect(error).to_be_visible()
        assert "data-summary-error" in (summary.get_attribute("aria-describedby") or "")
        expect(page.get_by_label("Missing place")).to_have_value("Marseille")  # kept
        summary.fill("Left her home in Marseille on 3 November 2025 and was not seen again.")
        page.get_by_role("button", name="Save the draft").click()
        page.wait_for_url(re.compile(r"/notices/[0-9a-f-]{36}$"))
        expect(page.locator("#status")).to_have_text("draft")
        expect(page.get_by_role("heading", level=1)).to_contain_text("YELLOW")


def test_a_user_changes_their_password_and_signs_in_with_it(browser: Any, server: Server) -> None:
    username, new = f"pt.e2e-{secrets.token_hex(3)}", f"second-{secrets.token_hex(6)}"
    add_users(server.url, username)  # a fresh officer of PT, no demo user
    with signed_in(browser, server, username, PASSWORD) as page:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
        expect(page.get_by_role("heading", name=f"Profile: {username}")).to_be_visible()
        form = page.get_by_role("region", name="Change your password")
        form.get_by_label("Current password").fill(PASSWORD)
        form.get_by_label("New password (required)", exact=True).fill(new)
        form.get_by_label("New password again").fill(new + "x")
        form.get_by_role("button", name="Change the password").click()
        again = form.get_by_label("New password again")
        expect(again).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#new_password_again-error")).to_have_text(
            "the two new passwords differ"
        )
        form.get_by_label("Current password").fill(PASSWORD)
        form.get_by_label("New password (required)", exact=True).fill(new)
        again.fill(new)
        form.get_by_role("button", name="Change the password").click()
        expect(form.get_by_role("status")).to_have_text("Your password was changed.")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(re.compile(r"/signin"))
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(PASSWORD)  # the old one no longer works
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_be_visible()
    with signed_in(browser, server, username, new) as page:
        expect(page.get_by_role("heading", name="Bureau workspace: PT")).to_be_visible()
