"""Batch screening through the CLI: ``interlink screen MANIFEST --out REPORT``.

Seeds the demo network into a temporary SQLite file, imports synthetic persons (as
bench/screening_speed.py makes them, visible to all members), writes a manifest of
travellers (one in ten a listed person with a typing error or swapped names, the rest
strangers, half of all rows with a passport number) and times ``interlink screen`` as
the demo's German officer, end to end (reading the manifest, building the index,
screening, writing the report and the audit entries), with one and two worker processes.

``python -m bench screening_batch [--quick]`` (quick: 100,000 persons, 20,000 travellers;
full: 1,000,000 persons, 100,000 travellers).
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.demo_database import seed_demo
from bench.screening_speed import _records, _variant
from interlink.access import Visibility, VisibilityMode
from interlink.core.db import make_engine, make_session_factory
from interlink.interop.base import ParsedItem
from interlink.members.models import Bureau
from interlink.records.importer import import_items

WORKERS = (1, 2)  # interlink screen --workers (this machine has two cores)
COMMAND = (sys.executable, "-m", "interlink.cli", "screen", "--as", "de.officer")


def _import(url: str, records: list[dict[str, object]]) -> float:
    engine = make_engine(url)
    started = time.perf_counter()
    with make_session_factory(engine)() as session:
        owner = session.scalars(select(Bureau).where(Bureau.code == "FR")).one()
        items = (
            ParsedItem(number, "persons", f"p-{number}", data)
            for number, data in enumerate(records)
        )
        import_items(
            session,
            items,
            owner=owner,
            visibility=Visibility(mode=VisibilityMode.ALL_MEMBERS),
            actor_name="bench",
            source="bench",
            batch_size=20_000,
        )
    engine.dispose()
    return time.perf_counter() - started


def _manifest(path: Path, records: list[dict[str, object]], count: int) -> None:
    rng = random.Random(count)
    strangers = _records(count, random.Random(count + 7))
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "name", "date_of_birth", "nationality", "document_number"])
        for number in range(count):
            if number % 10 == 0:
                data = records[rng.randrange(len(records))]
                name = _variant(data, rng)
            else:
                data = strangers[number]
                name = f"{data['given_name']} {data['family_name']}"
            passport = f"P{rng.randrange(10**8):08d}" if number % 2 else ""
            country = str(next(iter(data["nationalities"])))  # type: ignore[call-overload]
            writer.writerow([f"t{number}", name, data["date_of_birth"], country, passport])


def run() -> None:
    persons, travellers = (100_000, 20_000) if "--quick" in sys.argv else (1_000_000, 100_000)
    records = _records(persons, random.Random(persons))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'batch.db'}"
        env = seed_demo(url)
        imported = _import(url, records)
        manifest = Path(tmp) / "manifest.csv"
        _manifest(manifest, records, travellers)
        results = []
        for workers in WORKERS:
            report = Path(tmp) / "report.csv"
            started = time.perf_counter()
            done = subprocess.run(
                [*COMMAND, str(manifest), "--out", str(report), "--workers", str(workers)],
                env=env,
                capture_output=True,
                text=True,
            )
            elapsed = time.perf_counter() - started
            if done.returncode != 0:
                raise RuntimeError(done.stdout + done.stderr)
            summary = next(line for line in done.stdout.splitlines() if "screened" in line)
            results.append((workers, elapsed, summary.split(";")[0]))
    print(
        "| persons | travellers | import | workers | screening (end to end) | travellers/s "
        "| summary |"
    )
    print("|---|---|---|---|---|---|---|")
    for workers, elapsed, summary in results:
        print(
            f"| {persons:,} | {travellers:,} | {imported:.0f} s | {workers} | {elapsed:.0f} s | "
            f"{travellers / elapsed:,.0f} | {summary} |"
        )


if __name__ == "__main__":
    run()
