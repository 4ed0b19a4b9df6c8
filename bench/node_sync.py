"""A national node's first sync, and a sync with nothing new, against a central server.

``python -m bench.node_sync [--persons 50000] [--quick]`` (quick: 5,000 persons).

Central is ``interlink serve`` on a temporary PostgreSQL database
(``INTERLINK_BENCH_POSTGRES``) holding the demo network and ``--persons`` imported
persons visible to every member (``bench.scaleout``'s set); the node is an empty SQLite
file on the same machine, synced by the real command (``interlink node sync --from URL
--token KEY``, 500 objects a page) with an API key of scope ``node`` of the German
bureau. Printed: the objects applied, the wall time of each sync (command start-up
included) and the CPU central's server spent meanwhile.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from bench.demo_database import seed_demo
from bench.load import _cpu_seconds
from bench.scaleout import _import_persons
from bench.servers import POSTGRES, drop_postgres_database, postgres_database, serve
from interlink.demo import DEMO_PASSWORD

_SUMMARY = re.compile(r"synced: (\d+) upserts, (\d+) removals in (\d+) pages")


def _key(base: str) -> str:
    token = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"username": "de.supervisor", "password": DEMO_PASSWORD},
        timeout=30,
    ).json()["access_token"]
    answer = httpx.post(
        f"{base}/api/v1/api-clients",
        json={"name": "DE border node (bench)", "scope": "node"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["api_key"])


def _sync(base: str, key: str, env: dict[str, str], central_pid: int) -> tuple[float, float, str]:
    """One run of the command: its wall time, central's CPU meanwhile, its output."""
    started, cpu = time.perf_counter(), _cpu_seconds(central_pid)
    done = subprocess.run(
        [sys.executable, "-m", "interlink.cli", "node", "sync", "--from", base, "--token", key],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, _cpu_seconds(central_pid) - cpu, done.stdout


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.node_sync", description=__doc__)
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="5,000 persons")
    args, _ = parser.parse_known_args(argv)
    persons = 5_000 if args.quick else args.persons
    name = postgres_database()
    if name is None:
        print(f"PostgreSQL at {POSTGRES} did not answer: skipped.")
        return 0
    url = f"{POSTGRES}/{name}"
    secret = os.urandom(32).hex()
    try:
        env = seed_demo(url, secret)
        with tempfile.TemporaryDirectory() as folder:
            _import_persons(env, persons, Path(folder))
            server, base = serve(url, 1, secret)
            try:
                key = _key(base)
                node = {**os.environ, "INTERLINK_DATABASE_URL": f"sqlite:///{folder}/node.db"}
                node.pop("INTERLINK_SECRET_KEY", None)  # the node signs nothing here
                print(f"central: demo network and {persons:,} persons on PostgreSQL")
                print("| sync | objects | seconds | objects/s | central's CPU |")
                print("|---|---|---|---|---|")
                for label in ("first", "nothing new"):
                    seconds, cpu, output = _sync(base, key, node, server.pid)
                    found = _SUMMARY.search(" ".join(output.split()))  # Rich wraps lines
                    if found is None:
                        raise RuntimeError(f"interlink node sync said: {output}")
                    upserts, removals, pages = map(int, found.groups())
                    objects = upserts + removals
                    print(
                        f"| {label} | {objects:,} ({upserts:,} upserts, {removals:,} removals, "
                        f"{pages} pages) | {seconds:.1f} | {objects / seconds:,.0f} | {cpu:.1f} s |"
                    )
            finally:
                server.terminate()
                server.wait(30)
    finally:
        drop_postgres_database(name)
    return 0


def run() -> None:
    main(sys.argv[1:])  # "python -m bench node_sync --quick": the name is ignored


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
