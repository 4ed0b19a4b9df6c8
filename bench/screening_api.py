"""Latency of ``POST /api/v1/screen`` through a real server on loopback.

For each backend (a temporary SQLite file; a temporary PostgreSQL database when the
server at ``INTERLINK_BENCH_POSTGRES`` answers, default the local one) seeds the demo
network, serves it with ``interlink serve`` in another process, signs in as an officer,
then sends person and document queries (demo records' names with a typo; document
numbers) from a few client threads and reports requests/s and p50/p99 latency; then
sends the same queries through ``/screen/stream`` (one request of NDJSON lines) and
reports screenings/s. Every screening writes its audit entry.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.servers import POSTGRES, drop_postgres_database, postgres_database, serve
from interlink.core.db import make_engine
from interlink.records.models import Record

REQUESTS = 2_000
CLIENTS = 8
STREAMED = 2_000
WORKERS = (1, 2)  # server processes (this machine has two cores)


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


def _measure(label: str, url: str, workers: int) -> None:
    server, base = serve(url, workers)
    try:
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": "de.officer", "password": "demo-password"},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        queries = _queries(url)
        with httpx.Client(base_url=base, headers=headers) as warm:
            for _ in range(4 * workers):  # builds each worker's index
                warm.post("/api/v1/screen", json=queries[0])
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
        lines = "\n".join(json.dumps(queries[n % len(queries)]) for n in range(STREAMED))
        started = time.perf_counter()
        answered = httpx.post(
            f"{base}/api/v1/screen/stream", content=lines, headers=headers, timeout=600
        ).text.splitlines()
        streamed = time.perf_counter() - started
        errors += sum('"error"' in line for line in answered) + abs(len(answered) - STREAMED)
    finally:
        server.terminate()
        server.wait()
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"| {label} (demo, ~3,000 records) | {workers} | {CLIENTS} | {REQUESTS:,} | "
        f"{REQUESTS / elapsed:,.0f} | {p50:.1f} ms | {p99:.1f} ms | "
        f"{STREAMED / streamed:,.0f} | {errors} |",
        flush=True,
    )


def run() -> None:
    print(
        "| backend | workers | clients | requests | requests/s | p50 | p99 "
        "| streamed screenings/s | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for workers in WORKERS:
        with tempfile.TemporaryDirectory() as tmp:
            _measure("SQLite", f"sqlite:///{Path(tmp) / 'demo.db'}", workers)
    for workers in WORKERS:
        name = postgres_database()
        if name is None:
            print(f"PostgreSQL at {POSTGRES} did not answer: skipped.")
            return
        try:
            _measure("PostgreSQL", f"{POSTGRES}/{name}", workers)
        finally:
            drop_postgres_database(name)


if __name__ == "__main__":
    run()
