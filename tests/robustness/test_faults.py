"""SIGKILL in the middle of long work: nothing acknowledged is lost, nothing is half-written,
and the audit chain still verifies.

Each test starts the real work in a process of its own on a private database (SQLite
and PostgreSQL), waits until progress shows in the database (batches, chunks or
messages committed), kills the process with SIGKILL and then inspects what it left:

- an import (``interlink import``, 25 records per batch): the records present are
  exactly those of the batches whose audit entry is there (no batch without its entry,
  no entry without its records); running the import again completes it without
  duplicates; an import that updates records, killed in turn, leaves every record
  either as it was or at its next version with that version's history row;
- a batch screening (``interlink screen``): every chunk audited has its hits, each hit
  its own audit entry and event, and no hit exists outside an audited chunk;
- messages sent through the API (``interlink serve``, four clients, some messages with
  attachments): every message that got its 201 is there with its recipient, its
  attachments, its audit entry and its event, and its signature verifies, as does every
  message stored without an answer. (``tests/messaging/test_live.py`` restarts the
  server after such a kill and receives every acknowledged message on the live stream.)

The waits are on observable progress with a deadline, never a fixed sleep. The fourth
kind of long work, a national node's sync, is killed in ``tests/node/test_node.py``,
beside the central and node servers it needs.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from interlink.audit.models import AuditEntry
from interlink.audit.service import verify_chain
from interlink.cli import app as cli
from interlink.core.db import make_engine, make_session_factory
from interlink.core.events import Event
from interlink.hits.models import Hit
from interlink.matching.score import HIT_THRESHOLD
from interlink.members.models import Bureau
from interlink.messaging.models import Message, MessageAttachment, MessageRecipient
from interlink.messaging.service import verify_message
from interlink.records.models import Record, RecordVersion
from tests.messaging.live import Server, add_users

runner = CliRunner()
PROGRESS_SECONDS = 60.0
"""Longest wait for the first signs of progress (a slow, shared machine)."""


@contextmanager
def _session(url: str) -> Iterator[Session]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _start(url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    """``interlink ARGS`` in a process of its own; its errors go to ``log`` (a pipe that
    nobody reads could fill and stall it)."""
    env = {**os.environ, "INTERLINK_DATABASE_URL": url, "INTERLINK_LOG_LEVEL": "WARNING"}
    with log.open("wb") as errors:
        return subprocess.Popen(
            [sys.executable, "-m", "interlink.cli", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )


def _kill_when(
    process: subprocess.Popen[bytes],
    url: str,
    progressed: Callable[[Session], bool],
    log: Path,
) -> None:
    """SIGKILL ``process`` as soon as ``progressed`` (asked of the database) holds; fail
    if the process ends first or nothing shows within ``PROGRESS_SECONDS``."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    deadline = time.monotonic() + PROGRESS_SECONDS
    try:
        while True:
            with factory() as session:
                if progressed(session):
                    break
            if process.poll() is not None:
                errors = log.read_text(errors="replace")
                pytest.fail(f"the work ended (exit {process.returncode}) before the kill: {errors}")
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("no progress showed in the database")
            time.sleep(0.02)
    finally:
        engine.dispose()
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the work had finished before the kill"


def _entries(session: Session, action: str, object_id: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.object_id == object_id)
    return list(session.scalars(query.order_by(AuditEntry.seq)))


def _count_entries(action: str, object_id: str, at_least: int) -> Callable[[Session], bool]:
    def progressed(session: Session) -> bool:
        query = select(func.count(AuditEntry.seq)).where(
            AuditEntry.action == action, AuditEntry.object_id == object_id
        )
        return (session.scalar(query) or 0) >= at_least

    return progressed


def _chain_verifies(url: str) -> None:
    result = runner.invoke(cli, ["audit", "verify"], env={"INTERLINK_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "audit trail intact" in result.output
    with _session(url) as session:
        assert verify_chain(session).ok


# --- an import -------------------------------------------------------------------------

DOCUMENTS = 8_000
BATCH = 25
"""Records per transaction of the killed imports: 320 commits, so that the import cannot
finish between the moment progress shows and the kill (the rerun takes one batch)."""
DOCUMENT_COLUMNS = ["id", "number", "document_type", "issuing_country", "status"]


def _write_documents(path: Path, status: str) -> None:
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(DOCUMENT_COLUMNS)
        for n in range(1, DOCUMENTS + 1):
            writer.writerow([f"doc-{n:05d}", f"TD{n:07d}", "passport", "FR", status])


def _source_id(line: int) -> str:
    return f"doc-{line - 1:05d}"  # line 1 is the header


def _covered(entries: list[AuditEntry]) -> set[str]:
    """Source ids of the lines of the audited batches (each entry names its first and
    last line; batches are consecutive)."""
    ids: set[str] = set()
    for entry in entries:
        first, last = entry.after["lines"]
        assert last - first + 1 == BATCH
        ids |= {_source_id(line) for line in range(first, last + 1)}
    return ids


def _documents(session: Session) -> dict[str, Record]:
    query = select(Record).where(Record.kind == "travel-documents")
    return {record.source_id or "": record for record in session.scalars(query)}


def _import_args(path: Path, batch: int = BATCH) -> list[str]:
    return ["import", str(path), "--owner", "FR", "--kind", "travel-documents", "--format",
            "csv", "--visibility", "all_members", "--batch-size", str(batch)]  # fmt: skip


def test_a_killed_import_keeps_whole_batches_and_a_rerun_completes_it(
    fresh_database_url: str, tmp_path: Path
) -> None:
    url = fresh_database_url
    path = tmp_path / "documents.csv"
    _write_documents(path, "stolen")
    log = tmp_path / "import.log"
    process = _start(url, log, *_import_args(path))
    _kill_when(process, url, _count_entries("record.import", path.name, 2), log)

    with _session(url) as session:
        entries = _entries(session, "record.import", path.name)
        stored = _documents(session)
        versions = session.scalar(select(func.count(RecordVersion.id)))
    # Exactly the audited batches' records: no batch without its entry, nor the reverse.
    assert 2 <= len(entries) < DOCUMENTS // BATCH
    assert set(stored) == _covered(entries)
    assert sum(entry.after["created"] for entry in entries) == len(stored)
    assert versions == 0
    assert all(record.data["status"] == "stolen" for record in stored.values())
    _chain_verifies(url)

    # The import is idempotent: run again, it adds what is missing and nothing twice.
    env = {"INTERLINK_DATABASE_URL": url}
    rerun = runner.invoke(cli, _import_args(path, DOCUMENTS), env=env)
    assert rerun.exit_code == 0, rerun.output
    assert f"{DOCUMENTS - len(stored):,} created, 0 updated, {len(stored):,} unchanged" in (
        rerun.output
    )
    with _session(url) as session:
        count = session.scalar(
            select(func.count(Record.id)).where(Record.kind == "travel-documents")
        )
        distinct = session.scalar(select(func.count(func.distinct(Record.source_id))))
    assert count == distinct == DOCUMENTS

    # An import that changes every record, killed in turn: each record is either as it
    # was, or at version 2 with version 1 kept in its history, by whole batches.
    changed = tmp_path / "documents-found.csv"
    _write_documents(changed, "lost")
    process = _start(url, log, *_import_args(changed))
    _kill_when(process, url, _count_entries("record.import", changed.name, 2), log)
    with _session(url) as session:
        entries = _entries(session, "record.import", changed.name)
        stored = _documents(session)
        history = Counter(
            session.scalars(select(RecordVersion.record_id).where(RecordVersion.version == 1))
        )
        older = {
            row.record_id: row.data["status"]
            for row in session.scalars(select(RecordVersion))
        }  # fmt: skip
    updated = {source for source, record in stored.items() if record.version == 2}
    assert 2 <= len(entries) < DOCUMENTS // BATCH
    assert updated == _covered(entries)
    assert sum(entry.after["updated"] for entry in entries) == len(updated)
    for source, record in stored.items():
        if source in updated:
            assert record.data["status"] == "lost"
            assert history[record.id] == 1 and older[record.id] == "stolen"
        else:
            assert record.version == 1 and record.data["status"] == "stolen"
            assert record.id not in history
    _chain_verifies(url)


# --- a batch screening -----------------------------------------------------------------

GIVEN = ["Amina", "Boris", "Chen", "Dolores", "Emeka", "Farida", "Goran", "Hana", "Ivo", "Jana"]
FAMILY = ["Okafor", "Petrov", "Lindqvist", "Haddad", "Moreau", "Novak", "Santos", "Kowalski",
          "Yilmaz", "Fischer", "Brennan", "Tanaka", "Rossi", "Dubois", "Horvat", "Larsen",
          "Ferreira", "Nowak", "Andersen", "Costa"]  # fmt: skip
TRAVELLERS = 12_000


def _listed() -> list[tuple[str, str, str]]:
    """(given, family, date of birth) of the persons DE lists: 200 distinct people."""
    people = []
    for n, (given, family) in enumerate((g, f) for g in GIVEN for f in FAMILY):
        people.append((given, family, f"{1950 + n % 50}-{1 + n % 12:02d}-{1 + n % 28:02d}"))
    return people


def _seed_persons(url: str, tmp_path: Path) -> None:
    path = tmp_path / "persons.csv"
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "given_name", "family_name", "date_of_birth", "nationalities"])
        for n, (given, family, born) in enumerate(_listed()):
            writer.writerow([f"person-{n:03d}", given, family, born, "DE"])
    result = runner.invoke(
        cli,
        ["import", str(path), "--owner", "DE", "--kind", "persons", "--format", "csv",
         "--visibility", "all_members"],
        env={"INTERLINK_DATABASE_URL": url},
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def _write_manifest(path: Path) -> None:
    """One traveller in ten a listed person; the others match nobody."""
    people = _listed()
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "given_name", "family_name", "date_of_birth"])
        for n in range(TRAVELLERS):
            if n % 10 == 0:
                given, family, born = people[(n // 10) % len(people)]
            else:
                given, family, born = f"Trav{n:05d}", "Qzxwvut", "1990-01-01"
            writer.writerow([f"t{n:05d}", given, family, born])


def test_a_killed_batch_screening_keeps_whole_chunks(
    fresh_database_url: str, tmp_path: Path
) -> None:
    url = fresh_database_url
    _seed_persons(url, tmp_path)
    add_users(url, "fr.o")
    manifest, report = tmp_path / "manifest.csv", tmp_path / "report.csv"
    _write_manifest(manifest)
    log = tmp_path / "screen.log"
    process = _start(url, log, "screen", str(manifest), "--out", str(report), "--as", "fr.o")
    _kill_when(process, url, _count_entries("screening.query", manifest.name, 2), log)

    with _session(url) as session:
        entries = _entries(session, "screening.query", manifest.name)
        hits = list(session.scalars(select(Hit).where(Hit.screened_by == "fr.o")))
        hit_entries = Counter(
            session.scalars(
                select(AuditEntry.object_id).where(
                    AuditEntry.action == "hit", AuditEntry.object_type == "hit"
                )
            )
        )
        events = Counter(
            session.scalars(select(Event.object_id).where(Event.topic == "hit.created"))
        )
    chunks = len(entries)
    assert 2 <= chunks < TRAVELLERS // 1000
    assert [entry.after["screened"] for entry in entries] == [1000] * chunks  # each its own
    # Every audited chunk's hits, and no others: a chunk's hits and its entry are one.
    audited = [
        m for entry in entries for m in entry.after["matches"] if m["score"] >= HIT_THRESHOLD
    ]
    assert len(audited) >= 100 * chunks  # every listed traveller of those chunks
    assert Counter(str(hit.record_id) for hit in hits) == Counter(m["record_id"] for m in audited)
    for hit in hits:  # each hit with its own audit entry and its event
        assert hit_entries[str(hit.id)] == 1 and events[str(hit.id)] == 1
    _chain_verifies(url)
    # Whatever report the run left holds only rows of audited chunks ...
    for path in tmp_path.glob(f"{report.name}*"):
        rows = list(csv.DictReader(path.read_text().splitlines()))
        assert all(int(row["id"][1:]) < 1000 * chunks for row in rows), path.name
    # ... and a run that did not finish leaves no report under the name asked for, where
    # it would pass for the whole manifest's.
    assert not report.exists()


# --- messages through the API ----------------------------------------------------------

SENDERS = 4
ACKNOWLEDGED = 60
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _send_until_killed(
    server: Server, headers: dict[str, str], number: int, sent: dict[str, int]
) -> None:
    """Send messages (every third with two attachments) until the server is gone; note
    each acknowledged one with its number of attachments."""
    with httpx.Client(base_url=server.base, headers=headers, timeout=30) as client:
        for n in range(10_000):
            body = {"recipients": ["DE"], "subject": f"Sender {number} message {n}",
                    "body": "Request for information about a stolen passport."}  # fmt: skip
            attachments = 2 if n % 3 == 0 else 0
            try:
                if attachments:
                    files = [
                        ("attachments", ("statement.txt", f"Statement {n}".encode(), "text/plain")),
                        ("attachments", ("pixel.png", PNG, "image/png")),
                    ]
                    response = client.post(
                        "/api/v1/messages", data={"message": json.dumps(body)}, files=files
                    )
                else:
                    response = client.post("/api/v1/messages", json=body)
            except httpx.HTTPError:
                return  # the server is gone
            assert response.status_code == 201, response.text
            sent[response.json()["id"]] = attachments


def test_a_killed_server_keeps_every_acknowledged_message_whole(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    add_users(url, "fr.o", "de.o")
    server = Server(url).start()
    try:
        headers = server.token("fr.o")
        sent: dict[str, int] = {}
        senders = [
            threading.Thread(target=_send_until_killed, args=(server, headers, n, sent))
            for n in range(SENDERS)
        ]
        for sender in senders:
            sender.start()
        deadline = time.monotonic() + PROGRESS_SECONDS
        while len(sent) < ACKNOWLEDGED and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()
        for sender in senders:
            sender.join(30)
    finally:
        server.stop()
    assert len(sent) >= ACKNOWLEDGED

    with _session(url) as session:
        germany = session.scalars(select(Bureau.id).where(Bureau.code == "DE")).one()
        messages = {str(m.id): m for m in session.scalars(select(Message))}
        addressed = list(
            session.execute(select(MessageRecipient.message_id, MessageRecipient.bureau_id))
        )
        recipients = Counter(str(message_id) for message_id, _ in addressed)
        assert all(bureau_id == germany for _, bureau_id in addressed)
        attachments = Counter(
            str(message_id) for message_id in session.scalars(select(MessageAttachment.message_id))
        )
        recorded = {
            entry.object_id: entry.after
            for entry in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "message.send")
            )
        }
        events = Counter(session.scalars(select(Event.object_id).where(Event.topic == "message")))
        # Every acknowledged message is there ...
        assert set(sent) <= set(messages)
        for message_id in sent:
            assert attachments[message_id] == sent[message_id]
        # ... and every stored one, acknowledged or not, is whole and verifies.
        for message_id, message in messages.items():
            assert recipients[message_id] == 1
            assert recorded[message_id]["digest"] == message.digest
            assert recorded[message_id]["attachments"] == attachments[message_id]
            assert events[message_id] == 1
            assert verify_message(session, message).valid, message_id
        assert len(recorded) == len(messages)
    _chain_verifies(url)
