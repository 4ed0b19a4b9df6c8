"""Scale-out: person screening throughput of one and two server processes (``interlink
serve --workers N``) against one PostgreSQL, on this machine.

``python -m bench.scaleout [--persons 100000] [--seconds 20] [--connections 8 64]
[--in-flight 32] [--workers 1 2] [--client raw|httpx] [--quick]`` (quick: 20,000
persons, 10 seconds; ``--keep`` keeps the seeded database and ``--database NAME`` serves
it again).

A temporary PostgreSQL database (``INTERLINK_BENCH_POSTGRES``) gets the demo network
and ``--persons`` more person records (synthetic names of ten locales and scripts, as
``bench.screening_speed`` makes them), imported with ``interlink import`` for four
owner bureaus and visible to every member. For each number of kept-alive connections,
the database is served on loopback (``bench/servers.py``, rate limits off) by 1, then 2
worker processes, and border systems of 24 bureaus (API keys) send ``POST
/api/v1/screen`` person queries on those connections, back to back: listed persons with
a typing error or in their own script (a hit, written with its audit entry, event and
confirmation, when the record is another bureau's) and strangers (``bench.load``'s query
set). Every worker's index is built before the clock starts, then 5 s of load are not
counted, then ``--seconds`` are. The kernel gives each new connection to whichever
worker accepts it first, so 2 workers run twice: with the connections as they fell, and
"balanced", the generator dialling again until each worker holds half of them.

The load generator shares the two cores with the server and PostgreSQL, so what it
spends is measured and printed beside the rest (CPU of each worker, of PostgreSQL's
processes for this database, of the generator, of everything else on the machine, in
cores: CPU seconds per second); each run first waits (up to 5 minutes) for the
machine to be quiet, and a window in which other processes took more than a quarter of a
core is measured again (twice at most). The default generator is lean: plain HTTP/1.1
written on asyncio streams, one request at a time per connection (``--client httpx``
measures ``httpx.AsyncClient`` instead). What the database's backends were doing (running, or
waiting for a row lock, the events' advisory lock, a WAL flush) is sampled ten times a
second from ``pg_stat_activity``.

With two workers it also checks that each worker's screening index follows what the
other wrote: a person record created, renamed and deleted through one worker is
screened through the other on the very next query (connections are told apart by the
worker process that holds the server side of the socket, from ``/proc``; Linux).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import http.client
import json
import os
import random
import resource
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.demo_database import seed_demo
from bench.load import BUREAUS, Workload, _cpu_seconds, _percentile, _prepare
from bench.screening_speed import _records
from bench.servers import POSTGRES, drop_postgres_database, postgres_database, serve
from interlink.core.gate import ADMITTED

OWNERS = ("FR", "DE", "IT", "TR")
"""Owner bureaus of the imported persons (each screener finds others' records too)."""
WARMUP = 5.0
NOISE = 0.25
"""Cores other processes may take during a measured window before it is measured again
(twice at most; the figure is printed either way)."""
TIMEOUT = 30.0
WORKERS = (1, 2)
CONNECTIONS = (8, 64)
"""Kept-alive connections: a few border lanes, and two server processes' admission
gates' worth (``core.gate.ADMITTED`` = 32, ``--in-flight`` changes it)."""
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Plan:
    persons: int = 100_000
    seconds: float = 20.0
    connections: int = 8
    client: str = "raw"
    balanced: bool = False
    """Spread the connections evenly over the workers (``_balance``)."""
    in_flight: int = ADMITTED
    """Requests each worker works on at once (``INTERLINK_REQUESTS_IN_FLIGHT``)."""


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    """Cores used during the measured window: ``generator``, ``postgres``, ``machine``,
    and each worker by its pid."""
    spread: dict[int, int] = field(default_factory=dict)
    """Connections held by each worker (pid)."""
    memory: list[float] = field(default_factory=list)
    """Resident memory of each worker at the end, MB (its index included)."""
    waits: Counter[str] = field(default_factory=Counter)
    """What the database's active backends were doing, summed over ``polls``."""
    polls: int = 0
    sessions: int = 0
    """Database sessions opened during the window (pools' overflow connections)."""


# -- data -------------------------------------------------------------------------------


def _import_persons(env: dict[str, str], count: int, folder: Path) -> None:
    """``count`` synthetic persons, imported by the real command, a share per owner."""
    people = _records(count, random.Random(11))
    for n, owner in enumerate(OWNERS):
        path = folder / f"persons-{owner}.ftm.json"
        with path.open("w") as stream:
            for i in range(n, count, len(OWNERS)):
                data = people[i]
                name = f"{data['given_name']} {data['family_name']}"
                properties = {
                    "name": [name],
                    "firstName": [data["given_name"]],
                    "lastName": [data["family_name"]],
                    "birthDate": [data["date_of_birth"]],
                    "nationality": [str(code).lower() for code in data["nationalities"]],  # type: ignore
                }
                entity = {"id": f"scaleout-{i:07d}", "schema": "Person", "properties": properties}
                stream.write(json.dumps(entity, ensure_ascii=False) + "\n")
        command = ["import", str(path), "--owner", owner, "--format", "ftm", "--kind", "persons"]
        subprocess.run(
            [sys.executable, "-m", "interlink.cli", *command, "--visibility", "all_members"],
            env=env,
            check=True,
            capture_output=True,
        )


# -- processes ---------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _workers(server: int) -> list[int]:
    """The processes that answer requests: uvicorn's spawned workers, or the server."""
    spawned = []
    for child in _children(server):
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                spawned.append(child)
    return spawned or [server]


def _reap(url: str) -> None:
    """End the workers of a server that ``serve()`` gave up on: it kills the supervisor,
    whose spawned workers (and multiprocessing's resource tracker) then live on, adopted by
    init. They are told apart by the throwaway database they were started for."""
    marker = f"INTERLINK_DATABASE_URL={url}".encode()
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            if not entry.name.isdigit():
                continue
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == 1 and marker in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGTERM)


def _postgres_cpu(database: str) -> float:
    """CPU seconds of the local PostgreSQL's processes that work for ``database``: its
    backends and the shared ones (WAL writer, checkpointer ...), not other databases'
    live backends; plus the backends that have ended (the postmaster's children's time:
    a pool's overflow connections end when they are given back), of any database."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            title = (entry / "cmdline").read_text()
            if ("(" in title or "[local]" in title) and f" {database} " not in title:
                continue  # a backend of another database
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / _TICK
            if not title.startswith("postgres:"):  # the postmaster: its ended children
                total += (int(fields[13]) + int(fields[14])) / _TICK
    return total


def _machine_busy() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine since boot (``/proc/stat``)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # without guest time, counted in user already
    return (total - idle) / _TICK, total / _TICK


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_snapshot(server: int, workers: Sequence[int], database: str) -> dict[str, float]:
    busy, total = _machine_busy()
    snapshot = {str(pid): _cpu_seconds(pid) for pid in workers}
    snapshot |= {"server": _cpu_seconds(server), "postgres": _postgres_cpu(database)}
    return snapshot | {"generator": _own_cpu(), "busy": busy, "total": total}


def _background(seconds: float = 2.0) -> float:
    """Cores the machine spends over ``seconds`` while this benchmark does nothing."""
    busy, total = _machine_busy()
    time.sleep(seconds)
    busy_after, total_after = _machine_busy()
    return (busy_after - busy) / ((total_after - total) / (os.cpu_count() or 1))


def _wait_quiet(limit: float = 0.3, patience: float = 300.0) -> float:
    """Wait (up to ``patience`` seconds) until other work on the machine uses less than
    ``limit`` cores: the figures are of this benchmark, not of a neighbour's test run."""
    deadline = time.monotonic() + patience
    load = _background()
    while load > limit and time.monotonic() < deadline:
        time.sleep(5)
        load = _background()
    return load


class _Activity(threading.Thread):
    """Samples, ten times a second, what the backends of ``database`` are doing: running
    (CPU), waiting, and for what (``Lock:tuple`` and ``Lock:transactionid``: a row another
    transaction holds, as the audit chain's head; ``Lock:advisory``: the events'
    commit-order lock; ``IO:WALSync``: a commit's flush), or ``idle in transaction``:
    waiting for the server process to send the transaction's next statement."""

    def __init__(self, database: str, results: Results) -> None:
        super().__init__(daemon=True)
        self.database, self.results = database, results
        self.stopped = threading.Event()

    def run(self) -> None:
        query = (
            "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
            "WHERE datname = %s AND state IN ('active', 'idle in transaction') "
            "AND pid <> pg_backend_pid()"
        )
        sessions = "SELECT sessions FROM pg_stat_database WHERE datname = %s"
        with psycopg.connect(f"{POSTGRES}/{self.database}", autocommit=True) as connection:
            opened = connection.execute(sessions, (self.database,)).fetchone()
            while not self.stopped.wait(0.1):
                for state, kind, event in connection.execute(query, (self.database,)):
                    if state != "active":  # in a transaction, waiting for its server process
                        self.results.waits["idle in transaction"] += 1
                    else:
                        self.results.waits[f"{kind}:{event}" if kind else "CPU"] += 1
                self.results.polls += 1
            closed = connection.execute(sessions, (self.database,)).fetchone()
            if opened and closed:  # sessions opened meanwhile, this one's own aside
                self.results.sessions = int(closed[0]) - int(opened[0])


def _holder(port: int, client_port: int, workers: Sequence[int]) -> int | None:
    """The worker holding the server side of the loopback connection from ``client_port``."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":"), fields[2].split(":")
        if int(local[1], 16) == port and int(remote[1], 16) == client_port:
            inode = fields[9]
            break
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in workers:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == target:
                        return pid
    return None


def _pinned(port: int, workers: Sequence[int]) -> dict[int, http.client.HTTPConnection]:
    """A kept-alive connection to each worker (opened until every worker has accepted one)."""
    found: dict[int, http.client.HTTPConnection] = {}
    deadline = time.monotonic() + 300  # a worker answers once it has imported the app
    pinged = time.monotonic()
    while len(found) < len(workers) and time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", "/api/v1/health")
        connection.getresponse().read()
        assert connection.sock is not None
        pid = _holder(port, connection.sock.getsockname()[1], workers)
        if pid is not None and pid not in found:
            found[pid] = connection
        else:
            connection.close()
            time.sleep(0.2)
        if time.monotonic() - pinged > 2:  # uvicorn closes a connection idle for 5 s
            pinged = time.monotonic()
            for kept in found.values():
                kept.request("GET", "/api/v1/health")
                kept.getresponse().read()
    if len(found) < len(workers):
        alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
        raise RuntimeError(
            f"in 5 minutes, only workers {sorted(found)} of {list(workers)} accepted a "
            f"connection (alive: {alive})"
        )
    return found


def _call(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any = None,
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    sent = {**headers, "Content-Type": "application/json"} if data else headers
    connection.request(method, path, body=data, headers=sent)
    answer = connection.getresponse()
    content = answer.read()
    return answer.status, json.loads(content) if content else None


# -- checks ------------------------------------------------------------------------------


def _warm(port: int, workers: Sequence[int], workload: Workload) -> float:
    """Build every worker's index (its first person screening, all at once); returns the
    slowest."""
    connections = _pinned(port, workers)
    headers = next(iter(workload.machines.values())).headers

    def first(connection: http.client.HTTPConnection) -> float:
        started = time.perf_counter()
        status, _ = _call(connection, "POST", "/api/v1/screen", headers, workload.persons[0])
        if status != 200:
            raise RuntimeError(f"warm-up screening answered {status}")
        connection.close()
        return time.perf_counter() - started

    with ThreadPoolExecutor(len(connections)) as pool:
        return max(pool.map(first, connections.values()))


def _fresh(port: int, workers: Sequence[int], workload: Workload) -> list[tuple[str, bool]]:
    """Write a person record through one worker, screen it through the other at once."""
    connections = _pinned(port, workers)
    (a, first), (b, second) = list(connections.items())[:2]
    writer = workload.officers["DE"].headers  # the owner bureau
    screener = workload.machines["FR"].headers  # a border system of another bureau
    rng = random.Random()
    letters = string.ascii_lowercase

    def name() -> dict[str, str]:
        given = "".join(rng.choices(letters, k=7)).title()
        family = "".join(rng.choices(letters, k=9)).title()
        return {"given_name": given, "family_name": family, "full_name": f"{given} {family}"}

    def found(connection: http.client.HTTPConnection, person: dict[str, str]) -> bool:
        typo = person["full_name"][:-2] + person["full_name"][-1] + person["full_name"][-2]
        query = {"person": {"name": typo, "date_of_birth": born}}
        status, answer = _call(connection, "POST", "/api/v1/screen", screener, query)
        assert status == 200, answer
        return any(match["record_id"] == record_id for match in answer["matches"])

    born = f"{rng.randint(1950, 2000)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    old = name()
    body = {**old, "date_of_birth": born, "visibility": {"mode": "all_members"}}
    status, created = _call(first, "POST", "/api/v1/records/persons", writer, body)
    assert status == 201, created
    record_id = created["id"]
    steps = [(f"created via worker {a}, screened via worker {b}: found", found(second, old))]
    new = name()
    path = f"/api/v1/records/persons/{record_id}"
    status, answer = _call(second, "PATCH", path, writer, new)
    assert status == 200, answer
    steps.append((f"renamed via worker {b}, new name via worker {a}: found", found(first, new)))
    gone = not found(first, old)
    steps.append((f"renamed via worker {b}, old name via worker {a}: not found", gone))
    status, answer = _call(first, "DELETE", f"{path}?reason=scale-out+check", writer)
    assert status in (200, 204), answer
    gone = not found(second, new)
    steps.append((f"deleted via worker {a}, screened via worker {b}: not found", gone))
    for connection in connections.values():
        connection.close()
    return steps


# -- load --------------------------------------------------------------------------------


class _Raw:
    """One kept-alive HTTP/1.1 connection, requests written and answers parsed by hand:
    a few microseconds of the generator's CPU per request where a full client spends
    hundreds."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        lines = ["POST /api/v1/screen HTTP/1.1", f"Host: 127.0.0.1:{port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.head = ("\r\n".join([*lines, "Content-Type: application/json", ""])).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def local_port(self) -> int:
        assert self.writer is not None
        return int(self.writer.get_extra_info("sockname")[1])

    async def send(self, body: bytes) -> tuple[int, bytes, float | None]:
        return await self._exchange(
            b"%sContent-Length: %d\r\n\r\n%s" % (self.head, len(body), body)
        )

    async def ping(self) -> None:
        """A health check: the worker has accepted the connection once it answers."""
        await self._exchange(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")

    async def _exchange(self, request: bytes) -> tuple[int, bytes, float | None]:
        if self.writer is None or self.writer.is_closing():
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status, length, timing, close = int(head[9:12]), None, None, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"server-timing" and b"dur=" in value:
                timing = float(value.split(b"dur=", 1)[1]) / 1000
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if length is None:
            raise ConnectionError("an answer without Content-Length")
        content = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, content, timing

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.writer = None


class _Httpx:
    """The same through ``httpx.AsyncClient`` (one connection each)."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.client = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={**headers, "Content-Type": "application/json"},
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=TIMEOUT,
        )

    async def open(self) -> None:
        await self.client.get("/api/v1/health")

    def local_port(self) -> int:
        return 0  # not exposed: the spread over workers is not reported

    async def send(self, body: bytes) -> tuple[int, bytes, float | None]:
        answer = await self.client.post("/api/v1/screen", content=body)
        timing = answer.headers.get("server-timing", "")
        server = float(timing.split("dur=", 1)[1]) / 1000 if "dur=" in timing else None
        return answer.status_code, answer.content, server

    async def close(self) -> None:
        await self.client.aclose()


async def _balance(connections: list[_Raw], port: int, workers: Sequence[int]) -> None:
    """Dial again the connections of the workers that hold more than their share, until
    each holds as many: the kernel hands a new connection to whichever worker accepts
    first, often the same one (with 8 connections and 2 workers, all 8 went to one)."""
    share = len(connections) // len(workers)
    for _ in range(100):
        held: dict[int | None, list[_Raw]] = {}
        for connection in connections:
            held.setdefault(_holder(port, connection.local_port(), workers), []).append(connection)
        extra = [c for pid, cs in held.items() for c in (cs if pid is None else cs[share:])]
        if all(len(held.get(pid, [])) >= share for pid in workers):
            return
        for connection in extra:
            await connection.close()
            await connection.open()
            await connection.ping()
    raise RuntimeError("could not spread the connections evenly over the workers")


async def _drive(
    port: int, server: int, workers: Sequence[int], database: str, workload: Workload, plan: Plan
) -> Results:
    results = Results()
    bodies = [json.dumps(query, ensure_ascii=False).encode() for query in workload.persons]
    kind = _Raw if plan.client == "raw" else _Httpx
    connections = [
        kind(port, workload.machines[BUREAUS[n % len(BUREAUS)]].headers)
        for n in range(plan.connections)
    ]
    await asyncio.gather(*(connection.open() for connection in connections))
    if plan.balanced:
        raw = [connection for connection in connections if isinstance(connection, _Raw)]
        await asyncio.gather(*(connection.ping() for connection in raw))
        await _balance(raw, port, workers)
    start = time.perf_counter() + WARMUP
    end = start + plan.seconds

    async def load(number: int, connection: _Raw | _Httpx) -> None:
        rng = random.Random(number)
        while time.perf_counter() < end:
            body = rng.choice(bodies)
            started = time.perf_counter()
            try:
                status, content, server = await asyncio.wait_for(connection.send(body), TIMEOUT)
            except (OSError, EOFError, ValueError, TimeoutError, httpx.HTTPError) as exc:
                finished = time.perf_counter()
                if start <= finished <= end:
                    cause = type(exc).__name__
                    results.errors[cause] += 1
                    results.samples.setdefault(cause, f"{exc!s:.200}")
                    results.latencies.append(finished - started)
                await connection.close()
                continue
            finished = time.perf_counter()
            if not start <= finished <= end:
                continue
            results.latencies.append(finished - started)
            if server is not None:
                results.server.append(server)
            if status != 200 or not content.startswith(b'{"hit"'):
                cause = f"HTTP {status}"
                results.errors[cause] += 1
                results.samples.setdefault(cause, content[:300].decode(errors="replace"))

    async def clock() -> None:
        await asyncio.sleep(start - time.perf_counter())
        if plan.client == "raw":
            for connection in connections:
                pid = _holder(port, connection.local_port(), workers)
                results.spread[pid or 0] = results.spread.get(pid or 0, 0) + 1
        before = _cpu_snapshot(server, workers, database)
        activity = _Activity(database, results)
        activity.start()
        await asyncio.sleep(end - time.perf_counter())
        activity.stopped.set()
        after = _cpu_snapshot(server, workers, database)
        for pid in workers:
            with contextlib.suppress(OSError, StopIteration):
                status = Path(f"/proc/{pid}/status").read_text().splitlines()
                line = next(line for line in status if line.startswith("VmRSS:"))
                results.memory.append(int(line.split()[1]) / 1024)
        elapsed = after["total"] - before["total"]  # machine CPU seconds: cores x seconds
        wall = elapsed / (os.cpu_count() or 1)
        for key in after:
            if key not in ("busy", "total"):
                results.cpu[key] = (after[key] - before[key]) / wall
        results.cpu["machine"] = (after["busy"] - before["busy"]) / wall
        mine = results.cpu["server"] + results.cpu["postgres"] + results.cpu["generator"]
        results.cpu["other"] = max(0.0, results.cpu["machine"] - mine)

    tasks: list[Awaitable[None]] = [load(n, c) for n, c in enumerate(connections)]
    await asyncio.gather(clock(), *tasks)
    await asyncio.gather(*(connection.close() for connection in connections))
    return results


# -- the benchmark -----------------------------------------------------------------------


def _measure(
    url: str, workers: int, secret: str, plan: Plan, prepare: Callable[[str], Workload]
) -> Results:
    with tempfile.NamedTemporaryFile(
        prefix="interlink-scaleout-", suffix=".log", delete=False
    ) as log:
        log_path = Path(log.name)
    for attempt in range(3):  # a start on a busy machine can outlast serve()'s minute
        _wait_quiet()
        try:
            in_flight = {"INTERLINK_REQUESTS_IN_FLIGHT": str(plan.in_flight)}
            server, base = serve(url, workers, secret, log=log_path, settings=in_flight)
            break
        except RuntimeError:
            _reap(url)
            if attempt == 2:
                raise
    port = int(base.rsplit(":", 1)[1])
    try:
        pids = _workers(server.pid)
        deadline = time.monotonic() + 180  # uvicorn starts the workers one after the other
        while len(pids) < workers and time.monotonic() < deadline:
            time.sleep(0.5)
            pids = _workers(server.pid)
        workload = prepare(base)
        build = _warm(port, pids, workload)
        database = url.rsplit("/", 1)[1]
        for attempt in range(3):
            quiet = _wait_quiet()
            results = asyncio.run(_drive(port, server.pid, pids, database, workload, plan))
            if results.cpu["other"] <= NOISE or attempt == 2:
                break
            print(
                f"  other processes took {results.cpu['other']:.2f} cores of the window: "
                "measuring again"
            )
        results.cpu["index build s"] = build
        results.cpu["before"] = quiet
        if workers > 1:
            print(f"each worker's index follows the others' writes ({workers} workers):")
            for step, ok in _fresh(port, pids, workload):
                print(f"  {'ok  ' if ok else 'FAIL'} {step}")
                if not ok:
                    results.errors["index not current"] += 1
    finally:
        server.terminate()
        server.wait()
    if results.errors:
        print(f"  server log: {log_path}")
    else:
        log_path.unlink(missing_ok=True)
    return results


def _report(plan: Plan, rows: list[tuple[int, str, Results]]) -> None:
    print(
        f"\n{plan.client} client, {WARMUP:.0f} s warm-up, {plan.seconds:.0f} s measured, "
        f"{os.cpu_count()} cores; CPU in cores (CPU seconds per second of the window)"
    )
    print(
        "| connections | workers | requests/s | p50 | p99 | errors | server time p50 "
        "| CPU: server (per worker) | CPU: PostgreSQL | CPU: generator | CPU: other processes "
        "| CPU: machine | server + PostgreSQL CPU per request | connections per worker |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for connections, workers, results in rows:
        cpu, count = results.cpu, len(results.latencies)
        pids = [key for key in cpu if key.isdigit()]
        per_worker = " + ".join(f"{cpu[pid]:.2f}" for pid in pids)
        per_request = (cpu["server"] + cpu["postgres"]) * plan.seconds / max(1, count) * 1000
        spread = " / ".join(str(results.spread.get(int(pid), 0)) for pid in pids)
        print(
            f"| {connections} | {workers} | {count / plan.seconds:,.0f} | "
            f"{_percentile(results.latencies, 0.5):.0f} ms | "
            f"{_percentile(results.latencies, 0.99):.0f} ms | {sum(results.errors.values())} | "
            f"{_percentile(results.server or [0.0], 0.5):.1f} ms | {cpu['server']:.2f} "
            f"({per_worker}) | {cpu['postgres']:.2f} | {cpu['generator']:.2f} | "
            f"{cpu['other']:.2f} | {cpu['machine']:.2f} | {per_request:.1f} ms | "
            f"{spread if results.spread else 'not measured'} |",
            flush=True,
        )
        for cause, n in results.errors.most_common():
            print(f"  error {cause}: {n} (e.g. {results.samples.get(cause, '')!r})")
    for connections, workers, results in rows:
        polls = max(1, results.polls)
        doing = ", ".join(
            f"{what} {count / polls:.1f}" for what, count in results.waits.most_common(5)
        )
        print(
            f"{connections} connections, workers {workers}: database backends active on "
            f"average: {doing}; {results.sessions:,} database sessions opened; memory "
            "per worker "
            f"{', '.join(f'{mb:,.0f} MB' for mb in results.memory)}; index build (the slowest "
            "worker's first screening) "
            f"{results.cpu['index build s']:.1f} s; other processes used "
            f"{results.cpu['before']:.2f} cores just before the run"
        )


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaleout", description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000, help="persons beside the demo")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--connections", type=int, nargs="*", default=list(CONNECTIONS), help="each in turn"
    )
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw")
    parser.add_argument("--workers", type=int, nargs="*", default=list(WORKERS))
    parser.add_argument(
        "--in-flight",
        type=int,
        nargs="*",
        default=[ADMITTED],
        help="requests each worker works on at once (INTERLINK_REQUESTS_IN_FLIGHT), each in turn",
    )
    parser.add_argument("--quick", action="store_true", help="20,000 persons, 10 seconds")
    parser.add_argument("--keep", action="store_true", help="keep the database (named at the end)")
    parser.add_argument("--database", help="serve a database kept by --keep instead of seeding")
    args, _ = parser.parse_known_args(argv)
    plan = Plan(
        20_000 if args.quick else args.persons,
        10.0 if args.quick else args.seconds,
        client=args.client,
    )
    name = args.database or postgres_database()
    if name is None:
        print(f"PostgreSQL at {POSTGRES} did not answer: skipped.")
        return 0
    url = f"{POSTGRES}/{name}"
    # Every server of the run accepts the tokens the first issued (a throwaway database's
    # key, derived from its name so that --database can serve it again).
    secret = hashlib.sha256(f"bench.scaleout {name}".encode()).hexdigest()
    rows: list[tuple[int, str, Results]] = []
    try:
        if not args.database:
            started = time.perf_counter()
            env = seed_demo(url, secret)
            with tempfile.TemporaryDirectory() as folder:
                _import_persons(env, plan.persons, Path(folder))
            # As autovacuum would soon after an import (where it runs: it is off on some
            # development servers, and the plans of the per-screening queries depend on it).
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("ANALYZE")
            seconds = time.perf_counter() - started
            print(f"seeded the demo and {plan.persons:,} persons into {name} in {seconds:.0f} s")
        prepared: list[Workload] = []

        def prepare(base: str) -> Workload:
            if not prepared:  # sign-ins and API keys once; later servers accept them
                prepared.append(_prepare(base, url, random.Random(7)))
            return prepared[0]

        runs = [(workers, False) for workers in args.workers]
        if plan.client == "raw":  # the spread over workers is known for this client only
            runs += [(workers, True) for workers in args.workers if workers > 1]
        for connections in args.connections:
            for in_flight in args.in_flight:
                for workers, balanced in runs:
                    run_plan = replace(
                        plan, connections=connections, balanced=balanced, in_flight=in_flight
                    )
                    results = _measure(url, workers, secret, run_plan, prepare)
                    label = f"{workers}{', balanced' if balanced else ''}"
                    if args.in_flight != [ADMITTED]:
                        label += f", {in_flight} in flight"
                    row = (connections, label, results)
                    rows.append(row)
                    _report(plan, [row])  # as it comes; all of them at the end
    finally:
        if not (args.keep or args.database):
            drop_postgres_database(name)
    if len(rows) > 1:
        _report(plan, rows)
    if args.keep:
        print(f"kept database {name}: --database {name} serves it again")
    return 1 if any(results.errors for _, _, results in rows) else 0


def run() -> None:
    main(sys.argv[1:])  # "python -m bench scaleout --quick": the name is ignored


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
