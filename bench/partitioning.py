"""Partitioning experiment: the ``records`` table as it is, beside a copy HASH-partitioned
by ``owner_bureau_id``, under the queries the application runs.

``python -m bench.partitioning [--rows 200000] [--partitions 8] [--quick]`` (quick:
50,000 rows). Not a benchmark of the application: evidence for the partitioning section
of ``docs/deployment.md``. In a scratch PostgreSQL database (``INTERLINK_BENCH_POSTGRES``,
created and dropped) the migrations make the real schema and the member network; a copy
of ``records`` is made ``PARTITION BY HASH (owner_bureau_id)`` with the same columns,
its primary key widened to ``(id, owner_bureau_id)`` (a partitioned table's keys must
hold the partition key) and the same indexes, created from the real table's own
definitions. ``--rows`` synthetic records (kinds, owners and visibility in the
proportions of a network where a few bureaus own most data) are loaded into both, and
each query is timed ``REPEAT`` times with parameters drawn from the data, as the
application sends it (psycopg 3, statements not prepared): per query, the mean and p99
latency on each table and how many partitions the plan touches (from ``EXPLAIN``).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

import psycopg

from bench.records_import import _prepare
from bench.servers import POSTGRES, drop_postgres_database, postgres_database

REPEAT = 1_000
PLAIN, PARTED = "records", "records_by_owner"

_SYNTHETIC = """
INSERT INTO {table} (id, owner_bureau_id, kind, source_id, version, data, title,
    search_text, lookup_key, second_key, fingerprint, screening_details, created_at,
    created_by, updated_at, updated_by, deleted_at, visibility_mode, visibility_countries)
SELECT gen_random_uuid(), o.id, s.kind, 'SRC-' || n, 1,
    json_build_object('number', upper(substr(md5(n::text), 1, 9))), 'record ' || n,
    'record ' || n, upper(substr(md5(n::text), 1, 9)),
    CASE WHEN s.kind = 'vehicles' THEN upper(substr(md5('p' || n), 1, 7)) END,
    substr(md5(n::text || 'f'), 1, 32), 'full', t, 'bench', t, 'bench',
    CASE WHEN n %% 50 = 0 THEN t END,
    CASE WHEN n %% 10 < 7 THEN 'all_members' WHEN n %% 10 < 9 THEN 'owner_only' ELSE 'only' END,
    CASE WHEN n %% 10 = 9 THEN ',FR,DE,IT,' END
FROM (
    SELECT n, floor(%(bureaus)s * power(random(), 3))::int AS r,
        now() - random() * interval '5 years' AS t,
        (ARRAY['travel-documents','travel-documents','travel-documents','persons','persons',
               'vehicles','vehicles','firearms','artworks','missing-persons'])[1 + n %% 10]
            AS kind
    FROM generate_series(1, %(rows)s) AS n
) AS s
JOIN (SELECT id, row_number() OVER (ORDER BY md5(code)) - 1 AS r FROM bureaus
      WHERE code <> 'SEC') AS o ON o.r = s.r
"""
"""Synthetic records: kinds in a network's proportions (documents most), owners skewed
(rank r of 196 bureaus drawn as 196 * u**3: a few bureaus own most records, as in the
real databases), a tenth shared with listed countries, a fiftieth deleted."""

_VISIBLE = (
    "(owner_bureau_id = %(me)s OR visibility_mode IN ('all_members', 'public') "
    "OR (visibility_mode = 'only' AND visibility_countries LIKE '%%,FR,%%') "
    "OR (visibility_mode = 'except' AND visibility_countries NOT LIKE '%%,FR,%%'))"
)
"""``access.restrict`` for a French officer (without sharing groups)."""

QUERIES: dict[str, str] = {
    "screen a document (kind + lookup_key, policy)": (
        "SELECT * FROM {table} WHERE kind = 'travel-documents' AND lookup_key = %(key)s "
        f"AND deleted_at IS NULL AND {_VISIBLE}"
    ),
    "read a record by id (GET .../{id})": "SELECT * FROM {table} WHERE id = %(id)s",
    "owner's update: id + owner (restrict UPDATE)": (
        "SELECT * FROM {table} WHERE id = %(id)s AND owner_bureau_id = %(owner)s"
    ),
    "a bureau's own persons by updated_at (?owner=)": (
        "SELECT * FROM {table} WHERE kind = 'persons' AND deleted_at IS NULL "
        "AND owner_bureau_id = %(owner)s ORDER BY updated_at DESC, id LIMIT 20"
    ),
    "import check: owner + kind + 500 source ids": (
        "SELECT source_id FROM {table} WHERE owner_bureau_id = %(owner)s "
        "AND kind = %(kind)s AND source_id = ANY(%(sources)s)"
    ),
    "persons visible to a bureau by updated_at": (
        "SELECT * FROM {table} WHERE kind = 'persons' AND deleted_at IS NULL "
        f"AND {_VISIBLE} ORDER BY updated_at DESC, id LIMIT 20"
    ),
    "index build: every live person (id, data)": (
        "SELECT id, data FROM {table} WHERE kind IN ('persons', 'missing-persons') "
        "AND deleted_at IS NULL"
    ),
}
HEAVY = {"index build: every live person (id, data)": 5}
"""Queries that read a large part of the table: run this many times, not REPEAT."""


def _partitioned_copy(connection: psycopg.Connection[Any], partitions: int) -> None:
    """``records_by_owner``: the columns of ``records``, hash-partitioned by owner, with
    the real table's indexes and unique constraint (the primary key widened)."""
    connection.execute(
        f"CREATE TABLE {PARTED} (LIKE {PLAIN} INCLUDING DEFAULTS) "
        "PARTITION BY HASH (owner_bureau_id)"
    )
    for remainder in range(partitions):
        connection.execute(
            f"CREATE TABLE {PARTED}_{remainder} PARTITION OF {PARTED} "
            f"FOR VALUES WITH (MODULUS {partitions}, REMAINDER {remainder})"
        )
    connection.execute(f"ALTER TABLE {PARTED} ADD PRIMARY KEY (id, owner_bureau_id)")
    connection.execute(
        f"ALTER TABLE {PARTED} ADD FOREIGN KEY (owner_bureau_id) REFERENCES bureaus (id)"
    )
    connection.execute(
        f"ALTER TABLE {PARTED} ADD FOREIGN KEY (visibility_group_id) REFERENCES sharing_groups (id)"
    )
    definitions = connection.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname <> 'pk_records'",
        (PLAIN,),
    ).fetchall()
    for (definition,) in definitions:  # the unique constraint's index included
        name = re.search(r"INDEX (\S+) ON", definition)
        assert name is not None
        renamed = definition.replace(name.group(1), name.group(1) + "_by_owner", 1)
        connection.execute(renamed.replace(f" ON public.{PLAIN} ", f" ON public.{PARTED} "))


def _load(connection: psycopg.Connection[Any], rows: int) -> dict[str, float]:
    """The synthetic rows, made once in a staging table, then copied into each table
    (timed: the same rows, the same way)."""
    bureaus = connection.execute("SELECT count(*) - 1 FROM bureaus").fetchone()
    assert bureaus is not None
    connection.execute(f"CREATE UNLOGGED TABLE staging (LIKE {PLAIN} INCLUDING DEFAULTS)")
    connection.execute(_SYNTHETIC.format(table="staging"), {"bureaus": bureaus[0], "rows": rows})
    seconds = {}
    for table in (PLAIN, PARTED):
        started = time.perf_counter()
        connection.execute(f"INSERT INTO {table} SELECT * FROM staging")
        seconds[table] = time.perf_counter() - started
        connection.execute(f"ANALYZE {table}")
    connection.execute("DROP TABLE staging")
    return seconds


def _parameters(connection: psycopg.Connection[Any], rng: random.Random) -> list[dict[str, Any]]:
    """REPEAT parameter sets drawn from the loaded rows: existing keys and ids, owners
    weighted as the data is (a bureau with more records is asked about more often)."""
    sample = connection.execute(
        f"SELECT id, owner_bureau_id, lookup_key, kind FROM {PLAIN} "
        "WHERE kind = 'travel-documents' ORDER BY random() LIMIT %s",
        (REPEAT,),
    ).fetchall()
    fr = connection.execute("SELECT id FROM bureaus WHERE code = 'FR'").fetchone()
    assert fr is not None
    sets = []
    for record_id, owner, key, kind in sample:
        sources = connection.execute(
            f"SELECT source_id FROM {PLAIN} WHERE owner_bureau_id = %s AND kind = %s LIMIT 500",
            (owner, kind),
        ).fetchall()
        sets.append(
            {
                "id": record_id,
                "owner": owner,
                "key": key,
                "kind": kind,
                "sources": [s for (s,) in sources],
                "me": fr[0],
            }
        )
    rng.shuffle(sets)
    return sets


def _partitions_touched(connection: psycopg.Connection[Any], sql: str, params: Any) -> int:
    plan = connection.execute("EXPLAIN (COSTS OFF) " + sql, params).fetchall()
    return len({m for (line,) in plan for m in re.findall(rf" on ({PARTED}_\d+)\b", line)})


def _time(
    connection: psycopg.Connection[Any], sqls: Sequence[str], sets: Sequence[dict[str, Any]]
) -> list[list[float]]:
    """Latencies of each statement with each parameter set, the statements taking turns
    (so that a busy moment of the machine falls on both tables alike)."""
    latencies: list[list[float]] = [[] for _ in sqls]
    for params in sets:
        for sql, values in zip(sqls, latencies, strict=True):
            started = time.perf_counter()
            connection.execute(sql, params).fetchall()
            values.append(time.perf_counter() - started)
    return latencies


def _ms(values: list[float], share: float | None = None) -> str:
    if share is None:
        return f"{statistics.fmean(values) * 1000:.2f}"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000:.2f}"


def _inserts(connection: psycopg.Connection[Any], count: int) -> dict[str, float]:
    """Mean seconds of a single-row insert in its own transaction (as ``create_record``),
    per table, the tables taking turns."""
    owners = [row[0] for row in connection.execute("SELECT id FROM bureaus LIMIT 50")]
    spent = dict.fromkeys((PLAIN, PARTED), 0.0)
    for n in range(count):
        for table in spent:
            started = time.perf_counter()
            connection.execute(
                f"INSERT INTO {table} (id, owner_bureau_id, kind, source_id, version, data, "
                "title, search_text, lookup_key, fingerprint, created_at, created_by, "
                "updated_at, updated_by, visibility_mode) VALUES (gen_random_uuid(), %s, "
                "'persons', %s, 1, '{}', 'new', 'new', %s, 'f', now(), 'bench', now(), "
                "'bench', 'all_members')",
                (owners[n % len(owners)], f"NEW-{n}", f"NEW{n}"),
            )
            spent[table] += time.perf_counter() - started
    return {table: seconds / count for table, seconds in spent.items()}


def _measure(url: str, rows: int, partitions: int) -> None:
    with psycopg.connect(url, autocommit=True, prepare_threshold=None) as connection:
        _partitioned_copy(connection, partitions)
        loaded = _load(connection, rows)
        plain_size = connection.execute("SELECT pg_total_relation_size(%s)", (PLAIN,)).fetchone()
        parted_size = connection.execute(
            "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
            "WHERE inhparent = %s::regclass",
            (PARTED,),
        ).fetchone()
        counts = connection.execute(
            f"SELECT count(DISTINCT owner_bureau_id), max(c), min(c) FROM "
            f"(SELECT owner_bureau_id, count(*) AS c FROM {PLAIN} GROUP BY 1) AS t"
        ).fetchone()
        assert counts is not None and parted_size is not None and plain_size is not None
        print(
            f"{rows:,} records of {counts[0]} owner bureaus (largest {counts[1]:,}, smallest "
            f"{counts[2]:,}); {partitions} hash partitions by owner_bureau_id"
        )
        print(
            f"load (INSERT ... SELECT): plain {loaded[PLAIN]:.1f} s, partitioned "
            f"{loaded[PARTED]:.1f} s; size with indexes: plain "
            f"{plain_size[0] / 1e6:,.0f} MB, partitioned {int(parted_size[0]) / 1e6:,.0f} MB"
        )
        sets = _parameters(connection, random.Random(5))
        print(
            f"\n| query | plain: mean | plain: p99 | partitioned: mean | partitioned: p99 "
            f"| partitions in the plan (of {partitions}) |"
        )
        print("|---|---|---|---|---|---|")
        for label, template in QUERIES.items():
            chosen = sets[: HEAVY.get(label, len(sets))]
            plain_sql, parted_sql = template.format(table=PLAIN), template.format(table=PARTED)
            _time(connection, [plain_sql, parted_sql], chosen[:20])  # warm the caches
            plain, parted = _time(connection, [plain_sql, parted_sql], chosen)
            touched = _partitions_touched(connection, parted_sql, chosen[0])
            print(
                f"| {label} | {_ms(plain)} ms | {_ms(plain, 0.99)} ms | {_ms(parted)} ms | "
                f"{_ms(parted, 0.99)} ms | {touched} |",
                flush=True,
            )
        inserts = _inserts(connection, REPEAT)
        print(
            f"| insert one record, one transaction each | {inserts[PLAIN] * 1000:.2f} ms | | "
            f"{inserts[PARTED] * 1000:.2f} ms | | 1 |"
        )
        example = QUERIES["a bureau's own persons by updated_at (?owner=)"].format(table=PARTED)
        plan = connection.execute("EXPLAIN (COSTS OFF) " + example, sets[0]).fetchall()
        print("\nEXPLAIN of a bureau's own persons on the partitioned table (pruned to one):")
        for (line,) in plan:
            print(f"    {line}")


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.partitioning", description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="50,000 rows")
    args, _ = parser.parse_known_args(argv)
    name = postgres_database()
    if name is None:
        print(f"PostgreSQL at {POSTGRES} did not answer: skipped.")
        return 0
    url = f"{POSTGRES}/{name}"
    try:
        _prepare(url)
        _measure(url, 50_000 if args.quick else args.rows, args.partitions)
    finally:
        drop_postgres_database(name)
    return 0


def run() -> None:
    main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
