"""Slow clients: how long health and a screening take to answer while N clients hang on
to one server process (``interlink serve``), on SQLite and PostgreSQL.

``python -m bench.slow_clients [--clients 0 32 200] [--calls 40] [--quick]``

A private database (a temporary SQLite file; a temporary PostgreSQL database when
``INTERLINK_BENCH_POSTGRES`` answers) gets two officers and 550 persons whose CSV export
weighs about 5 MB. For each N, N raw sockets either send a screening's head and half its
body, then nothing more ("senders"), or ask for the export and read only its first bytes
("readers", asked one after the other so that each has started); then ``--calls`` health
checks and as many screenings are timed, one after the other, while those N hang on.
Before the admission gate read bodies first and gave the turn back when an answer
started, 32 of either kind froze the server: health did not answer at all.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.servers import POSTGRES, drop_postgres_database, free_port, postgres_database

PASSWORD = "correct horse battery staple"
QUERY = {"person": {"name": "Maria Kowalska", "date_of_birth": "1971-03-09"}}
PERSONS = 550


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "interlink.cli", *args], env=env, check=True,
                   capture_output=True)  # fmt: skip


def _prepare(env: dict[str, str], folder: Path) -> None:
    _cli(env, "db", "upgrade")
    for user, country in (("fr.o", "FR"), ("de.o", "DE")):
        _cli(env, "user", "add", user, "--role", "officer", "--country", country,
             "--password", PASSWORD)  # fmt: skip
    path = folder / "persons.csv"
    marks = ("scar on the left forearm, tattoo of an anchor; " * 40)[:2000]
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "given_name", "family_name", "identity_documents",
                         "distinguishing_marks"])  # fmt: skip
        for n in range(PERSONS):
            documents = [{"number": f"P{n:05d}X{d:02d}" + "7" * 50,
                          "document_type": "passport " * 4, "country": "FR"}
                         for d in range(50)]  # fmt: skip
            writer.writerow([f"p-{n:05d}", f"Jean{n}", "Dupont", json.dumps(documents), marks])
    _cli(env, "import", str(path), "--owner", "FR", "--kind", "persons", "--format", "csv",
         "--visibility", "all_members")  # fmt: skip


@contextmanager
def _server(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "interlink.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/v1/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _token(base: str, username: str) -> str:
    form = {"username": username, "password": PASSWORD}
    answer = httpx.post(f"{base}/api/v1/auth/token", data=form, timeout=60)
    return f"Bearer {answer.json()['access_token']}"


def _senders(port: int, token: str, count: int) -> list[socket.socket]:
    body = json.dumps(QUERY).encode()
    head = (
        f"POST /api/v1/screen HTTP/1.1\r\nHost: bench\r\nAuthorization: {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(head + body[: len(body) // 2])
        socks.append(sock)
    return socks


def _readers(port: int, token: str, count: int) -> list[socket.socket]:
    request = (f"GET /api/v1/records/persons/export HTTP/1.1\r\nHost: bench\r\n"
               f"Authorization: {token}\r\n\r\n").encode()  # fmt: skip
    socks = []
    for _ in range(count):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(120)
        sock.connect(("127.0.0.1", port))
        sock.sendall(request)
        sock.recv(1024)  # the answer has started; nothing more is read
        socks.append(sock)
    return socks


def _timed(client: httpx.Client, calls: int, token: str) -> tuple[list[float], list[float]]:
    health, screening = [], []
    for _ in range(calls):
        started = time.perf_counter()
        assert client.get("/api/v1/health").status_code == 200
        health.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        answer = client.post("/api/v1/screen", json=QUERY, headers={"Authorization": token})
        assert answer.status_code == 200, answer.text
        screening.append((time.perf_counter() - started) * 1000)
    return health, screening


def _figures(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):7.1f} {p99:7.1f}"


def _measure(url: str, clients: list[int], calls: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "INTERLINK_DATABASE_URL": url,
            "INTERLINK_LOG_LEVEL": "ERROR",
            "INTERLINK_SECRET_KEY": secrets.token_hex(32),
            "INTERLINK_RATE_LIMITS": "false",
        }
        _prepare(env, Path(folder))
        with _server(env) as base:
            port = int(base.rsplit(":", 1)[1])
            france, germany = _token(base, "fr.o"), _token(base, "de.o")
            with httpx.Client(base_url=base, timeout=120) as client:
                _timed(client, 3, germany)  # the screening index is built by the first
                print("  slow clients        health ms (median p99)   screening ms (median p99)")
                for kind, open_them in (("senders", _senders), ("readers", _readers)):
                    for count in clients:
                        token = germany if kind == "senders" else france
                        held = open_them(port, token, count)
                        try:
                            health, screening = _timed(client, calls, germany)
                        finally:
                            for sock in held:
                                sock.close()
                        print(f"  {count:4d} {kind:9s}       {_figures(health)}"
                              f"          {_figures(screening)}")  # fmt: skip


def run(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_clients")
    parser.add_argument("--clients", type=int, nargs="+", default=[0, 32, 200])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    calls = 10 if args.quick else args.calls
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite")
        _measure(f"sqlite:///{folder}/slow.db", args.clients, calls)
    name = postgres_database()
    if name is None:
        print("PostgreSQL: unreachable, skipped")
        return
    try:
        print("PostgreSQL")
        _measure(f"{POSTGRES}/{name}", args.clients, calls)
    finally:
        drop_postgres_database(name)


if __name__ == "__main__":
    run()
