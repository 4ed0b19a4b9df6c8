"""A long export holds up no writer: while one is paused mid-way by a slow consumer of
its stream, other bureaus sign in, screen and record, and the export ends audited.

SQLite only, by nature: it lets one transaction write at a time, and an export that
took the write lock at its start (to write its audit entry at the end) stopped every
screening and sign-in of the network, each of which writes an audit entry. PostgreSQL
readers never block writers. (The figures at 300,000 documents: ``bench/export_lock``.)
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role, Visibility, VisibilityMode
from interlink.app import create_app
from interlink.audit.models import AuditEntry
from interlink.core.config import Settings
from interlink.core.db import make_engine, make_session_factory
from interlink.interop.base import ParsedItem
from interlink.members.models import User
from interlink.records import router as records_router
from interlink.records.importer import import_items
from interlink.web import audit_pages
from tests.conftest import PASSWORD, SECRET, bureau, new_user, prepare
from tests.web.test_pages import _signin

DOCUMENTS = 3000  # some 360 KB of CSV: more than a pipe holds
WAIT = 60.0  # seconds before a stuck test gives up (never reached when it passes)


class PausingSpool(io.BytesIO):
    """A stream that stops its writer at its second write (the first row: the export's
    read has begun) until told to go on: a client that reads slowly."""

    def __init__(self, *_: Any, **__: Any) -> None:
        super().__init__()
        self.writes = 0
        self.paused, self.resume = threading.Event(), threading.Event()

    def write(self, data: Any) -> int:
        self.writes += 1
        if self.writes == 2:
            self.paused.set()
            self.resume.wait(WAIT)
        return super().write(data)


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'network.db'}"
    engine = make_engine(url)
    prepare(engine)
    with make_session_factory(engine)() as session:
        items = [
            ParsedItem(n, "travel-documents", f"FR-{n}", {
                "number": f"15FR{n:05d}", "document_type": "passport",
                "issuing_country": "FR", "status": "stolen"})
            for n in range(DOCUMENTS)
        ]  # fmt: skip
        import_items(
            session,
            items,
            owner=bureau(session, "FR"),
            visibility=Visibility(mode=VisibilityMode.ALL_MEMBERS),
            actor_name="import:FR",
            source="seed",
        )
        session.commit()
        for username, role, country in [
            ("fr.exporter", Role.OFFICER, "FR"),
            ("de.officer", Role.OFFICER, "DE"),
            ("it.officer", Role.OFFICER, "IT"),
            ("auditor", Role.AUDITOR, "SEC"),
        ]:
            new_user(session, role, country, username)
    engine.dispose()
    yield url


@pytest.fixture
def client(url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=url, secret_key=SECRET, watch_seconds=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _token(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text  # a sign-in: it writes
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _others_work(client: TestClient) -> None:
    """What other bureaus do meanwhile, every step a write: sign in, screen, record."""
    for username in ("de.officer", "it.officer"):
        headers = _token(client, username)
        screened = client.post(
            "/api/v1/screen", json={"document": {"number": "15FR00042"}}, headers=headers
        )
        assert screened.status_code == 200 and screened.json()["hit"] is True, screened.text
        vehicle = {"plate": f"{username[:2].upper()}-1", "visibility": {"mode": "all_members"}}
        made = client.post("/api/v1/records/vehicles", json=vehicle, headers=headers)
        assert made.status_code == 201, made.text


def _exports(url: str, action: str) -> list[AuditEntry]:
    engine = make_engine(url)
    with Session(engine) as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
    engine.dispose()
    return entries


def _paused_request(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, module: Any, path: str,
    **options: Any,
) -> tuple[PausingSpool, threading.Thread, dict[str, Any]]:  # fmt: skip
    """``GET path`` in a thread, its export spooled to a ``PausingSpool``; returns once
    the export is paused mid-way."""
    spool = PausingSpool()
    monkeypatch.setattr(module, "export_spool", lambda: spool)
    answer: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: answer.update(response=client.get(path, **options)))
    thread.start()
    assert spool.paused.wait(WAIT), "the export never began"
    return spool, thread, answer


def test_an_api_export_paused_mid_way_holds_up_no_writer(
    url: str, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter = _token(client, "fr.exporter")
    spool, thread, answer = _paused_request(
        client, monkeypatch, records_router, "/api/v1/records/travel-documents/export",
        headers=exporter,
    )  # fmt: skip
    try:
        _others_work(client)
    finally:
        spool.resume.set()
        thread.join(WAIT)
    response = answer["response"]
    assert response.status_code == 200, response.text
    assert len(response.text.splitlines()) == DOCUMENTS + 1
    (entry,) = _exports(url, "record.export")
    assert entry.actor == "fr.exporter" and entry.after["records"] == DOCUMENTS


def test_the_audit_export_paused_mid_way_holds_up_no_writer(
    url: str, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for username in ("de.officer", "it.officer"):  # a trail of some length to export
        _token(client, username)
    engine = make_engine(url)
    with Session(engine) as session:
        auditor = session.scalars(select(User).where(User.username == "auditor")).one()
    engine.dispose()
    _signin(client, auditor)
    spool, thread, answer = _paused_request(client, monkeypatch, audit_pages, "/audit/export")
    try:
        _others_work(client)
    finally:
        spool.resume.set()
        thread.join(WAIT)
    assert answer["response"].status_code == 200, answer["response"].text
    (entry,) = _exports(url, "audit.export")
    assert entry.actor == "auditor"


def _read_end(pipe: Path, process: subprocess.Popen[bytes]) -> IO[bytes]:
    """The pipe's read end, once the command opens its write end (or ends without)."""
    opened: dict[str, IO[bytes]] = {}
    opener = threading.Thread(target=lambda: opened.update(reader=pipe.open("rb")))
    opener.start()
    while opener.is_alive() and process.poll() is None:
        opener.join(0.1)
    if opener.is_alive():  # the command ended without opening it: let the open return
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        opener.join()
    return opened["reader"]


def test_a_cli_export_read_slowly_holds_up_no_writer(
    url: str, client: TestClient, tmp_path: Path
) -> None:
    """``interlink export --out`` into a pipe nobody reads for a while: the command,
    another process, stops mid-way, its pipe full."""
    pipe = tmp_path / "export.csv"
    os.mkfifo(pipe)
    env = {**os.environ, "INTERLINK_DATABASE_URL": url, "INTERLINK_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "interlink.cli", "export", "travel-documents",
               "--user", "fr.exporter", "--out", str(pipe)]  # fmt: skip
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    try:
        with _read_end(pipe, process) as reader:
            first = reader.read(1024)  # its read has begun; the pipe then fills
            _others_work(client)
            rest = reader.read()
        _, errors = process.communicate(timeout=WAIT)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, errors.decode()
    assert len((first + rest).splitlines()) == DOCUMENTS + 1
    (entry,) = _exports(url, "record.export")
    assert entry.actor == "fr.exporter" and entry.after["records"] == DOCUMENTS
