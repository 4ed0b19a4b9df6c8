"""What surrounds the records of a neighbourhood: the notices whose subject they are, the
hits made on them, the operations that target them, and the phones, e-mail and postal
addresses, wallets and accounts they hold. Each such node is one the reader may
see (the notice through the notices' own visibility, the hit and the operation through
theirs), joined to its record by an edge; none is expanded further.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission
from interlink.analysis.models import RecordIdentifier
from interlink.hits.models import Hit
from interlink.hits.reads import visible_hits
from interlink.notices.models import Notice
from interlink.notices.reads import visible_notices
from interlink.notices.schemas import NoticeFilters
from interlink.operations.models import Operation, OperationTarget
from interlink.operations.reads import may_follow
from interlink.operations.reads import visible as visible_operations

__all__ = ["context"]

_SUBJECTS = (("person", "record_id"), ("body", "record_id"), ("asset", "record_id"))


def _edge(kind: str, node_id: str, record_id: object, relation: str) -> dict[str, Any]:
    because = {"because": f"the {kind} {relation} record"}
    return {"id": f"{node_id}:{record_id}", "source": node_id, "target": str(record_id),
            "relation": relation, "origin": "stated", "basis": kind, "value": "",
            "confidence": 1.0, "explanation": because}  # fmt: skip


def context(
    session: Session, actor: Actor, record_ids: list[uuid.UUID]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(nodes, edges) of the notices, hits and operations around ``record_ids``."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    wanted = [str(record_id) for record_id in record_ids]
    if not wanted:
        return [], []
    for path in _SUBJECTS:
        subject = Notice.data[path].as_string()
        query = visible_notices(session, NoticeFilters(), actor).where(subject.in_(wanted))
        for notice in session.scalars(query.limit(200)):
            node_id = f"notice:{notice.id}"
            nodes[node_id] = {"id": node_id, "kind": f"{notice.type} notice",
                              "title": f"{notice.reference or 'draft'} {notice.title}",
                              "owner": "", "href": f"/notices/{notice.id}"}  # fmt: skip
            about = uuid.UUID(str(notice.data[path[0]]["record_id"]))
            edges.append(_edge("notice", node_id, about, "is about the"))
    if actor.can(Permission.RECORDS_READ):
        hits = visible_hits(actor).where(Hit.record_id.in_(record_ids))
        for hit in session.scalars(hits.limit(200)):
            node_id = f"hit:{hit.id}"
            nodes[node_id] = {"id": node_id, "kind": "hit",
                              "title": f"hit {hit.created_at:%Y-%m-%d} ({hit.status})",
                              "owner": "", "href": f"/api/v1/hits/{hit.id}"}  # fmt: skip
            edges.append(_edge("hit", node_id, hit.record_id, "was made on the"))
    if may_follow(actor):
        operations = visible_operations(select(Operation), actor)
        targets = operations.join(
            OperationTarget, OperationTarget.operation_id == Operation.id
        ).where(OperationTarget.record_id.in_(record_ids))
        columns = (Operation.id, Operation.reference, Operation.name, OperationTarget.record_id)
        for op_id, reference, name, record_id in session.execute(
            targets.with_only_columns(*columns)
        ):
            node_id = f"operation:{op_id}"
            nodes[node_id] = {"id": node_id, "kind": "operation", "title": f"{reference} {name}",
                              "owner": "", "href": f"/operations/{reference}"}  # fmt: skip
            edges.append(_edge("operation", node_id, record_id, "targets the"))
    _identifiers(session, record_ids, nodes, edges)
    return list(nodes.values()), edges


_AS_NODES = ("phone", "email", "address", "wallet", "iban", "domain", "ip")


def _identifiers(
    session: Session,
    record_ids: list[uuid.UUID],
    nodes: dict[str, dict[str, Any]],
    edges: list[dict[str, Any]],
) -> None:
    """The phones, e-mail addresses, postal addresses, wallets, accounts, domains and IP
    addresses the records hold, each a node tied to every record shown that holds it
    (the records are all ones the reader sees, so what they hold is seen too)."""
    held = session.execute(
        select(RecordIdentifier.record_id, RecordIdentifier.type, RecordIdentifier.value,
               RecordIdentifier.shown)
        .where(RecordIdentifier.record_id.in_(record_ids),
               RecordIdentifier.type.in_(_AS_NODES))
        .limit(2000)
    )  # fmt: skip
    for record_id, type_, value, shown in held:
        node_id = f"{type_}:{value}"
        nodes.setdefault(node_id, {"id": node_id, "kind": type_, "title": shown, "owner": "",
                                   "href": f"/analysis/graph?q={quote(value)}"})  # fmt: skip
        edges.append(_edge(type_, node_id, record_id, "is held by the"))
