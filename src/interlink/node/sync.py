"""Keeping a national node's replica current, and handing its offline hits to central.

A sync first delivers the hits found on the node since the last one, then reads the
central change feed from the node's cursor to its end. Each page is applied in one
transaction together with the cursor that follows it, so a sync killed at any moment
resumes where the last committed page ended: nothing is lost, nothing applied twice
(an upsert is idempotent anyway). A hit is reported under the node's own id for it,
which central answers with the same hit when asked again, so a delivery interrupted
between central's answer and the node's note of it makes no second hit.

Replicated rows keep central's ids, so that a hit on the node names central's record.
The node never writes data of its own (``guard.require_writable`` refuses it): the owner
bureau stays the only source of truth.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session, sessionmaker

from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.changes.log import State, log_bulk, record_state
from interlink.core.errors import Conflict
from interlink.core.types import utcnow
from interlink.hits.models import Hit
from interlink.members.models import Bureau
from interlink.node.central import Central, Refused
from interlink.node.models import NodeDelivery, NodeState
from interlink.notices.models import Notice
from interlink.records.bulk import insert_rows
from interlink.records.models import Record

__all__ = [
    "SyncReport",
    "apply_page",
    "deliver_hits",
    "ensure_replica",
    "pending_hits",
    "sync",
]

SYNC_ACTOR = "node-sync"
_DATES = {"created_at", "updated_at", "published_at", "review_due_at"}


@dataclass
class SyncReport:
    upserts: int = 0
    removals: int = 0
    pages: int = 0
    delivered: int = 0
    refused: int = 0
    cursor: str = "0"


def ensure_replica(session: Session, central_url: str) -> NodeState:
    """The node's state, made on the first sync of an empty database."""
    state = session.get(NodeState, 1)
    if state is None:
        if session.scalar(select(func.count()).select_from(Record)):
            raise Conflict(
                "this database holds records of its own: a national node needs a "
                "database of its own (set INTERLINK_DATABASE_URL)"
            )
        state = NodeState(id=1, central_url=central_url, bureau="", cursor="0")
        session.add(state)
        session.flush()
    elif state.central_url.rstrip("/") != central_url.rstrip("/"):
        raise Conflict(
            f"this node replicates {state.central_url}, not {central_url}; a node has "
            "one central system"
        )
    return state


def _values(obj: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    return {
        name: (datetime.fromisoformat(obj[name]) if name in _DATES and obj[name] else obj[name])
        for name in columns
        if name in obj
    }


def _visibility(visibility: dict[str, Any], country: str | None) -> dict[str, Any]:
    """Central's visibility, as the node stores it: sharing groups are central's, so a
    group's object is kept as shared with the node's own country (which may see it)."""
    mode, countries = visibility["mode"], visibility.get("countries") or []
    if mode == "group":
        mode, countries = ("only", [country]) if country else ("owner_only", [])
    packed = "," + ",".join(countries) + "," if countries else None
    return {"visibility_mode": mode, "visibility_countries": packed, "visibility_group_id": None}


_RECORD_FIELDS = (
    "kind", "source_id", "version", "data", "title", "search_text", "lookup_key",
    "second_key", "fingerprint", "screening_details", "created_at", "created_by",
    "updated_at", "updated_by",
)  # fmt: skip
_NOTICE_FIELDS = (
    "kind", "reference", "type", "status", "version", "data", "title", "search_text",
    "public_extract", "created_at", "created_by", "updated_at", "updated_by",
    "published_at", "review_due_at",
)  # fmt: skip


_NEW_RECORD_COLUMNS = frozenset(
    {*_RECORD_FIELDS, "id", "owner_bureau_id", "visibility_mode", "visibility_countries",
     "visibility_group_id", "deleted_at", "deleted_by", "deleted_reason"}
)  # fmt: skip
"""What a record new to the node is inserted with (``retention_reviewed_at`` stays unset);
an object that lacks any of it goes through the ORM, with the model's defaults."""
_RECORDS = cast(Table, Record.__table__)


def _insert_records(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the records new to the node as an import does (``records.bulk``: a first
    sync brings every record at once, and the ORM's unit of work would spend most of the
    sync on them), and log their arrival in the node's own change log, which its
    screening index follows."""
    if not rows:
        return
    insert_rows(session, _RECORDS, {}, rows, columns=sorted(_NEW_RECORD_COLUMNS))
    arrivals: dict[tuple[str, uuid.UUID], list[tuple[uuid.UUID, State, State]]] = {}
    for row in rows:
        arrivals.setdefault((row["kind"], row["owner_bureau_id"]), []).append(
            (row["id"], None, record_state(row))
        )
    for (kind, owner), changes in arrivals.items():
        log_bulk(session, "record", kind, owner, changes)


def _remove_record(record: Record, now: datetime) -> None:
    """What central no longer shares leaves nothing readable behind (the row stays only
    because hits made on the node refer to it)."""
    record.deleted_at, record.deleted_by = now, SYNC_ACTOR
    record.deleted_reason = "no longer shared with this bureau by its owner"
    record.data, record.title, record.search_text = {}, f"{record.kind} record removed", ""
    record.lookup_key = record.second_key = None
    record.updated_at, record.updated_by = now, SYNC_ACTOR


def apply_page(session: Session, state: NodeState, page: dict[str, Any]) -> tuple[int, int]:
    """Apply one page of the feed and move the cursor past it (the caller commits)."""
    if state.bureau and page["bureau"] != state.bureau:
        raise Conflict(
            f"this node replicates for bureau {state.bureau}; the token is of {page['bureau']}"
        )
    state.bureau = page["bureau"]
    bureaus = {code: (id_, country) for id_, code, country in session.execute(
        select(Bureau.id, Bureau.code, Bureau.country_code))}  # fmt: skip
    country = bureaus[state.bureau][1] if state.bureau in bureaus else None
    items = page["items"]
    ids = {"record": [], "notice": []}  # type: dict[str, list[uuid.UUID]]
    for item in items:
        ids[item["entity"]].append(uuid.UUID(item["id"]))
    records = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(ids["record"])))}
    notices = {n.id: n for n in session.scalars(select(Notice).where(Notice.id.in_(ids["notice"])))}
    now, upserts, removals = utcnow(), 0, 0
    arriving: list[dict[str, Any]] = []  # records new to the node, inserted together
    for item in items:
        object_id = uuid.UUID(item["id"])
        if item["op"] == "remove":
            removals += 1
            if item["entity"] == "record" and object_id in records:
                _remove_record(records[object_id], now)
            elif item["entity"] == "notice" and object_id in notices:
                session.delete(notices.pop(object_id))
            continue
        upserts += 1
        obj = item["object"]
        if obj["owner"] not in bureaus:
            raise Conflict(f"central names a bureau this node does not know: {obj['owner']}")
        shared = {
            "owner_bureau_id": bureaus[obj["owner"]][0],
            **_visibility(obj["visibility"], country),
        }
        if item["entity"] == "record":
            fields = _values(obj, _RECORD_FIELDS) | shared
            fields |= {"deleted_at": None, "deleted_by": None, "deleted_reason": None}
            record = records.get(object_id)
            if record is None and fields.keys() | {"id"} == _NEW_RECORD_COLUMNS:
                arriving.append(fields | {"id": object_id})
                continue
            if record is None:
                record = records[object_id] = Record(id=object_id)
                session.add(record)
            for name, value in fields.items():
                setattr(record, name, value)
        else:
            notice = notices.get(object_id)
            if notice is None:
                notice = notices[object_id] = Notice(id=object_id, flags=[])
                session.add(notice)
            for name, value in (_values(obj, _NOTICE_FIELDS) | shared).items():
                setattr(notice, name, value)
    _insert_records(session, arriving)
    state.cursor = page["cursor"]
    if items:
        audit(
            session,
            AuditAction.NODE_SYNC,
            actor_name=SYNC_ACTOR,
            object_type="changes",
            after={"cursor": state.cursor, "upserts": upserts, "removals": removals},
        )
    return upserts, removals


def pending_hits(session: Session) -> list[Hit]:
    """Hits found on the node that central has not answered yet, oldest first."""
    query = (
        select(Hit)
        .outerjoin(NodeDelivery, NodeDelivery.hit_id == Hit.id)
        .where(NodeDelivery.hit_id.is_(None))
        .order_by(Hit.created_at, Hit.id)
    )
    return list(session.scalars(query))


def deliver_hits(factory: sessionmaker[Session], central: Central, bureau: str) -> tuple[int, int]:
    """Report every pending hit to central, one transaction each: (delivered, refused).
    ``LinkDown`` stops the delivery; what is left stays queued for the next sync."""
    delivered = refused = 0
    with factory() as session:
        queue = [(hit.id, hit.record_id, hit.query, hit.created_at, hit.screened_by, hit.score)
                 for hit in pending_hits(session)]  # fmt: skip
    for hit_id, record_id, query, found_at, screened_by, score in queue:
        body = {
            "record_id": str(record_id),
            "query": query,
            "reference": str(hit_id),
            "note": (
                f"found offline by the national node of {bureau or 'this bureau'} at "
                f"{found_at:%Y-%m-%d %H:%M:%S} UTC by {screened_by} (score {score:.2f})"
            ),
        }
        try:
            answer = central.report_hit(body)
            delivery = NodeDelivery(hit_id=hit_id, central_hit_id=uuid.UUID(answer["id"]))
            delivered += 1
        except Refused as exc:
            if exc.status in (401, 403):
                raise
            delivery = NodeDelivery(hit_id=hit_id, refused=exc.detail[:1000])
            refused += 1
        with factory() as session:
            session.add(delivery)
            session.commit()
    return delivered, refused


def sync(
    factory: sessionmaker[Session],
    central: Central,
    *,
    page_size: int = 500,
    progress: Callable[[SyncReport], None] | None = None,
) -> SyncReport:
    """Deliver the node's pending hits, then replicate central's changes to the end."""
    report = SyncReport()
    with factory() as session:
        state = ensure_replica(session, central.url)
        bureau = state.bureau
        session.commit()
    report.delivered, report.refused = deliver_hits(factory, central, bureau)
    with factory() as session:
        cursor = ensure_replica(session, central.url).cursor
    # The next page is read from central while this one is applied (central's time and
    # the node's overlap); no transaction is open while a page is awaited.
    with ThreadPoolExecutor(1, thread_name_prefix="node-fetch") as fetcher:
        coming = fetcher.submit(central.changes, cursor, page_size)
        while True:
            page = coming.result()
            if page["more"]:
                coming = fetcher.submit(central.changes, page["cursor"], page_size)
            with factory() as session:
                state = ensure_replica(session, central.url)
                if state.cursor != cursor:
                    raise Conflict("another sync of this node moved its cursor; run one at a time")
                upserts, removals = apply_page(session, state, page)
                if not page["more"]:
                    state.synced_at = utcnow()
                session.commit()
            cursor = page["cursor"]
            report.upserts += upserts
            report.removals += removals
            report.pages += 1
            report.cursor = cursor
            if progress is not None:
                progress(report)
            if not page["more"]:
                return report
