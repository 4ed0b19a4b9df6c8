"""The analyst's pages in a real browser: the link graph drawn from the demo's
cross-border ring (found by the identifiers its records share), a node expanded, a link
explained; the trend charts and early warnings."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.test_console import _sign_in
from tests.messaging.live import Server

# The drawing's record nodes (the phones, addresses ... around them are nodes too).
RECORD_NODES = "interlinkGraph.nodes().filter(n => n.data('href').startsWith('/records/'))"
RECORDS = f"{RECORD_NODES}.length"


def test_the_link_graph_finds_the_ring(browser: Any, server: Server) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    _sign_in(page, server, "analyst")
    page.get_by_role("link", name="Link graph").first.click()
    page.get_by_label("Find a record (name, number, words)").fill("Benali")
    page.get_by_role("button", name="Find").click()
    page.locator("#found a", has_text="Karim Benali").click()
    page.wait_for_function(f"() => window.interlinkGraph && {RECORDS} === 3")
    # Two associates the French record states; nothing yet from other bureaus.
    owners = page.evaluate(f"{RECORD_NODES}.map(n => n.data('owner')).sort()")
    assert owners == ["FR", "FR", "FR"]
    # Expand Lucas Moreau: the German stolen passport whose number he carries.
    page.evaluate("""window.interlinkGraph.nodes().filter(n => n.data('label') === 'Lucas Moreau')
                     .emit('tap')""")
    page.get_by_role("button", name="Expand").click()
    page.wait_for_function(f"() => {RECORDS} === 4")
    page.evaluate("window.interlinkGraph.edges('.derived').emit('tap')")
    expect(page.locator("#details")).to_contain_text("both hold the document C4RT7Y1Z9")
    # Three links away: the Dutch phone and the Spanish e-mail address.
    page.select_option("#depth", "3")
    page.get_by_role("button", name="Show").click()
    page.wait_for_function(f"() => window.interlinkGraph && {RECORDS} === 6")
    expect(page.locator("#edges")).to_contain_text("both hold the phone +31648127730")
    expect(page.locator("#edges")).to_contain_text(
        re.compile(r"email .* \((ES and NL|NL and ES)\)")
    )
    page.get_by_role("link", name="Javier Ortega").click()
    expect(page.locator("h1")).to_have_text("Javier Ortega")
    assert problems == []
    page.close()


def test_trends_and_early_warnings(browser: Any, server: Server) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, server, "analyst")
    page.get_by_role("link", name="Trends").first.click()
    expect(page.locator("figure.chart").first).to_be_visible()
    warning = page.locator("#warnings li.warning").first
    expect(warning).to_contain_text("documents at several borders")
    warning.locator("summary").click()  # what is behind it: the records, to open
    link = warning.locator("details a").first
    title = link.inner_text()
    link.click()
    expect(page.locator("h1")).to_have_text(title)
    page.close()
