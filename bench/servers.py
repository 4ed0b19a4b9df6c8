"""Servers and databases of the benchmarks that run ``interlink serve``: a private
PostgreSQL database (created and dropped), the demo seeded into it, a server process."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx
import psycopg

from bench.demo_database import seed_demo

__all__ = ["POSTGRES", "drop_postgres_database", "free_port", "postgres_database", "serve"]

POSTGRES = os.environ.get("INTERLINK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(
    url: str,
    workers: int,
    secret: str | None = None,
    *,
    log: Path | None = None,
    settings: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """Seed the demo into ``url`` and serve it; servers given the same ``secret`` accept
    each other's tokens. ``log``: a file for the server's output (warnings and errors);
    ``settings``: more environment for the server (``INTERLINK_...`` variables)."""
    secret = secret or secrets.token_hex(32)
    env = seed_demo(url, secret) | (settings or {})
    port = free_port()
    output: IO[bytes] | int = log.open("ab") if log is not None else subprocess.DEVNULL
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "interlink.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=output,
        stderr=output,
    )
    if not isinstance(output, int):
        output.close()  # the server holds its own copy
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health").status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    server.kill()
    server.wait()
    raise RuntimeError(f"interlink serve did not answer on {base}")


def postgres_database() -> str | None:
    name = f"interlink_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return name


def drop_postgres_database(name: str) -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
