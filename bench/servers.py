"""Servers and databases of the benchmarks that run ``interlink serve``: a private
PostgreSQL database (created and dropped), the demo seeded into it, a server process."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time

import httpx
import psycopg

from bench.demo_database import seed_demo

__all__ = ["POSTGRES", "drop_postgres_database", "free_port", "postgres_database", "serve"]

POSTGRES = os.environ.get("INTERLINK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(url: str, workers: int, secret: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Seed the demo into ``url`` and serve it; servers given the same ``secret`` accept
    each other's tokens."""
    secret = secret or secrets.token_hex(32)
    env = seed_demo(url, secret)
    port = free_port()
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/api/v1/health").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    return server, base


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
