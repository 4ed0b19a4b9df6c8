"""Browser tests: Debian's Chromium driven by Playwright against a real server serving the
demo network on a private SQLite file. Without Chromium they skip, except in CI, where
``.ci/run`` installs it and a missing browser fails the run."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from interlink.cli import app as cli
from tests.conftest import IN_CI
from tests.messaging.live import Server

CHROMIUM = os.environ.get("INTERLINK_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield launched
        launched.close()


SECRET = secrets.token_hex(32)  # seeds the demo's signing keys and signs the server's tokens


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.db'}"
    env = {"INTERLINK_DATABASE_URL": url, "INTERLINK_SECRET_KEY": SECRET}
    seeded = CliRunner().invoke(cli, ["demo", "--seed-only"], env=env)
    assert seeded.exit_code == 0, seeded.output
    return url


@pytest.fixture(scope="session")
def server(demo_url: str) -> Iterator[Server]:
    running = Server(demo_url, secret=SECRET).start()
    yield running
    running.stop()
