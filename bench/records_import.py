"""Bulk import: 1,000,000 travel documents from CSV and 100,000 FollowTheMoney persons,
on SQLite and PostgreSQL; records/s and peak memory of the importing process.

Each import runs in its own process (``bench.import_worker``) so that its peak memory is
its own. ``python -m bench records_import --quick`` runs a tenth of the sizes.
PostgreSQL runs when ``INTERLINK_TEST_POSTGRES_URL`` (default the local ``test``
database) answers; it uses a private schema that is dropped afterwards.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from interlink.core.db import make_engine, migrate, normalise_url

DOCUMENTS = 1_000_000
PERSONS = 100_000
POSTGRES_URL = os.environ.get(
    "INTERLINK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
COUNTRIES = ["FR", "DE", "IT", "ES", "GB", "US", "BR", "JP", "NG", "IN", "RU", "CN"]
GIVEN = ["Anna", "Omar", "Li", "Ivan", "Maria", "Kwame", "Sofia", "Hiro", "Ana", "Yusuf"]
FAMILY = ["Rossi", "Haddad", "Wang", "Petrov", "Garcia", "Mensah", "Silva", "Sato", "Kaya"]


def _documents_csv(path: Path, count: int) -> None:
    rng = random.Random(7)
    statuses = ["stolen", "lost", "revoked", "invalidated", "blank_stolen"]
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["id", "number", "document_type", "issuing_country", "status", "event_date"]
        )
        for index in range(count):
            writer.writerow(
                [
                    f"SLTD-{index:08d}",
                    f"{rng.randint(10, 99)}{rng.choice('ABCDEFGHJK')}"
                    f"{rng.choice('LMNPRSTUVW')}{index:07d}",
                    rng.choice(["passport", "passport", "id_card"]),
                    rng.choice(COUNTRIES),
                    rng.choice(statuses),
                    f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                ]
            )


def _persons_ftm(path: Path, count: int) -> None:
    rng = random.Random(11)
    with path.open("w") as stream:
        for index in range(count):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            entity = {
                "id": f"person-{index:07d}",
                "schema": "Person",
                "properties": {
                    "name": [f"{given} {family}"],
                    "firstName": [given],
                    "lastName": [family],
                    "birthDate": [
                        f"19{rng.randint(40, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                    ],
                    "nationality": [rng.choice(COUNTRIES).lower()],
                    "gender": [rng.choice(["male", "female"])],
                },
            }
            stream.write(json.dumps(entity) + "\n")


def _postgres_schema() -> tuple[str, str] | None:
    try:
        admin = create_engine(normalise_url(POSTGRES_URL), connect_args={"connect_timeout": 3})
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    except Exception as exc:  # unreachable server: report and go on with SQLite
        print(f"PostgreSQL skipped: {str(exc).splitlines()[0]}")
        return None
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}", schema


def _drop_schema(schema: str) -> None:
    admin = create_engine(normalise_url(POSTGRES_URL))
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _prepare(url: str) -> None:
    from sqlalchemy.orm import Session

    from interlink.members.service import ensure_network

    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        ensure_network(session)
        session.commit()
    engine.dispose()


def _run(url: str, path: Path, fmt: str, kind: str) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.import_worker", url, str(path), fmt, kind]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"import worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool = "--quick" in sys.argv) -> None:
    documents, persons = (DOCUMENTS // 10, PERSONS // 10) if quick else (DOCUMENTS, PERSONS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path, ftm_path = folder / "sltd.csv", folder / "persons.ftm.json"
        _documents_csv(csv_path, documents)
        _persons_ftm(ftm_path, persons)
        backends: list[tuple[str, str, str | None]] = [
            ("SQLite", f"sqlite:///{folder / 'bench.db'}", None)
        ]
        postgres = _postgres_schema()
        if postgres:
            backends.append(("PostgreSQL", postgres[0], postgres[1]))
        print(
            "| backend | import | records | seconds | records/s | peak memory | re-import (no-op) |"
        )
        print("|---|---|---|---|---|---|---|")
        try:
            for name, url, _ in backends:
                _prepare(url)
                for label, path, fmt, kind in (
                    (f"{documents:,} travel documents (CSV)", csv_path, "csv", "travel-documents"),
                    (f"{persons:,} persons (FtM)", ftm_path, "ftm", "persons"),
                ):
                    first = _run(url, path, fmt, kind)
                    again = _run(url, path, fmt, kind)
                    assert (
                        first["created"] == first["records"]
                        and again["unchanged"] == again["records"]
                    )
                    rate, again_rate = (
                        first["records"] / first["seconds"],
                        again["records"] / again["seconds"],
                    )
                    print(
                        f"| {name} | {label} | {first['records']:,.0f} | {first['seconds']:.1f} | "
                        f"{rate:,.0f} | {first['rss_mb']:.0f} MB | "
                        f"{again['seconds']:.1f} s ({again_rate:,.0f}/s) |",
                        flush=True,
                    )
        finally:
            for _, _, schema in backends:
                if schema:
                    _drop_schema(schema)


if __name__ == "__main__":
    run()
