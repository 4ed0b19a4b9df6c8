"""Sign-in timing: what a wrong password costs under a real username and under an unknown
one, before and while their address must wait (``members/backoff.py``), in process on an
embedded SQLite file and (``INTERLINK_BENCH_POSTGRES``) on PostgreSQL. The figures should
be alike: a difference would tell an attacker which usernames exist."""

from __future__ import annotations

import secrets
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bench.servers import POSTGRES, drop_postgres_database, postgres_database
from interlink.access import Role
from interlink.app import create_app
from interlink.core.config import Settings
from interlink.core.db import make_engine, make_session_factory, migrate
from interlink.members.schemas import UserCreate
from interlink.members.service import create_user, ensure_network

TRIES = 40
"""Attempts measured per case, the cases taking turns (the machine's load then weighs on
each alike)."""


def _measure(label: str, url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        ensure_network(session)
        body = UserCreate(username="fr.bench", password="a long enough password",
                          role=Role.OFFICER, country="FR")  # fmt: skip
        create_user(session, body, actor=None)
        session.commit()
    # Per-minute allowances off: they answer before any work, alike for every name.
    settings = Settings(database_url=url, secret_key=secrets.token_hex(32), rate_limits=False,
                        watch_seconds=0, signin_backoff_after=1)  # fmt: skip
    app = create_app(settings, session_factory=make_session_factory(engine))

    def attempt(username: str, address: str) -> int:
        at = TestClient(app, client=(address, 1))
        form = {"username": username, "password": "not the password"}
        return at.post("/api/v1/auth/token", data=form).status_code

    # Each address fails once (the first failure: 401), then waits (429).
    cases = {
        "known username": ("fr.bench", "10.1", 401),
        "unknown username": ("no.such.user", "10.2", 401),
        "known, waiting": ("fr.bench", "10.1", 429),
        "unknown, waiting": ("no.such.user", "10.2", 429),
    }
    times: dict[str, list[float]] = {case: [] for case in cases}
    for n in range(TRIES):
        for case, (username, prefix, expected) in cases.items():
            started = time.perf_counter()
            status = attempt(username, f"{prefix}.{n // 250}.{n % 250}")
            times[case].append((time.perf_counter() - started) * 1000)
            assert status == expected, (case, status)
    engine.dispose()
    print(f"{label}: a wrong password, median (p90) of {TRIES} attempts each:")
    for case, measured in times.items():
        p90 = statistics.quantiles(measured, n=10)[-1]
        print(f"  {case:<18} {statistics.median(measured):6.1f} ms ({p90:6.1f} ms)")


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}")
    name = postgres_database()
    if name is None:
        print("PostgreSQL: not reachable, skipped")
        return
    try:
        _measure("PostgreSQL", f"{POSTGRES}/{name}")
    finally:
        drop_postgres_database(name)


if __name__ == "__main__":
    run()
