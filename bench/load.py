"""Load: the screening and API mix of many concurrent clients against a real server.

``python -m bench.load [--clients 200] [--seconds 60] [--backend sqlite|postgresql|both]
[--workers 1] [--think 0]`` (``python -m bench load --quick``: 20 seconds). For each
backend (a temporary SQLite file; a temporary PostgreSQL database at
``INTERLINK_BENCH_POSTGRES``) the demo network is seeded and served by ``interlink
serve`` on loopback (``bench/servers.py``; rate limits off, as in every benchmark).
Officers of 24 bureaus sign in and each bureau's supervisor issues an API key for a
border system; then ``--clients`` clients, one connection each, send requests for
``--seconds``, back to back (the server's capacity: each answer's latency is mostly its
wait behind the other clients' requests), or with a pause of ``--think`` seconds on
average (exponential) between an answer and the next request (an offered load below
capacity: latency is then the service time):

- a quarter are border systems (``X-API-Key``): person screenings (names in their own
  scripts, Latin names with a typo, strangers who match nobody) and document numbers
  (listed and not);
- the others are officers (bearer tokens) doing half screening (persons, documents) and
  half the rest of a working day: record lists and reads (reads of person data are
  audited), notice lists, hit lists, sending messages to other bureaus, the inbox.

Every screening writes its audit entry (and hits where a listed person or document is
found); so do record reads, messages and inbox fetches. An **error** is any answer other
than the operation's success status (200, or 201 for a message), a connection failure
or a request not answered within ``TIMEOUT`` seconds. Printed per backend: requests,
throughput, p50/p95/p99 overall and per operation (client side: from sending the request
to the last byte of the answer, measured on the same two cores as the server), errors
by cause; and the server's own p50/p99 (its ``Server-Timing``, from the request reaching
the application to the answer, without the wait in the server's socket queue).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import ssl
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bench.servers import POSTGRES, drop_postgres_database, postgres_database, serve
from interlink.core.db import make_engine, make_session_factory
from interlink.records.models import Record

PASSWORD = "demo-password"
_TLS = ssl.create_default_context()
"""Shared by the clients (plain HTTP on loopback; each would otherwise load the CAs)."""
TIMEOUT = 30.0
BUREAUS = [
    "AR", "BR", "CN", "DE", "EG", "ES", "FR", "GB", "GR", "IL", "IN", "IR",
    "IT", "JP", "KE", "KR", "MX", "NG", "RU", "SA", "TH", "TR", "UA", "US",
]  # fmt: skip
"""Demo bureaus with records of their own, many of them with names in their own script."""

OFFICER_MIX = {
    "screen person": 34,
    "screen document": 14,
    "record list": 8,
    "record read": 10,
    "notice list": 8,
    "hit list": 8,
    "message send": 8,
    "message list": 10,
}
MACHINE_MIX = {"screen person": 70, "screen document": 30}
MACHINE_SHARE = 4
"""One client in four is a border system with an API key."""


@dataclass(frozen=True)
class Plan:
    clients: int = 200
    seconds: float = 60.0
    workers: int = 1
    think: float = 0.0
    """Mean pause of a client between an answer and its next request (0: none)."""


@dataclass
class Identity:
    bureau: str
    headers: dict[str, str]
    machine: bool
    readable: list[tuple[str, str]] = field(default_factory=list)
    """(kind, id) of records this identity may read (from its own list at setup)."""


@dataclass
class Workload:
    persons: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    officers: dict[str, Identity]
    machines: dict[str, Identity]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())


def _name(data: dict[str, Any]) -> str:
    given = " ".join(p for p in (data.get("given_name"), data.get("family_name")) if p)
    return str(data.get("original_script_name") or data.get("full_name") or given)


def _queries(url: str, rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Person and document screening bodies: listed people (their own script, or Latin
    with a typo), strangers (a given name and a family name of two different records,
    born on another day), listed document numbers and made-up ones."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        people = [
            data
            for data in session.scalars(select(Record.data).where(Record.kind == "persons"))
            if _name(data)
        ]
        numbers = list(
            session.scalars(select(Record.lookup_key).where(Record.kind == "travel-documents"))
        )
    engine.dispose()
    persons: list[dict[str, Any]] = []
    for data in people:
        name = _name(data)
        if data.get("given_name"):  # Latin: a typing error in the family name
            name = name[:-2] + name[-1] + name[-2] if len(name) > 4 else name
        persons.append({"person": {"name": name, "date_of_birth": data.get("date_of_birth")}})
        other = rng.choice(people)
        if data.get("given_name") and other.get("family_name"):
            stranger = f"{data['given_name']} {other['family_name']}"
            born = f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            persons.append({"person": {"name": stranger, "date_of_birth": born}})
    documents = [{"document": {"number": number}} for number in numbers if number]
    documents += [
        {"document": {"number": f"{rng.randint(10, 99)}XK{rng.randint(10**5, 10**6 - 1)}"}}
        for _ in range(len(documents))
    ]
    rng.shuffle(persons)
    rng.shuffle(documents)
    return persons, documents


def _prepare(base: str, url: str, rng: random.Random) -> Workload:
    persons, documents = _queries(url, rng)

    def sign_in(code: str) -> tuple[Identity, Identity]:
        with httpx.Client(base_url=base, timeout=60) as client:
            tokens = []
            for role in ("officer", "supervisor"):
                answer = client.post(
                    "/api/v1/auth/token",
                    data={"username": f"{code.lower()}.{role}", "password": PASSWORD},
                )
                answer.raise_for_status()
                tokens.append({"Authorization": f"Bearer {answer.json()['access_token']}"})
            officer = Identity(code, tokens[0], machine=False)
            created = client.post(
                "/api/v1/api-clients", json={"name": f"Border control {code}"}, headers=tokens[1]
            )
            created.raise_for_status()
            machine = Identity(code, {"X-API-Key": created.json()["api_key"]}, machine=True)
            for kind in ("persons", "travel-documents", "vehicles"):
                page = client.get(
                    f"/api/v1/records/{kind}", params={"limit": 40}, headers=officer.headers
                )
                page.raise_for_status()
                officer.readable += [(kind, item["id"]) for item in page.json()["items"]]
            return officer, machine

    with ThreadPoolExecutor(4) as pool:
        signed = list(pool.map(sign_in, BUREAUS))
    return Workload(
        persons,
        documents,
        officers={officer.bureau: officer for officer, _ in signed},
        machines={machine.bureau: machine for _, machine in signed},
    )


def _request(
    operation: str, identity: Identity, workload: Workload, rng: random.Random, n: int
) -> tuple[str, str, dict[str, Any]]:
    """Method, path and httpx keyword arguments of one request."""
    if operation == "screen person":
        return "POST", "/api/v1/screen", {"json": rng.choice(workload.persons)}
    if operation == "screen document":
        return "POST", "/api/v1/screen", {"json": rng.choice(workload.documents)}
    if operation == "record list":
        kind = rng.choice(["persons", "travel-documents", "vehicles", "firearms"])
        params: dict[str, Any] = {"limit": 20, "offset": rng.randrange(0, 60, 20)}
        return "GET", f"/api/v1/records/{kind}", {"params": params}
    if operation == "record read":
        kind, record_id = rng.choice(identity.readable)
        return "GET", f"/api/v1/records/{kind}/{record_id}", {}
    if operation == "notice list":
        return "GET", "/api/v1/notices", {"params": {"limit": 20}}
    if operation == "hit list":
        return "GET", "/api/v1/hits", {"params": {"limit": 20}}
    if operation == "message send":
        to = rng.choice([code for code in BUREAUS if code != identity.bureau])
        body = {
            "recipients": [to],
            "priority": rng.choice(["routine", "routine", "urgent"]),
            "subject": f"Request for information {n}",
            "body": "Please confirm whether the person below is known to your services.",
        }
        return "POST", "/api/v1/messages", {"json": body}
    assert operation == "message list"
    return "GET", "/api/v1/messages", {"params": {"box": "inbox", "limit": 20}}


async def _client(
    number: int,
    base: str,
    identity: Identity,
    workload: Workload,
    plan: Plan,
    deadline: float,
    results: Results,
) -> None:
    rng = random.Random(number)
    mix = MACHINE_MIX if identity.machine else OFFICER_MIX
    # A client of its own for each: one connection, kept alive, as a border system or an
    # officer's browser has (and a pool of 200 shared ones costs httpx more CPU than the
    # server spends answering).
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=TIMEOUT, verify=_TLS
    ) as http:
        await _requests(http, rng, mix, identity, workload, plan.think, deadline, results)


async def _requests(
    http: httpx.AsyncClient,
    rng: random.Random,
    mix: dict[str, int],
    identity: Identity,
    workload: Workload,
    think: float,
    deadline: float,
    results: Results,
) -> None:
    operations, weights = list(mix), list(mix.values())
    n = 0
    if think:  # clients start spread out, not all at once
        await asyncio.sleep(rng.uniform(0, think))
    while time.perf_counter() < deadline:
        if n and think:
            pause = rng.expovariate(1 / think)
            if time.perf_counter() + pause >= deadline:
                return
            await asyncio.sleep(pause)
        n += 1
        operation = rng.choices(operations, weights)[0]
        method, path, kwargs = _request(operation, identity, workload, rng, n)
        expected = 201 if operation == "message send" else 200
        started = time.perf_counter()
        try:
            answer = await http.request(method, path, headers=identity.headers, **kwargs)
        except httpx.HTTPError as exc:
            cause = f"{operation}: {type(exc).__name__}"
            waited = time.perf_counter() - started
            results.errors[cause] += 1
            root = exc.__cause__ or exc.__context__
            results.samples.setdefault(
                cause,
                f"{exc!s:.200} ({root!r:.200}) after {waited:.1f} s, "
                f"{deadline - started:.0f} s to go",
            )
            results.latencies[operation].append(waited)
            continue
        results.latencies[operation].append(time.perf_counter() - started)
        timing = answer.headers.get("server-timing", "")
        if "dur=" in timing:
            results.server.append(float(timing.split("dur=", 1)[1]) / 1000)
        if answer.status_code != expected:
            cause = f"{operation}: HTTP {answer.status_code}"
            results.errors[cause] += 1
            results.samples.setdefault(cause, answer.text[:300])


async def _drive(base: str, workload: Workload, plan: Plan) -> Results:
    results = Results()
    tasks = []
    for number in range(plan.clients):
        code = BUREAUS[number % len(BUREAUS)]
        machine = number % MACHINE_SHARE == 0
        identity = workload.machines[code] if machine else workload.officers[code]
        tasks.append((number, identity))
    started = time.perf_counter()
    cpu = time.process_time()
    deadline = started + plan.seconds
    await asyncio.gather(
        *(_client(n, base, who, workload, plan, deadline, results) for n, who in tasks)
    )
    results.elapsed = time.perf_counter() - started
    results.client_cpu = time.process_time() - cpu
    return results


def _warm(base: str, workload: Workload) -> None:
    """Build the server's screening index before the clock starts."""
    officer = next(iter(workload.officers.values()))
    with httpx.Client(base_url=base, headers=officer.headers, timeout=120) as client:
        for query in (workload.persons[0], workload.documents[0]):
            client.post("/api/v1/screen", json=query).raise_for_status()


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (uvicorn's workers), from /proc (Linux)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _cpu_seconds(int(child))
    except (OSError, IndexError, ValueError):
        return float("nan")
    return total


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] * 1000


def _report(label: str, plan: Plan, results: Results) -> None:
    everything = [value for values in results.latencies.values() for value in values]
    errors = sum(results.errors.values())
    rate = results.requests / results.elapsed
    pace = f", a pause of {plan.think:g} s on average between requests" if plan.think else ""
    print(
        f"\n{label}: {plan.clients} clients{pace}, {plan.seconds:.0f} s ({results.elapsed:.1f} s "
        f"with the last answers), {plan.workers} server process(es)"
    )
    print("| operation | requests | share | p50 | p95 | p99 | max | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for operation in [*OFFICER_MIX, "all"]:
        values = everything if operation == "all" else results.latencies.get(operation, [])
        if not values:
            continue
        failed = (
            errors
            if operation == "all"
            else sum(n for cause, n in results.errors.items() if cause.startswith(operation + ":"))
        )
        name = "**all**" if operation == "all" else operation
        print(
            f"| {name} | {len(values):,} | {100 * len(values) / len(everything):.0f} % | "
            f"{_percentile(values, 0.50):.0f} ms | {_percentile(values, 0.95):.0f} ms | "
            f"{_percentile(values, 0.99):.0f} ms | {max(values) * 1000:.0f} ms | {failed} |"
        )
    server = results.server or [0.0]
    print(
        f"throughput {rate:,.0f} requests/s; errors {errors} "
        f"({100 * errors / max(1, results.requests):.2f} %); server time p50 "
        f"{_percentile(server, 0.5):.1f} ms, p99 {_percentile(server, 0.99):.1f} ms"
    )
    print(
        f"CPU: server {results.server_cpu:.1f} s, load generator {results.client_cpu:.1f} s, "
        f"in {results.elapsed:.1f} s on {os.cpu_count()} cores"
    )
    for cause, count in results.errors.most_common():
        print(f"  error {cause}: {count} (e.g. {results.samples[cause]!r})")
    print(
        f"| {label} | {plan.workers} | {plan.clients} | {plan.think:g} s | "
        f"{results.elapsed:.0f} s | {results.requests:,} | "
        f"{rate:,.0f} | {_percentile(everything, 0.5):.0f} ms | "
        f"{_percentile(everything, 0.95):.0f} ms | {_percentile(everything, 0.99):.0f} ms | "
        f"{errors} |",
        flush=True,
    )


def measure(label: str, url: str, plan: Plan) -> Results:
    rng = random.Random(7)
    with tempfile.NamedTemporaryFile(prefix="interlink-load-", suffix=".log", delete=False) as log:
        log_path = Path(log.name)
    server, base = serve(url, plan.workers, log=log_path)
    try:
        workload = _prepare(base, url, rng)
        _warm(base, workload)
        cpu = _cpu_seconds(server.pid)
        results = asyncio.run(_drive(base, workload, plan))
        results.server_cpu = _cpu_seconds(server.pid) - cpu
    finally:
        server.terminate()
        server.wait()
    _report(label, plan, results)
    if results.errors:
        print(f"  server log: {log_path}")
    else:
        log_path.unlink(missing_ok=True)
    return results


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause of a client between requests, s"
    )
    parser.add_argument("--quick", action="store_true", help="20 seconds")
    args, _ = parser.parse_known_args(argv)
    plan = Plan(args.clients, 20.0 if args.quick else args.seconds, args.workers, args.think)
    errors = 0
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'demo.db'}"
            results = measure("SQLite", url, plan)
            errors += sum(results.errors.values())
    if args.backend in ("postgresql", "both"):
        name = postgres_database()
        if name is None:
            print(f"PostgreSQL at {POSTGRES} did not answer: skipped.")
        else:
            try:
                results = measure("PostgreSQL", f"{POSTGRES}/{name}", plan)
                errors += sum(results.errors.values())
            finally:
                drop_postgres_database(name)
    return 1 if errors else 0


def run() -> None:
    main(sys.argv[1:])  # "python -m bench load --seconds 20": the name is ignored


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
