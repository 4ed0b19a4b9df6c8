"""Messaging: a broadcast's fan-out to every connected bureau, and messages into the store.

For each backend (a temporary SQLite file; a temporary PostgreSQL database) the demo is
seeded and served by ``interlink serve`` (one process, and two for the fan-out on
PostgreSQL, the clients spread over both). 196 clients, one signed in per member
bureau, hold ``GET /api/v1/stream`` open; one bureau sends a message to everyone (``*``);
we time until the last client has it, and count those that never do. Then clients post
messages through the API as fast as the server takes them (store rate, each committed
before its 201), and the service alone stores them in one process (no HTTP).

``python -m bench messaging``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bench.servers import POSTGRES, drop_postgres_database, postgres_database, serve
from interlink.core.db import make_engine, make_session_factory
from interlink.core.types import utcnow
from interlink.members.auth import actor_for_user
from interlink.members.models import Bureau, BureauKind, User
from interlink.messaging.schemas import MessageCreate
from interlink.messaging.service import send_message

PASSWORD = "demo-password"
STORED = 2_000
SENDERS = 8


def _bureaus(url: str) -> list[str]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        codes = session.scalars(
            select(Bureau.code).where(Bureau.kind == BureauKind.NCB).order_by(Bureau.code)
        ).all()
    engine.dispose()
    return list(codes)


def _tokens(base: str, codes: list[str]) -> dict[str, str]:
    def one(code: str) -> tuple[str, str]:
        response = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": f"{code.lower()}.officer", "password": PASSWORD},
            timeout=60,
        )
        response.raise_for_status()
        return code, response.json()["access_token"]

    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(one, codes))


async def _fan_out(bases: list[str], tokens: dict[str, str]) -> tuple[float, int, float]:
    """Seconds until the last client had the broadcast, clients that never did, and the
    median client's seconds."""
    codes = sorted(tokens)
    connected = asyncio.Event()
    ready: set[str] = set()
    seen: dict[str, dict[str, float]] = {}
    sent: dict[str, Any] = {}

    async def listen(client: httpx.AsyncClient, code: str, base: str) -> None:
        headers = {"Authorization": f"Bearer {tokens[code]}"}
        async with client.stream("GET", f"{base}/api/v1/stream", headers=headers) as response:
            response.raise_for_status()
            ready.add(code)
            if len(ready) == len(codes):
                connected.set()
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    # The event may arrive before the sender has its 201: note every one.
                    message = json.loads(line[5:]).get("id")
                    seen.setdefault(message, {})[code] = time.perf_counter()
                    if message == sent.get("message"):
                        return

    limits = httpx.Limits(max_connections=len(codes) + 10)
    timeout = httpx.Timeout(30.0, read=None)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        tasks = [
            asyncio.create_task(listen(client, code, bases[n % len(bases)]))
            for n, code in enumerate(codes)
        ]
        await asyncio.wait_for(connected.wait(), 60)
        await asyncio.sleep(1.0)  # every stream past its first fetch, waiting
        sender = codes[0]
        started = time.perf_counter()
        response = await client.post(
            f"{bases[0]}/api/v1/messages",
            json={"recipients": ["*"], "priority": "flash", "subject": "Broadcast test",
                  "body": "To every member bureau."},
            headers={"Authorization": f"Bearer {tokens[sender]}"},
        )  # fmt: skip
        sent["message"] = response.json()["id"]
        await asyncio.wait(tasks, timeout=30)
        for task in tasks:
            task.cancel()
    got = seen.get(sent["message"], {})
    delays = sorted(moment - started for moment in got.values())
    lost = len(codes) - len(got)
    last = delays[-1] if delays else float("nan")
    median = delays[len(delays) // 2] if delays else float("nan")
    return last, lost, median


def _store_through_api(base: str, tokens: dict[str, str]) -> float:
    codes = sorted(tokens)[:SENDERS]
    count = [0]
    lock = threading.Lock()

    def send(n: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[codes[n]]}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for i in range(n, STORED, SENDERS):
                response = client.post(
                    "/api/v1/messages",
                    json={"recipients": [codes[(n + 1) % SENDERS]], "subject": f"Load {i}",
                          "body": "Routine exchange of information."},
                )  # fmt: skip
                if response.status_code == 201:
                    with lock:
                        count[0] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(send, range(SENDERS)))
    elapsed = time.perf_counter() - started
    if count[0] != STORED:
        raise RuntimeError(f"only {count[0]} of {STORED} messages were accepted")
    return STORED / elapsed


def _store_in_process(url: str) -> float:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        actor = actor_for_user(
            session.scalars(select(User).where(User.username == "fr.officer")).one()
        )
        body = MessageCreate(recipients=["DE"], subject="Load", body="Routine exchange.")
        started = time.perf_counter()
        for _ in range(STORED):
            send_message(session, body, [], actor=actor, secret="x" * 64, now=utcnow())
            session.commit()
        elapsed = time.perf_counter() - started
    engine.dispose()
    return STORED / elapsed


def _measure(label: str, url: str, processes: int) -> None:
    secret = secrets.token_hex(32)  # one secret: a token works on every process
    servers = [serve(url, 1, secret) for _ in range(processes)]
    try:
        bases = [base for _, base in servers]
        tokens = _tokens(bases[0], _bureaus(url))
        last, lost, median = asyncio.run(_fan_out(bases, tokens))
        through_api = _store_through_api(bases[0], tokens) if processes == 1 else None
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait()
    in_process = _store_in_process(url) if processes == 1 else None
    api = f"{through_api:,.0f}" if through_api else "-"
    direct = f"{in_process:,.0f}" if in_process else "-"
    print(
        f"| {label} | {processes} | {len(tokens)} | {median * 1000:.0f} ms | "
        f"{last * 1000:.0f} ms | {lost} | {api} | {direct} |",
        flush=True,
    )


def run() -> None:
    print(
        "| backend | server processes | connected bureaus | broadcast: median client "
        "| last client | lost | messages/s stored (API, 8 clients) | messages/s stored "
        "(service, 1 process) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        _measure("SQLite", f"sqlite:///{Path(tmp) / 'demo.db'}", 1)
    for processes in (1, 2):
        name = postgres_database()
        if name is None:
            print(f"PostgreSQL at {POSTGRES} did not answer: skipped.")
            return
        try:
            _measure("PostgreSQL", f"{POSTGRES}/{name}", processes)
        finally:
            drop_postgres_database(name)


if __name__ == "__main__":
    run()
