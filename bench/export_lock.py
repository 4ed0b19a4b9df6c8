"""A long export on SQLite while other bureaus screen and sign in.

Seeds the demo network into a temporary SQLite file, imports 300,000 travel documents
owned by France and shared with every member (``interlink import``, the real importer),
serves it with ``interlink serve``, times France's export of every document alone
(``GET /api/v1/records/travel-documents/export``), then for ``SECONDS`` measures the
others alone: a few client threads, each signing in (as another bureau's officer) and
screening documents in turn; then the same clients again while France exports. An
export once held SQLite's write lock from its start to its end (38 s for 300,000
documents), and every screening and sign-in, each of which writes an audit entry,
failed after waiting 10 s.

Prints the export's time and size alone and beside the others, and per phase the
screenings' and sign-ins' count, errors and p99. ``python -m bench export_lock
--quick``: 30,000 documents.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.records_import import _documents_csv
from bench.servers import serve
from interlink.demo import DEMO_PASSWORD

DOCUMENTS = 300_000
CLIENTS = 4
SECONDS = 10.0
SCREENERS = ("de.officer", "it.officer", "es.officer", "nl.officer")


@dataclass
class Calls:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def timed(self, call: Callable[[], httpx.Response]) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = call()
        except httpx.HTTPError:
            self.errors += 1
            return None
        self.latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            self.errors += 1
            return None
        return response

    def row(self, label: str, what: str) -> str:
        done = sorted(self.latencies)
        p99 = done[max(int(len(done) * 0.99) - 1, 0)] * 1000 if done else float("nan")
        return f"| {label} | {what} | {len(done) + self.errors:,} | {self.errors} | {p99:.0f} ms |"


def _others(base: str, numbers: list[str], stop: threading.Event) -> tuple[Calls, Calls]:
    """Sign in and screen in turn from ``CLIENTS`` threads until ``stop``."""
    signins, screenings = Calls(), Calls()

    def client(index: int) -> None:
        username = SCREENERS[index % len(SCREENERS)]
        with httpx.Client(base_url=base, timeout=120) as http:
            n = index
            while not stop.is_set():
                answer = signins.timed(
                    lambda: http.post(
                        "/api/v1/auth/token",
                        data={"username": username, "password": DEMO_PASSWORD},
                    )
                )
                if answer is None:
                    continue
                headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
                for _ in range(4):  # a few screenings per sign-in
                    number = numbers[n % len(numbers)]
                    n += CLIENTS
                    screenings.timed(
                        lambda number=number, headers=headers: http.post(
                            "/api/v1/screen", json={"document": {"number": number}},
                            headers=headers,
                        )
                    )  # fmt: skip

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join()
    return signins, screenings


def _numbers(path: Path, count: int) -> list[str]:
    with path.open() as stream:
        next(stream)
        return [line.split(",")[1] for _, line in zip(range(count), stream, strict=False)]


def _export(base: str) -> tuple[float, int, int]:
    """France exports every document: seconds, HTTP status, bytes."""
    token = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": "fr.officer", "password": DEMO_PASSWORD}
    ).json()["access_token"]
    started = time.perf_counter()
    with httpx.stream(
        "GET", f"{base}/api/v1/records/travel-documents/export",
        headers={"Authorization": f"Bearer {token}"}, timeout=900,
    ) as response:  # fmt: skip
        size = sum(len(chunk) for chunk in response.iter_bytes())
    return time.perf_counter() - started, response.status_code, size


def _phase(label: str, base: str, numbers: list[str], *, export: bool) -> str:
    """The others for ``SECONDS`` (or while France exports); their rows, and the export's."""
    stop, found = threading.Event(), ""
    if export:

        def exporter() -> None:
            nonlocal found
            seconds, status, size = _export(base)
            found = f"{seconds:.1f} s, status {status}, {size:,} bytes"
            stop.set()

        thread = threading.Thread(target=exporter)
        thread.start()
    else:
        threading.Timer(SECONDS, stop.set).start()
    signins, screenings = _others(base, numbers, stop)
    if export:
        thread.join()
    print(signins.row(label, "sign-ins"), flush=True)
    print(screenings.row(label, "screenings"), flush=True)
    return found


def run(quick: bool = "--quick" in sys.argv) -> None:
    documents = DOCUMENTS // 10 if quick else DOCUMENTS
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'network.db'}"
        sltd = folder / "sltd.csv"
        _documents_csv(sltd, documents)
        server, base = serve(url, 1)
        try:
            subprocess.run(
                [sys.executable, "-m", "interlink.cli", "import", str(sltd), "--owner", "FR",
                 "--kind", "travel-documents", "--visibility", "all_members"],
                env={**os.environ, "INTERLINK_DATABASE_URL": url}, check=True,
                capture_output=True,
            )  # fmt: skip
            numbers = _numbers(sltd, 2000)
            seconds, status, size = _export(base)
            alone = f"{seconds:.1f} s, status {status}, {size:,} bytes"
            print(f"export of {documents:,} documents (CSV) alone: {alone}\n")
            print("| phase | calls | count | errors | p99 |")
            print("|---|---|---|---|---|")
            _phase(f"others alone ({SECONDS:.0f} s)", base, numbers, export=False)
            during = _phase("during the export", base, numbers, export=True)
            print(f"\nexport of {documents:,} documents (CSV) beside the others: {during}")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    run()
