"""Console page loads: server time of each main page on the demo network.

Seeds the demo into a private SQLite file, serves it with one worker, signs in as the
user each page is for, and loads every page 20 times (after one warm-up load). The
figure is the server's own time from its ``Server-Timing`` header (request in to
response out, without the network); the goal is under 200 ms.
"""

from __future__ import annotations

import re
import statistics
import tempfile
from pathlib import Path

import httpx

from bench.servers import serve

PASSWORD = "demo-password"
ROUNDS = 20
GOAL_MS = 200.0
PAGES = [
    ("de.officer", "/"),
    ("de.officer", "/records"),
    ("de.officer", "/records/persons"),
    ("de.officer", "/messages"),
    ("de.officer", "/notices"),
    ("de.officer", "/notices/new"),
    ("de.officer", "/notices/new/red"),
    ("de.officer", "/screen/batch"),
    ("de.officer", "/profile"),
    ("de.supervisor", "/admin/users"),
    ("gs.reviewer", "/review"),
    ("ccc.operator", "/ccc"),
    ("ccc.operator", "/operations"),
    ("ccc.operator", "/operations/OP-2026-0001"),
    ("ccc.operator", "/incidents"),
    ("ccc.operator", "/incidents/IR-2026-0001"),
    ("admin", "/admin"),
    ("admin", "/admin/api-clients"),
    ("admin", "/admin/keys"),
    ("auditor", "/audit"),
    ("auditor", "/audit/verify"),
]


def _sign_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    client.get("/signin")
    form = {"username": username, "password": PASSWORD,
            "csrf_token": client.cookies.get("interlink_csrf") or ""}  # fmt: skip
    answer = client.post("/signin", data=form)
    if answer.status_code != 303:
        raise SystemExit(f"sign-in as {username} failed: {answer.status_code}")
    return client


def _server_ms(response: httpx.Response) -> float:
    found = re.search(r"dur=([0-9.]+)", response.headers.get("server-timing", ""))
    return float(found.group(1)) if found else float("nan")


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server, base = serve(f"sqlite:///{Path(tmp) / 'demo.db'}", workers=1)
        try:
            clients: dict[str, httpx.Client] = {}
            print(f"{'page':<26} {'user':<14} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
            worst = 0.0
            for user, path in PAGES:
                client = clients.get(user) or clients.setdefault(user, _sign_in(base, user))
                first = client.get(path)
                if first.status_code != 200:
                    print(f"{path:<26} {user:<14} answered {first.status_code}")
                    continue
                times = sorted(_server_ms(client.get(path)) for _ in range(ROUNDS))
                p95 = times[int(0.95 * (len(times) - 1))]
                worst = max(worst, p95)
                print(f"{path:<26} {user:<14} {statistics.median(times):8.1f} {p95:8.1f} "
                      f"{times[-1]:8.1f}")  # fmt: skip
            verdict = "met" if worst < GOAL_MS else "NOT met"
            print(f"slowest page p95: {worst:.1f} ms (goal < {GOAL_MS:.0f} ms: {verdict})")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    run()
