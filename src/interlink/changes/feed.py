"""The change feed: the change log as one caller may see it, resumable from a cursor.

For each logged change the caller hears:
- ``upsert`` with the object as it is now, when the change left it visible to the
  caller and it still is (if it is not any more, a later change took it away and
  says so);
- ``remove`` when the change took away an object the caller could see (a deletion, a
  restriction, a notice withdrawn);
- nothing, when the caller could see the object neither before nor after, so that the
  feed never tells of what the caller may not see.

Visibility is the screening one (``Action.SCREEN``): a national node replicates what
its bureau may screen against, with the published notices behind it, and in the form
the caller may see it: a machine client (a node's key) gets a record whose owner
withholds its details from machine clients (``contact_only``) as ``records.withheld``
reduces it, or not at all when screening never reads its kind. Within a page only
an object's last change is sent. The cursor is the last log id read; a page ends at
``limit`` log entries, and ``more`` says whether the log goes on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission, restrict, visible_clause
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.changes.log import REPLICATED_NOTICE_KIND
from interlink.changes.models import Change, VisibilityState
from interlink.core.errors import InvalidInput
from interlink.members.service import bureau_codes
from interlink.notices.models import Notice
from interlink.notices.workflow import LIVE
from interlink.records.models import Record
from interlink.records.schemas import ScreeningDetails
from interlink.records.withheld import withheld_columns

__all__ = ["FeedPage", "parse_cursor", "read_changes"]

_RECORD_COLUMNS = (
    "kind",
    "source_id",
    "version",
    "data",
    "title",
    "search_text",
    "lookup_key",
    "second_key",
    "fingerprint",
    "screening_details",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)
_NOTICE_COLUMNS = (
    "kind",
    "reference",
    "type",
    "status",
    "version",
    "data",
    "title",
    "search_text",
    "public_extract",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "published_at",
    "review_due_at",
)
_MAX_CURSOR = 2**63 - 1


@dataclass(frozen=True)
class FeedPage:
    items: list[dict[str, Any]]
    cursor: str
    more: bool


def parse_cursor(since: str) -> int:
    """The log id a cursor stands for; ``InvalidInput`` naming ``since`` otherwise."""
    text = since.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > _MAX_CURSOR:
        raise InvalidInput("since", "a cursor from an earlier page (digits), or 0 from the start")
    return int(text)


def _object(
    obj: Record | Notice, actor: Actor, codes: dict[uuid.UUID, str]
) -> dict[str, Any] | None:
    """The object as ``actor`` may have it (None: nothing of it)."""
    owner = codes.get(obj.owner_bureau_id, "?")
    shared = {"owner": owner, "visibility": obj.visibility.model_dump(mode="json")}
    if isinstance(obj, Notice):
        return {**{name: getattr(obj, name) for name in _NOTICE_COLUMNS}, **shared}
    if actor.kind == "client" and obj.screening_details == ScreeningDetails.CONTACT_ONLY:
        withheld = withheld_columns(obj, owner)
        return None if withheld is None else {**withheld, **shared}
    return {**{name: getattr(obj, name) for name in _RECORD_COLUMNS}, **shared}


def _current(
    session: Session, actor: Actor, wanted: dict[str, set[uuid.UUID]]
) -> dict[uuid.UUID, Record | Notice]:
    """The objects among ``wanted`` that the actor may see now, by id."""
    found: dict[uuid.UUID, Record | Notice] = {}
    if wanted["record"]:
        query = select(Record).where(Record.id.in_(wanted["record"]), Record.deleted_at.is_(None))
        found |= {r.id: r for r in session.scalars(restrict(query, actor, Action.SCREEN))}
    if wanted["notice"]:
        notices = select(Notice).where(
            Notice.id.in_(wanted["notice"]),
            Notice.kind == REPLICATED_NOTICE_KIND,
            Notice.status.in_([status.value for status in LIVE]),
        )
        found |= {n.id: n for n in session.scalars(restrict(notices, actor, Action.SCREEN))}
    return found


def read_changes(session: Session, *, actor: Actor, since: str, limit: int = 500) -> FeedPage:
    """The changes after ``since`` that ``actor`` may hear of (see the module docstring)."""
    check_permission(actor, Permission.SCREENING_RUN)
    after = parse_cursor(since)
    was = and_(
        Change.before_mode.is_not(None),
        visible_clause(VisibilityState("before"), actor, Action.SCREEN),
    )
    now = and_(
        Change.after_mode.is_not(None),
        visible_clause(VisibilityState("after"), actor, Action.SCREEN),
    )
    rows = session.execute(
        select(
            Change.id,
            Change.entity,
            Change.kind,
            Change.object_id,
            Change.at,
            was.label("was"),
            now.label("now"),
        )
        .where(Change.id > after)
        .order_by(Change.id)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    last: dict[tuple[str, uuid.UUID], Any] = {}  # an object's last change in the page
    for row in rows:
        if row.now or row.was:
            last.pop((row.entity, row.object_id), None)
            last[(row.entity, row.object_id)] = row
    wanted: dict[str, set[uuid.UUID]] = {"record": set(), "notice": set()}
    for (entity, object_id), row in last.items():
        if row.now:
            wanted[entity].add(object_id)
    current = _current(session, actor, wanted)
    codes = bureau_codes(session) if current else {}
    items = []
    for (entity, object_id), row in last.items():
        item = {
            "seq": row.id,
            "entity": entity,
            "kind": row.kind,
            "id": object_id,
            "at": row.at,
            "op": "remove",
            "object": None,
        }
        if row.now:
            obj = current.get(object_id)
            if obj is None:
                continue  # no longer visible: a later change in the log removes it
            shown = _object(obj, actor, codes)
            if shown is None and not row.was:
                continue  # never sent to this caller: nothing to take back either
            if shown is not None:
                item |= {"op": "upsert", "object": shown}
        items.append(item)
    cursor = str(rows[-1].id) if rows else str(after)
    if items:
        audit(
            session,
            AuditAction.CHANGES_READ,
            actor=actor,
            object_type="changes",
            after={
                "since": after,
                "cursor": cursor,
                "upserts": sum(item["op"] == "upsert" for item in items),
                "removals": sum(item["op"] == "remove" for item in items),
            },
        )
    return FeedPage(items=items, cursor=cursor, more=more)
