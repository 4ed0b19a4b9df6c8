"""Document screening latency against 10,000,000 stolen travel documents (SQLite).

Seeds the demo network into a temporary SQLite file, then adds 10,000,000 travel
documents owned by one bureau and visible to all members. To load them in minutes rather
than the hour a validated import takes, one document per issuing country is validated
by its model and the others are copies of it with their own number (so every stored
column is what an import writes: data, title, search text, lookup key). Then screens,
as the demo's German officer and through ``screening.service.screen`` (access policy,
audit entry, commit: everything but HTTP), 2,000 document numbers: half listed, half
not, in random order, and reports p50 / p99 per lookup: once without the audit entry
(the lookup itself), once with it (what the API does).

``python -m bench document_lookup [--quick]`` (quick: 1,000,000 documents). With
``INTERLINK_BENCH_DOCUMENTS_DB=path`` the database is kept there and reused by later runs.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import select

from bench.demo_database import seed_demo
from interlink.access import Visibility, VisibilityMode
from interlink.core.db import make_engine, make_session_factory
from interlink.core.types import utcnow
from interlink.members.auth import actor_for_user
from interlink.members.models import Bureau, User
from interlink.records.bulk import insert_rows
from interlink.records.kinds import KINDS
from interlink.records.models import Record
from interlink.records.service import encoded_columns
from interlink.screening import service
from interlink.screening.index import ScreeningIndex
from interlink.screening.schemas import ScreenRequest

BATCH = 50_000
LOOKUPS = 2_000
PLACEHOLDER = "ZZ0000000"
COUNTRIES = ["FR", "DE", "IT", "ES", "PL", "TR", "EG", "BR", "CN", "US"]
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O or Q: numbers are their own lookup key


def _number(i: int) -> str:
    high, low = divmod(i, 10_000_000)
    return f"{LETTERS[high // len(LETTERS) % len(LETTERS)]}{LETTERS[high % len(LETTERS)]}{low:07d}"


def _templates() -> list[tuple[str, dict[str, str | None]]]:
    visibility = Visibility(mode=VisibilityMode.ALL_MEMBERS)
    templates = []
    for country in COUNTRIES:
        data = KINDS["travel-documents"].model_validate(
            {
                "number": PLACEHOLDER,
                "document_type": "passport",
                "issuing_country": country,
                "status": "stolen",
            }
        )
        columns, text = encoded_columns(data, visibility)
        templates.append((text, columns))
    return templates


def _load(url: str, count: int) -> float:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    templates = _templates()
    started = time.perf_counter()
    with factory() as session:
        owner = session.scalars(select(Bureau).where(Bureau.code == "FR")).one()
        now = utcnow()
        shared = {
            "kind": "travel-documents",
            "owner_bureau_id": owner.id,
            "version": 1,
            "created_at": now,
            "created_by": "bench",
            "updated_at": now,
            "updated_by": "bench",
            "screening_details": "full",
            **Record.visibility_columns(Visibility(mode=VisibilityMode.ALL_MEMBERS)),
        }
        for start in range(0, count, BATCH):
            rows = []
            for i in range(start, min(start + BATCH, count)):
                number = _number(i)
                text, columns = templates[i % len(templates)]
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "source_id": f"sltd-{i}",
                        "fingerprint": uuid.uuid4().hex,
                        "title": str(columns["title"]).replace(PLACEHOLDER, number),
                        "search_text": str(columns["search_text"]).replace(
                            PLACEHOLDER.lower(), number.lower()
                        ),
                        "lookup_key": number,
                        "data": text.replace(PLACEHOLDER, number),
                    }
                )
            insert_rows(session, Record.__table__, shared, rows, preencoded=frozenset({"data"}))
            session.commit()
            done = start + len(rows)
            if done % 1_000_000 == 0:
                rate = done / (time.perf_counter() - started)
                print(f"  loaded {done:,} documents ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    engine.dispose()
    return time.perf_counter() - started


def _lookups(url: str, count: int) -> tuple[dict[bool, list[float]], dict[bool, list[float]]]:
    """Latencies of listed and unlisted numbers, without (False) and with (True) the
    screening's audit entry."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    rng = random.Random(count)
    listed = [_number(rng.randrange(count)) for _ in range(LOOKUPS // 2)]
    absent = [f"QQ{rng.randrange(10**7):07d}" for _ in range(LOOKUPS // 2)]
    queries = [(number, True) for number in listed] + [(number, False) for number in absent]
    rng.shuffle(queries)
    index = ScreeningIndex()
    found: dict[bool, list[float]] = {False: [], True: []}
    missing: dict[bool, list[float]] = {False: [], True: []}
    with factory() as session:
        user = session.scalars(select(User).where(User.username == "de.officer")).one()
        actor = actor_for_user(user)
        session.commit()
        warm = ScreenRequest.model_validate({"document": {"number": listed[0]}})
        service.screen(session, warm, actor=actor, index=index)  # builds the person index
        session.commit()
        for audited in (False, True):
            for number, is_listed in queries:
                request = ScreenRequest.model_validate({"document": {"number": number}})
                started = time.perf_counter()
                result = service.screen(session, request, actor=actor, index=index, audited=audited)
                session.commit()
                elapsed = time.perf_counter() - started
                if result["hit"] != is_listed:
                    raise AssertionError(f"{number}: expected hit={is_listed}, got {result['hit']}")
                (found if is_listed else missing)[audited].append(elapsed)
    engine.dispose()
    return found, missing


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * share) - 1, 0)] * 1000


def run() -> None:
    count = 1_000_000 if "--quick" in sys.argv else 10_000_000
    kept = os.environ.get("INTERLINK_BENCH_DOCUMENTS_DB")  # load once, measure again later
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(kept) if kept else Path(tmp) / "documents.db"
        url = f"sqlite:///{path}"
        seconds = None
        if not path.exists():
            seed_demo(url)
            seconds = _load(url, count)
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1024**3
        found, missing = _lookups(url, count)
    load = f"{seconds:.0f} s" if seconds is not None else "(kept)"
    print(
        "| documents | load | database | lookups | audited | listed p50 / p99 "
        "| not listed p50 / p99 |"
    )
    print("|---|---|---|---|---|---|---|")
    for audited in (False, True):
        print(
            f"| {count:,} (SQLite) | {load} | {size:.1f} GB | {LOOKUPS:,} | "
            f"{'yes' if audited else 'no'} | "
            f"{statistics.median(found[audited]) * 1000:.2f} / {_p(found[audited], 0.99):.2f} ms | "
            f"{statistics.median(missing[audited]) * 1000:.2f} / "
            f"{_p(missing[audited], 0.99):.2f} ms |"
        )


if __name__ == "__main__":
    run()
