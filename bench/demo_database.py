"""The demo network seeded into a database of a benchmark's own, by the real command."""

from __future__ import annotations

import os
import subprocess
import sys


def seed_demo(url: str, secret: str | None = None) -> dict[str, str]:
    """Run ``interlink demo --seed-only`` against ``url``; returns the environment that
    points the command line (and a server) at that database. The demo's messages are
    signed with keys sealed by ``secret``: a server given the same one can open them."""
    env = {**os.environ, "INTERLINK_DATABASE_URL": url, "INTERLINK_LOG_LEVEL": "WARNING"}
    env["INTERLINK_RATE_LIMITS"] = "false"  # the benchmarks measure capacity, not limits
    if secret:
        env["INTERLINK_SECRET_KEY"] = secret
    subprocess.run(
        [sys.executable, "-m", "interlink.cli", "demo", "--seed-only"],
        env=env,
        check=True,
        capture_output=True,
    )
    return env
