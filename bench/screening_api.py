"""Latency of ``POST /api/v1/screen`` through a real server on loopback.

Seeds the demo network into a temporary SQLite file, serves it with ``interlink serve``
in another process, signs in as an officer, then sends person and document queries
(demo records' names with a typo; document numbers) from a few client threads and
reports requests/s and p50/p99 latency.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core.db import make_engine
from interlink.records.models import Record

REQUESTS = 2_000
CLIENTS = 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _queries(url: str) -> list[dict[str, object]]:
    engine = make_engine(url)
    with Session(engine) as session:
        persons = session.scalars(select(Record.data).where(Record.kind == "persons")).all()
        documents = session.scalars(
            select(Record.data).where(Record.kind == "travel-documents")
        ).all()
    engine.dispose()
    queries: list[dict[str, object]] = []
    for data in persons:
        name = data.get("full_name") or data.get("original_script_name")
        queries.append({"person": {"name": name[:-1], "date_of_birth": data.get("date_of_birth")}})
    queries += [{"document": {"number": data["number"]}} for data in documents]
    return queries


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        env = {**os.environ, "INTERLINK_DATABASE_URL": url, "INTERLINK_LOG_LEVEL": "WARNING"}
        subprocess.run(
            [sys.executable, "-m", "interlink.cli", "demo", "--seed-only"],
            env=env,
            check=True,
            capture_output=True,
        )
        port = _free_port()
        env["INTERLINK_SECRET_KEY"] = secrets.token_hex(32)
        server = subprocess.Popen(
            [sys.executable, "-m", "interlink.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/api/v1/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            token = httpx.post(
                f"{base}/api/v1/auth/token",
                data={"username": "de.officer", "password": "demo-password"},
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            queries = _queries(url)
            with httpx.Client(base_url=base, headers=headers) as warm:
                warm.post("/api/v1/screen", json=queries[0])  # builds the index
            latencies: list[float] = []
            errors = 0

            def one(i: int) -> None:
                nonlocal errors
                with httpx.Client(base_url=base, headers=headers) as client:
                    for n in range(i, REQUESTS, CLIENTS):
                        started = time.perf_counter()
                        response = client.post(
                            "/api/v1/screen",
                            content=json.dumps(queries[n % len(queries)]),
                            headers={"Content-Type": "application/json"},
                        )
                        latencies.append(time.perf_counter() - started)
                        errors += response.status_code != 200

            started = time.perf_counter()
            with ThreadPoolExecutor(CLIENTS) as pool:
                list(pool.map(one, range(CLIENTS)))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait()
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print("| backend | clients | requests | requests/s | p50 | p99 | errors |")
    print("|---|---|---|---|---|---|---|")
    rate = REQUESTS / elapsed
    print(
        f"| SQLite (demo, ~3,000 records) | {CLIENTS} | {REQUESTS:,} | {rate:,.0f} | "
        f"{p50:.1f} ms | {p99:.1f} ms | {errors} |"
    )


if __name__ == "__main__":
    run()
