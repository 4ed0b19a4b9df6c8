"""Reading the link graph as an analyst: a record's neighbourhood to a depth (with the
notices, hits and operations around its records: ``context``), the shortest path
between two records, communities and key players, and exports.

Every node is a record the reader may see (``access.restrict``), and every edge joins
two such nodes: an edge to a record the reader may not see is left out, and so is any
sign that it exists (no counts of hidden neighbours). Links are read after
``derive.catch_up``, so a correlation made by a record change just now is there.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import networkx as nx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission, restrict
from interlink.analysis.context import context
from interlink.analysis.models import GraphLink
from interlink.core.errors import InvalidInput, NotFound
from interlink.members.service import bureau_codes
from interlink.records.models import Record

__all__ = ["Graph", "key_players", "neighbourhood", "shortest_path", "to_graphml"]

MAX_NODES = 500
Graph = dict[str, Any]
"""``{"nodes": [...], "edges": [...], "truncated": bool}`` as the API answers it."""


def _visible(
    session: Session, actor: Actor, ids: Iterable[uuid.UUID], codes: dict[uuid.UUID, str]
) -> dict[uuid.UUID, dict[str, Any]]:
    """The records of ``ids`` the reader may see, as nodes."""
    wanted = list(set(ids))
    nodes: dict[uuid.UUID, dict[str, Any]] = {}
    for start in range(0, len(wanted), 500):
        query = select(Record).where(
            Record.id.in_(wanted[start : start + 500]), Record.deleted_at.is_(None)
        )
        columns = (Record.id, Record.kind, Record.title, Record.owner_bureau_id)
        for row in session.execute(restrict(query, actor, Action.READ).with_only_columns(*columns)):
            nodes[row.id] = {"id": str(row.id), "kind": row.kind, "title": row.title,
                             "owner": codes.get(row.owner_bureau_id, "?"),
                             "href": f"/records/{row.kind}/{row.id}"}  # fmt: skip
    return nodes


def _links(session: Session, ids: Iterable[uuid.UUID]) -> list[GraphLink]:
    wanted = list(set(ids))
    found: list[GraphLink] = []
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        found += session.scalars(
            select(GraphLink).where(or_(GraphLink.a_id.in_(part), GraphLink.b_id.in_(part)))
        ).all()
    return found


def _edge(link: GraphLink) -> dict[str, Any]:
    return {"id": str(link.id), "source": str(link.a_id), "target": str(link.b_id),
            "relation": link.relation, "origin": link.origin, "basis": link.basis,
            "value": link.value, "confidence": link.confidence,
            "explanation": link.explanation}  # fmt: skip


def _start(session: Session, actor: Actor, record_id: uuid.UUID, codes: Any) -> dict[str, Any]:
    check_permission(actor, Permission.ANALYSIS_RUN)
    node = _visible(session, actor, [record_id], codes).get(record_id)
    if node is None:
        raise NotFound(f"no record {record_id} that you may see")
    return node


def neighbourhood(
    session: Session,
    actor: Actor,
    record_id: uuid.UUID,
    *,
    depth: int = 1,
    kinds: set[str] | None = None,
    countries: set[str] | None = None,
    limit: int = MAX_NODES,
) -> Graph:
    """The records within ``depth`` links of ``record_id`` that the reader may see (and
    of the ``kinds`` and owner ``countries`` asked, the start always shown)."""
    if not 1 <= depth <= 4:
        raise InvalidInput("depth", "from 1 to 4 links away")
    codes = bureau_codes(session)
    nodes = {record_id: _start(session, actor, record_id, codes)}
    edges: dict[uuid.UUID, dict[str, Any]] = {}
    frontier, truncated = {record_id}, False
    for _ in range(depth):
        links = _links(session, frontier)
        others = {link.b_id if link.a_id in frontier else link.a_id for link in links}
        found = _visible(session, actor, others - nodes.keys(), codes)
        found = {i: n for i, n in found.items() if (not kinds or n["kind"] in kinds)
                 and (not countries or n["owner"] in countries)}  # fmt: skip
        if len(nodes) + len(found) > limit:
            found = dict(list(found.items())[: max(limit - len(nodes), 0)])
            truncated = True
        nodes |= found
        for link in links:
            if link.a_id in nodes and link.b_id in nodes:
                edges[link.id] = _edge(link)
        frontier = set(found)
        if not frontier or truncated:
            break
    # Links among the last ring's records count too (they are all seen).
    for link in _links(session, frontier):
        if link.a_id in nodes and link.b_id in nodes:
            edges[link.id] = _edge(link)
    around, joined = context(session, actor, list(nodes))
    return {"nodes": [*nodes.values(), *around], "edges": [*edges.values(), *joined],
            "truncated": truncated}  # fmt: skip


def shortest_path(
    session: Session, actor: Actor, source: uuid.UUID, target: uuid.UUID, *, max_depth: int = 6
) -> Graph:
    """The fewest links from ``source`` to ``target`` through records the reader sees."""
    if not 1 <= max_depth <= 8:
        raise InvalidInput("max_depth", "from 1 to 8 links")
    codes = bureau_codes(session)
    nodes = {source: _start(session, actor, source, codes)}
    _start(session, actor, target, codes)
    came: dict[uuid.UUID, tuple[uuid.UUID, GraphLink] | None] = {source: None}
    frontier = {source}
    for _ in range(max_depth):
        links = _links(session, frontier)
        step: dict[uuid.UUID, tuple[uuid.UUID, GraphLink]] = {}
        for link in links:
            forward = link.a_id in frontier
            here, there = (link.a_id, link.b_id) if forward else (link.b_id, link.a_id)
            if there not in came and there not in step:
                step[there] = (here, link)
        seen = _visible(session, actor, step, codes)
        nodes |= seen
        for there in seen:
            came[there] = step[there]
        if target in seen:
            path_nodes, path_edges, at = [], [], target
            while came[at] is not None:
                before, link = came[at]  # type: ignore[misc]
                path_nodes.append(nodes[at])
                path_edges.append(_edge(link))
                at = before
            path_nodes.append(nodes[source])
            return {"nodes": path_nodes[::-1], "edges": path_edges[::-1], "truncated": False}
        frontier = set(seen)
        if not frontier:
            break
    raise NotFound(f"no path of at most {max_depth} links through records you may see")


def _networkx(graph: Graph) -> nx.Graph:
    built = nx.Graph()
    for node in graph["nodes"]:
        built.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
    for edge in graph["edges"]:
        built.add_edge(edge["source"], edge["target"], relation=edge["relation"],
                       basis=edge["basis"], origin=edge["origin"])  # fmt: skip
    return built


def key_players(graph: Graph, top: int = 10) -> dict[str, Any]:
    """Communities (Louvain, seeded: the same graph gives the same answer) and the records
    that matter most: by degree, betweenness and PageRank."""
    built = _networkx(graph)
    if built.number_of_nodes() == 0:
        return {"communities": [], "degree": [], "betweenness": [], "pagerank": []}
    communities = nx.community.louvain_communities(built, seed=7)
    titles = {node["id"]: node["title"] for node in graph["nodes"]}

    def ranked(scores: dict[str, float]) -> list[dict[str, Any]]:
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:top]
        return [{"id": n, "title": titles[n], "score": round(s, 4)} for n, s in best]

    return {
        "communities": [sorted(group) for group in sorted(communities, key=len, reverse=True)],
        "degree": ranked(nx.degree_centrality(built)),
        "betweenness": ranked(nx.betweenness_centrality(built)),
        "pagerank": ranked(nx.pagerank(built)) if built.number_of_edges() else [],
    }


def to_graphml(graph: Graph) -> str:
    built = _networkx(graph)
    for _, data in built.nodes(data=True):
        for key, value in list(data.items()):
            data[key] = "" if value is None else str(value)
    return "\n".join(nx.generate_graphml(built))
