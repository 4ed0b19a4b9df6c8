"""Take the README's screenshots of the console: ``.venv/bin/python docs/screenshots.py``.

Seeds the demo into a temporary SQLite file, serves it, and photographs each main page
in Debian's Chromium (Playwright) at 1280 px into ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).parent / "screenshots"
CHROMIUM = os.environ.get("INTERLINK_CHROMIUM", "/usr/bin/chromium")


def _serve(url: str, secret: str) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "INTERLINK_DATABASE_URL": url, "INTERLINK_SECRET_KEY": secret,
           "INTERLINK_LOG_LEVEL": "WARNING"}  # fmt: skip
    subprocess.run([sys.executable, "-m", "interlink.cli", "demo", "--seed-only"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    command = [sys.executable, "-m", "interlink.cli", "serve", "--port", "8765"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = "http://127.0.0.1:8765"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/api/v1/health").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    return process, base


def _sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/signin")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


# (file, user, page, what to do there before the picture)
SHOTS: list[tuple[str, str, str, str]] = [
    ("workspace.png", "de.officer", "/", "screen"),
    ("records.png", "de.officer", "/records/persons", ""),
    ("record-form.png", "de.officer", "/records/vehicles/new", ""),
    ("messages.png", "de.officer", "/messages", ""),
    ("batch-job.png", "de.officer", "/screen/batch", "batch"),
    ("notices.png", "fr.officer", "/notices", ""),
    ("notice-types.png", "fr.officer", "/notices/new", ""),
    ("notice-request.png", "fr.officer", "/notices/new/red", ""),
    ("diffusion-request.png", "fr.officer", "/diffusions/new/red", ""),
    ("review-desk.png", "gs.reviewer", "/review", ""),
    ("notice-review.png", "gs.reviewer", "/review", "first"),
    ("command-centre.png", "ccc.operator", "/ccc", ""),
    ("operations.png", "ccc.operator", "/operations", ""),
    ("operation.png", "ccc.operator", "/operations", "first"),
    ("incident.png", "ccc.operator", "/incidents", "first"),
    ("admin-users.png", "admin", "/admin/users", ""),
    ("admin-keys.png", "admin", "/admin/keys", ""),
    ("audit.png", "auditor", "/audit", ""),
    ("audit-verify.png", "auditor", "/audit/verify", ""),
    ("profile.png", "de.supervisor", "/profile", ""),
    ("link-graph.png", "analyst", "/analysis/graph?q=Benali", "graph"),
    ("trends.png", "analyst", "/analysis/trends", ""),
]


def _act(page: Page, base: str, action: str, tmp: Path) -> None:
    if action == "screen":
        page.get_by_label("Name").fill("Louis Techer")
        page.get_by_role("button", name="Screen").click()
        page.wait_for_selector("#screen-results .verdict")
    elif action == "first":
        page.locator("main table a, main .list a").first.click()
        page.wait_for_load_state()
    elif action == "graph":
        page.locator("#found a", has_text="Karim Benali").click()
        page.select_option("#depth", "3")
        page.get_by_role("button", name="Show").click()
        page.wait_for_function("() => window.interlinkGraph && interlinkGraph.nodes().length > 3")
        page.wait_for_timeout(500)
    elif action == "batch":
        manifest = tmp / "flight-LH123.csv"
        rows = [f"P{n},Passenger Number{n},1980-01-0{n % 9 + 1}" for n in range(1, 200)]
        rows.append("P200,Louis Techer,")
        manifest.write_text("id,name,date_of_birth\n" + "\n".join(rows) + "\n")
        page.get_by_label("Manifest (CSV, at most 32 MB)").set_input_files(str(manifest))
        page.get_by_role("button", name="Screen them").click()
        page.wait_for_selector("#job .badge.finished", timeout=60_000)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        process, base = _serve(f"sqlite:///{Path(tmp) / 'demo.db'}", secrets.token_hex(32))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True,
                    args=["--no-sandbox", "--disable-background-networking"],
                )  # fmt: skip
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                page.goto(f"{base}/signin")
                page.screenshot(path=OUT / "signin.png")
                user = ""
                for name, username, path, action in SHOTS:
                    if username != user:
                        _sign_in(page, base, username)
                        user = username
                    page.goto(f"{base}{path}")
                    _act(page, base, action, Path(tmp))
                    page.wait_for_timeout(300)
                    page.screenshot(path=OUT / name, full_page=True)
                tablet = browser.new_page(viewport={"width": 768, "height": 1024})
                _sign_in(tablet, base, "de.officer")
                tablet.screenshot(path=OUT / "workspace-tablet.png", full_page=True)
                browser.close()
        finally:
            process.terminate()
            process.wait()
    print("\n".join(sorted(str(path) for path in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
