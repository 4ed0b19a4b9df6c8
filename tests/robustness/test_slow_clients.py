"""Slow clients against a real server process (``interlink serve``), on SQLite and
PostgreSQL: 32 and then 200 sockets that send a request's head and trickle its body; 32
clients that ask for a large export, and 200 that ask for a large photo, and stop reading
after the first bytes (a photo costs the server little to make, so that 200 of them test
the gate rather than the exports' own CPU). While they hang on, ``/api/v1/health`` and a
screening answer; afterwards the trickled requests, once their bodies are complete, are
answered too (they were held, not dropped).

A slow sender holds a socket, never a turn of the admission gate (its body is read
before it takes one); a slow reader leaves the gate once its answer has started. The
waits here are for progress (answers, first bytes) with generous deadlines, not timings:
on a server where slow clients hold the gate, health never answers and the test fails at
its deadline. ``python -m bench.slow_clients`` measures the answer times.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from interlink.cli import app as cli
from interlink.core.db import make_engine
from tests.conftest import _new_database, prepare
from tests.messaging.live import Server, add_users

QUERY = {"person": {"name": "Maria Kowalska", "date_of_birth": "1971-03-09"}}
PERSONS = 550
"""Persons in the export, with their documents about 5 MB of CSV: more than loopback's
socket buffers hold (about 3 MB), so that a client that stops reading stops the server's
writes."""
WAIT = 120.0
"""Longest wait for progress on a loaded, shared machine."""


PHOTO_BYTES = 5 * 1024 * 1024 - 1024
"""A photo as large as a record file may be: also more than loopback's buffers hold."""


@dataclass
class Live:
    server: Server
    france: dict[str, str]
    germany: dict[str, str]
    photo: str
    """The path of a large photo of a person record."""

    @property
    def port(self) -> int:
        return self.server.port


def _write_persons(path: Path) -> None:
    marks = ("scar on the left forearm, tattoo of an anchor; " * 40)[:2000]
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "given_name", "family_name", "identity_documents",
                         "distinguishing_marks"])  # fmt: skip
        for n in range(PERSONS):
            documents = [
                {"number": f"P{n:05d}X{d:02d}" + "7" * 50, "document_type": "passport " * 4,
                 "country": "FR"}
                for d in range(50)
            ]  # fmt: skip
            writer.writerow([f"p-{n:05d}", f"Jean{n}", "Dupont", json.dumps(documents), marks])


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module")
def live(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp(f"slow-{backend}")
    url, cleanup = _new_database(backend, folder)
    engine = make_engine(url)
    prepare(engine)
    engine.dispose()
    add_users(url, "fr.o", "de.o")
    persons = folder / "persons.csv"
    _write_persons(persons)
    imported = CliRunner().invoke(
        cli,
        ["import", str(persons), "--owner", "FR", "--kind", "persons", "--format", "csv",
         "--visibility", "all_members"],
        env={"INTERLINK_DATABASE_URL": url},
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    # Capacity is tested here, not the per-account allowances.
    with _environment(INTERLINK_RATE_LIMITS="false"):
        server = Server(url).start()
    try:
        france = server.token("fr.o")
        live = Live(server, france, server.token("de.o"), _photo(server.base, france))
        _answers_meanwhile(live)  # the screening index is built by the first screening
        yield live
    finally:
        server.stop()
        cleanup()


def _photo(base: str, france: dict[str, str]) -> str:
    """A person record of FR's with a large photo; the photo's path."""
    with httpx.Client(base_url=base, headers=france, timeout=WAIT) as client:
        person = {"full_name": "Jean Photo", "visibility": {"mode": "all_members"}}
        made = client.post("/api/v1/records/persons", json=person)
        assert made.status_code == 201, made.text
        files = f"/api/v1/records/persons/{made.json()['id']}/files"
        png = b"\x89PNG\r\n\x1a\n" + os.urandom(PHOTO_BYTES - 8)
        added = client.post(files, files={"file": ("large.png", png, "image/png")})
        assert added.status_code == 201, added.text
        return f"{files}/{added.json()['id']}"


def _connect(port: int, receive_buffer: int | None = None) -> socket.socket:
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(WAIT)
    sock.connect(("127.0.0.1", port))
    return sock


def _status(sock: socket.socket) -> int:
    """The status of the answer on ``sock`` (reads its head)."""
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"closed after {head!r}")
        head += chunk
    return int(head.split(b" ", 2)[1])


def _answers_meanwhile(live: Live) -> None:
    """Health and a screening answer while the slow clients hang on."""
    with httpx.Client(base_url=live.server.base, timeout=WAIT) as client:
        health = client.get("/api/v1/health")
        assert health.status_code == 200, health.text
        screening = client.post("/api/v1/screen", json=QUERY, headers=live.germany)
        assert screening.status_code == 200, screening.text
        assert screening.json()["hit"] is False


@pytest.mark.parametrize("clients", [32, 200])
def test_senders_that_trickle_a_body_hold_no_turn(live: Live, clients: int) -> None:
    body = json.dumps(QUERY).encode()
    head = (
        f"POST /api/v1/screen HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {live.germany['Authorization']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    senders = []
    try:
        for _ in range(clients):
            sock = _connect(live.port)
            sock.sendall(head + body[:5])
            senders.append(sock)
        for sock in senders:  # a trickle: one more byte each
            sock.sendall(body[5:6])
        _answers_meanwhile(live)
        # They were held, not dropped: each gets its answer once its body is whole.
        for sock in senders:
            sock.sendall(body[6:])
        assert [_status(sock) for sock in senders] == [200] * clients
    finally:
        for sock in senders:
            sock.close()


@pytest.mark.parametrize(("what", "clients"), [("export", 32), ("photo", 200)])
def test_clients_that_stop_reading_an_answer_hold_no_turn(
    live: Live, what: str, clients: int
) -> None:
    path = "/api/v1/records/persons/export" if what == "export" else live.photo
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {live.france['Authorization']}\r\n\r\n"
    ).encode()
    readers = []
    try:
        # One after the other: each answer has begun (its first bytes read) before the
        # next is asked for, then is read no more. (Exports at once would measure the
        # exports' own contention instead.)
        for _ in range(clients):
            sock = _connect(live.port, receive_buffer=4096)
            readers.append(sock)
            sock.sendall(request)
            assert _status(sock) == 200
        _answers_meanwhile(live)
    finally:
        for sock in readers:
            sock.close()
