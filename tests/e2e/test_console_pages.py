"""More of the console in a real browser: the command centre's map and charts, a batch
screening upload followed to its report, and the quality bars (keyboard, tablet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.test_console import _shared_person, _sign_in
from tests.messaging.live import Server


def test_the_command_centre_shows_the_map_and_charts(browser: Any, server: Server) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, server, "ccc.operator")
    page.goto(f"{server.base}/ccc")
    world = page.locator("svg.worldmap")
    assert world.is_visible()
    assert page.locator("svg.worldmap path[data-country]").count() > 150
    # The demo's activity shades countries; the table says the same in words.
    shaded = page.locator("svg.worldmap path[data-country]:not([fill='#eef0f2'])")
    assert shaded.count() > 0
    assert page.locator("table.busiest tbody tr").count() > 0
    for title in ("Hits per hour", "Notices by type", "Time to confirm a hit"):
        assert page.locator("figure.chart", has_text=title).is_visible()
    page.close()


def test_a_batch_upload_shows_progress_and_its_report(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    person = _shared_person(server.url, not_owned_by="DE")
    manifest = tmp_path / "flight.csv"
    rows = [f"T{n},Traveller Number{n},1980-01-0{n % 9 + 1}" for n in range(1, 40)]
    name = f"{person['given_name']} {person['family_name']}"
    rows.append(f"T40,{name},{person['date_of_birth']}")
    manifest.write_text("id,name,date_of_birth\n" + "\n".join(rows) + "\n", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, server, "de.officer")
    page.get_by_role("link", name="Screen a manifest of travellers (batch)").click()
    page.get_by_label("Manifest (CSV, at most 32 MB)").set_input_files(str(manifest))
    page.get_by_role("button", name="Screen them").click()
    # The job's page, once the upload has gone through (slow on a loaded machine).
    page.locator("progress#job-progress").wait_for(state="visible", timeout=30_000)
    page.wait_for_selector("#job .badge.finished", timeout=30_000)  # htmx polls the job
    assert page.locator("#job").inner_text().count("of 40") == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (flight-report.csv)").click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert any(line.startswith("T40,true,") for line in report.splitlines())
    page.close()


MAIN_PAGES = {
    "de.officer": ["/", "/records/persons", "/records/persons/new", "/messages/new", "/notices",
                   "/notices/new/red", "/screen/batch", "/records/import", "/profile", "/groups"],
    "gs.reviewer": ["/review"],
    "ccc.operator": ["/ccc", "/operations", "/operations/OP-2026-0001", "/incidents",
                     "/incidents/IR-2026-0001"],
    "admin": ["/admin/users", "/admin/api-clients", "/admin/keys", "/groups"],
    "auditor": ["/audit", "/audit/verify"],
    "analyst": ["/analysis/trends", "/analysis/graph?q=Benali"],
}  # fmt: skip


def test_keyboard_and_tablet(browser: Any, server: Server) -> None:
    page = browser.new_page(viewport={"width": 768, "height": 1024})
    problems: list[str] = []  # script errors, refused resources, policy violations
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)  # fmt: skip
    _sign_in(page, server, "de.officer")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    for user, paths in MAIN_PAGES.items():
        if user != "de.officer":
            page.context.clear_cookies()
            _sign_in(page, server, user)
        for path in paths:
            page.goto(f"{server.base}{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways on a tablet by {overflow} px"
            assert problems == [], f"{path}: {problems}"
    # The quick screening form is usable from the keyboard alone.
    page.context.clear_cookies()
    _sign_in(page, server, "de.officer")
    page.get_by_label("Name").focus()
    page.keyboard.type("Nobody Atall")
    page.keyboard.press("Enter")
    page.wait_for_selector("#screen-results :text('No hit')", timeout=10_000)
    page.close()
