"""Audit trail: how fast entries are appended (one per transaction and in batches) and
how fast the whole chain verifies, on an embedded SQLite file."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from interlink.audit import AuditAction, record, verify_chain
from interlink.core.db import make_engine, migrate

SINGLE = 2_000
BATCHED = 50_000
BATCH = 500


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        with Session(engine) as session:
            started = time.perf_counter()
            for index in range(SINGLE):
                record(session, AuditAction.RECORD_READ, actor_name="bench", object_id=str(index))
                session.commit()
            single = time.perf_counter() - started
            started = time.perf_counter()
            for index in range(BATCHED):
                record(
                    session,
                    AuditAction.RECORD_UPDATE,
                    actor_name="bench",
                    object_id=str(index),
                    before={"status": "stolen"},
                    after={"status": "recovered"},
                )
                if index % BATCH == BATCH - 1:
                    session.commit()
            session.commit()
            batched = time.perf_counter() - started
            started = time.perf_counter()
            report = verify_chain(session)
            verify = time.perf_counter() - started
        engine.dispose()
    assert report.ok
    print(f"append, one entry per transaction: {SINGLE / single:,.0f} entries/s")
    print(f"append, {BATCH} entries per transaction: {BATCHED / batched:,.0f} entries/s")
    rate = report.entries / verify
    print(f"verify {report.entries:,} entries: {verify:.2f} s ({rate:,.0f} entries/s)")
