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
                _sign_in(page, base, "de.officer")
                page.get_by_label("Name").fill("Louis Techer")
                page.get_by_role("button", name="Screen").click()
                page.wait_for_timeout(1500)
                page.screenshot(path=OUT / "workspace.png", full_page=True)
                _sign_in(page, base, "fr.officer")
                page.goto(f"{base}/notices")
                page.screenshot(path=OUT / "notices.png", full_page=True)
                page.goto(f"{base}/notices/new")
                page.screenshot(path=OUT / "notice-request.png", full_page=True)
                _sign_in(page, base, "gs.reviewer")
                page.goto(f"{base}/review")
                page.screenshot(path=OUT / "review-desk.png", full_page=True)
                page.locator("main a").first.click()
                page.wait_for_timeout(500)
                page.screenshot(path=OUT / "notice-review.png", full_page=True)
                _sign_in(page, base, "ccc.operator")
                page.goto(f"{base}/ccc")
                page.wait_for_timeout(1000)
                page.screenshot(path=OUT / "command-centre.png", full_page=True)
                browser.close()
        finally:
            process.terminate()
            process.wait()
    print("\n".join(sorted(str(path) for path in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
