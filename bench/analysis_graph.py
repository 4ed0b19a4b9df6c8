"""The link graph at scale (SQLite): deriving links for 1,000,000 records, a
neighbourhood to depth 2 in a graph of 1,000,000 nodes and 5,000,000 edges, and
communities over a 100,000-node subgraph. ``--quick`` runs a tenth of the sizes.

Records: travel documents imported (the importer, as in ``bench.records_import``) by ten
bureaus, one in twenty carrying a number another bureau's record also holds, so the
derivation has cross-border links to find. Edges: the derived ones, then stated links
drawn inside clusters of 100 records (a network with communities to find) up to five
per record. Neighbourhoods are read as a national bureau's analyst (the access policy's
clause in every query) from 200 random records.
"""

from __future__ import annotations

import csv
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import networkx as nx
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from interlink.access import Actor, Role, Visibility, VisibilityMode
from interlink.access.roles import ROLE_PERMISSIONS
from interlink.analysis.derive import catch_up
from interlink.analysis.graph import neighbourhood
from interlink.analysis.models import GraphLink
from interlink.core.db import make_engine, migrate
from interlink.members.models import Bureau
from interlink.members.service import ensure_network
from interlink.records.file_import import import_file
from interlink.records.models import Record

OWNERS = ["FR", "DE", "IT", "ES", "GB", "NL", "PL", "BE", "AT", "PT"]
CLUSTER = 100


def _files(folder: Path, total: int) -> list[Path]:
    per_owner = total // len(OWNERS)
    paths = []
    for number, owner in enumerate(OWNERS):
        path = folder / f"{owner}.csv"
        with path.open("w", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(["id", "number", "document_type", "issuing_country", "status"])
            for index in range(per_owner):
                # One in twenty shares its number with the next bureau's same-index record.
                shared = index % 20 == 0 and number > 0
                text = f"S{index:08d}" if shared else f"{owner}{index:08d}"
                writer.writerow([f"{owner}-{index}", text, "passport", owner, "stolen"])
        paths.append(path)
    return paths


def run(quick: bool = "--quick" in sys.argv) -> None:
    total = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'graph.db'}"
        engine = make_engine(url)
        migrate(engine)
        with Session(engine) as session:
            ensure_network(session)
            session.commit()
            bureaus = {b.code: b for b in session.scalars(select(Bureau))}
            started = time.perf_counter()
            for path in _files(Path(tmp), total):
                import_file(session, path, "csv", kind="travel-documents",
                            owner=bureaus[path.stem], actor_name="bench",
                            visibility=Visibility(mode=VisibilityMode.ALL_MEMBERS))  # fmt: skip
            print(f"imported {total:,} records in {time.perf_counter() - started:.1f} s")

            started = time.perf_counter()
            catch_up(session, full=True)
            session.commit()
            seconds = time.perf_counter() - started
            derived = session.query(GraphLink).count()
            rate = total / seconds
            print(f"derivation: {total:,} records in {seconds:.1f} s ({rate:,.0f} records/s), "
                  f"{derived:,} cross-border links")  # fmt: skip

            ids = list(session.scalars(select(Record.id).order_by(Record.created_at, Record.id)))
            rng = random.Random(5)
            started, edges = time.perf_counter(), derived
            batch: list[dict[str, object]] = []
            for position, record_id in enumerate(ids):
                base = position - position % CLUSTER
                for _ in range(5 if edges < 5 * total else 0):
                    other = ids[min(base + rng.randrange(CLUSTER), len(ids) - 1)]
                    if other == record_id:
                        continue
                    batch.append({"id": uuid.uuid4(), "a_id": record_id, "b_id": other,
                                  "relation": "associate of", "origin": "stated",
                                  "basis": "stated", "value": str(edges),
                                  "confidence": 1.0, "explanation": {}})  # fmt: skip
                    edges += 1
                if len(batch) >= 50_000:
                    session.execute(insert(GraphLink), batch)
                    batch = []
            if batch:
                session.execute(insert(GraphLink), batch)
            session.commit()
            edges = session.query(GraphLink).count()
            print(f"graph: {len(ids):,} nodes, {edges:,} edges "
                  f"(stated ones added in {time.perf_counter() - started:.1f} s)")  # fmt: skip

            analyst = Actor(id=uuid.uuid4(), name="bench-analyst", kind="user",
                            role=Role.ANALYST, bureau_id=bureaus["FR"].id, bureau_code="FR",
                            country="FR", permissions=ROLE_PERMISSIONS[Role.ANALYST])  # fmt: skip
            timings, sizes = [], []
            for start in rng.sample(ids, 200):
                began = time.perf_counter()
                found = neighbourhood(session, analyst, start, depth=2)
                timings.append((time.perf_counter() - began) * 1000)
                sizes.append(len(found["nodes"]))
            timings.sort()
            p95 = timings[int(0.95 * (len(timings) - 1))]
            print(f"neighbourhood depth 2: p50 {statistics.median(timings):.1f} ms, "
                  f"p95 {p95:.1f} ms, {statistics.mean(sizes):.0f} nodes on average "
                  f"(goal p95 < 200 ms: {'met' if p95 < 200 else 'NOT met'})")  # fmt: skip

            part = ids[: total // 10]  # 100,000 records (10,000 with --quick): whole clusters
            chosen = set(part)
            graph = nx.Graph()
            graph.add_nodes_from(part)
            for start_at in range(0, len(part), 500):
                chunk = part[start_at : start_at + 500]
                for a, b in session.execute(select(GraphLink.a_id, GraphLink.b_id)
                                            .where(GraphLink.a_id.in_(chunk))):  # fmt: skip
                    if b in chosen:
                        graph.add_edge(a, b)
            began = time.perf_counter()
            communities = nx.community.louvain_communities(graph, seed=7)
            louvain = time.perf_counter() - began
            began = time.perf_counter()
            nx.pagerank(graph)
            pagerank = time.perf_counter() - began
            print(f"communities over {graph.number_of_nodes():,} nodes and "
                  f"{graph.number_of_edges():,} edges: Louvain {louvain:.1f} s "
                  f"({len(communities):,} communities), PageRank {pagerank:.1f} s")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    run()
