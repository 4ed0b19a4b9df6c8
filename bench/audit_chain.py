"""Audit trail: how fast entries are appended (one per transaction and in batches), how
fast the whole chain verifies, and what signed checkpoints add (signing one, checking one
against the log), on an embedded SQLite file."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from interlink.audit import AuditAction, record, verify_chain
from interlink.audit.checkpoint import check_checkpoint, sign_head
from interlink.core.config import Settings
from interlink.core.db import make_engine, migrate
from interlink.core.signing import installation_key

SINGLE = 2_000
BATCHED = 50_000
BATCH = 500
CHECKPOINTS = 1_000


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
            key = installation_key(Settings(secret_key="bench-" + "0123456789abcdef" * 3))
            started = time.perf_counter()
            documents = [sign_head(session, key) for _ in range(CHECKPOINTS)]
            signing = time.perf_counter() - started
            started = time.perf_counter()
            checked = [check_checkpoint(session, doc, key.public) for doc in documents]
            checking = time.perf_counter() - started
        engine.dispose()
    assert report.ok and all(result.ok for result in checked)
    print(f"append, one entry per transaction: {SINGLE / single:,.0f} entries/s")
    print(f"append, {BATCH} entries per transaction: {BATCHED / batched:,.0f} entries/s")
    rate = report.entries / verify
    print(f"verify {report.entries:,} entries: {verify:.2f} s ({rate:,.0f} entries/s)")
    print(f"sign a checkpoint of the head: {signing / CHECKPOINTS * 1e6:,.0f} µs")
    print(
        f"check {CHECKPOINTS:,} checkpoints against the log (signature, entry at seq): "
        f"{checking:.2f} s ({checking / CHECKPOINTS * 1e6:,.0f} µs each, beside "
        f"{verify:.2f} s for the chain)"
    )
