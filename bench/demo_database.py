"""The demo network seeded into a database of a benchmark's own, by the real command."""

from __future__ import annotations

import os
import subprocess
import sys


def seed_demo(url: str) -> dict[str, str]:
    """Run ``interlink demo --seed-only`` against ``url``; returns the environment that
    points the command line (and a server) at that database."""
    env = {**os.environ, "INTERLINK_DATABASE_URL": url, "INTERLINK_LOG_LEVEL": "WARNING"}
    subprocess.run(
        [sys.executable, "-m", "interlink.cli", "demo", "--seed-only"],
        env=env,
        check=True,
        capture_output=True,
    )
    return env
