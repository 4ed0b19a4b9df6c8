"""Writing the change log: every change of a record or a notice, in its own transaction.

Changes made through the ORM are logged by a ``before_flush`` hook, so no service can
forget to; bulk writes that bypass the ORM (imports, a node's replication) call
``log_bulk`` themselves. Ids are taken under ``hold_commit_order`` so that a reader
following the log by id never skips a change that commits late.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, event, inspect, select
from sqlalchemy.orm import Session

from interlink.changes.models import Change
from interlink.core.events import hold_commit_order
from interlink.core.types import utcnow
from interlink.notices.models import Notice
from interlink.notices.workflow import LIVE
from interlink.records.bulk import insert_rows
from interlink.records.models import Record

__all__ = [
    "REPLICATED_NOTICE_KIND",
    "State",
    "log_bulk",
    "log_regrouping",
    "record_state",
]

State = tuple[str, str | None, uuid.UUID | None] | None
"""Who could see an object: (visibility mode, packed countries, group), or ``None``:
nobody but through the log's owner column (absent, deleted, unpublished)."""

REPLICATED_NOTICE_KIND = "notice"
"""Published notices are replicated; diffusions are messages between bureaus, not data."""

_VISIBILITY = ("visibility_mode", "visibility_countries", "visibility_group_id")
_TABLE = cast(Table, Change.__table__)


def record_state(visibility: dict[str, Any], deleted: bool = False) -> State:
    """The state of a record from its stored visibility columns."""
    if deleted:
        return None
    return (
        visibility["visibility_mode"],
        visibility["visibility_countries"],
        visibility["visibility_group_id"],
    )


def _value(obj: Any, name: str, committed: bool) -> Any:
    if not committed:
        return getattr(obj, name)
    history = inspect(obj).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return getattr(obj, name)


def _state(obj: Record | Notice, committed: bool) -> State:
    values = {name: _value(obj, name, committed) for name in _VISIBILITY}
    if isinstance(obj, Record):
        return record_state(values, deleted=_value(obj, "deleted_at", committed) is not None)
    published = _value(obj, "status", committed) in LIVE
    if obj.kind != REPLICATED_NOTICE_KIND or not published:
        return None
    return record_state(values)


def _shared(
    entity: str, kind: str, owner: uuid.UUID, before: State, after: State
) -> dict[str, Any]:
    """A change's columns but its object's id."""
    row: dict[str, Any] = {"at": utcnow(), "entity": entity, "kind": kind, "owner_bureau_id": owner}
    for side, state in (("before", before), ("after", after)):
        mode, countries, group = state or (None, None, None)
        row |= {f"{side}_mode": mode, f"{side}_countries": countries, f"{side}_group_id": group}
    return row


def _row(
    entity: str, kind: str, object_id: uuid.UUID, owner: uuid.UUID, before: State, after: State
) -> dict[str, Any]:
    return _shared(entity, kind, owner, before, after) | {"object_id": object_id}


def log_bulk(
    session: Session,
    entity: str,
    kind: str,
    owner_bureau_id: uuid.UUID,
    changes: Iterable[tuple[uuid.UUID, State, State]],
) -> None:
    """Log changes written without the ORM: (object id, state before, state after) each.

    An import logs a change per record; the rows of a batch mostly share their states, so
    they go in as ``records.bulk.insert_rows`` writes the records themselves: the shared
    values converted once per group, the ids per row."""
    groups: dict[tuple[State, State], list[dict[str, Any]]] = {}
    for object_id, before, after in changes:
        if before is not None or after is not None:
            groups.setdefault((before, after), []).append({"object_id": object_id})
    if not groups:
        return
    hold_commit_order(session)
    for (before, after), rows in groups.items():
        shared = _shared(entity, kind, owner_bureau_id, before, after)
        insert_rows(session, _TABLE, shared, rows, columns=[*shared, "object_id"])


@event.listens_for(Session, "before_flush")
def _log_orm_changes(session: Session, _context: Any, _instances: Any) -> None:
    rows = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Record | Notice):
            continue
        is_new = obj in session.new
        if not is_new and obj not in session.deleted and not session.is_modified(obj):
            continue
        if obj.id is None:
            obj.id = uuid.uuid4()
        before = None if is_new else _state(obj, committed=True)
        after = None if obj in session.deleted else _state(obj, committed=False)
        if before is None and after is None:
            continue
        entity = "record" if isinstance(obj, Record) else "notice"
        rows.append(_row(entity, obj.kind, obj.id, obj.owner_bureau_id, before, after))
    if rows:
        hold_commit_order(session)
        session.add_all(Change(**row) for row in rows)


def log_regrouping(session: Session, group_id: uuid.UUID, countries: set[str]) -> None:
    """Log a change of every object shared with a sharing group whose members ``countries``
    joined or left: to the feed, each was visible to them alone before (so a country that
    left hears a removal) and is shared with the group after (so one that joined hears
    an upsert)."""
    if not countries:
        return
    before: State = ("only", "," + ",".join(sorted(countries)) + ",", None)
    after: State = ("group", None, group_id)
    live = {
        Record: Record.deleted_at.is_(None),
        Notice: (Notice.kind == REPLICATED_NOTICE_KIND) & Notice.status.in_(LIVE),
    }
    for model, entity in ((Record, "record"), (Notice, "notice")):
        rows = session.execute(
            select(model.id, model.kind, model.owner_bureau_id).where(
                model.visibility_group_id == group_id, live[model]
            )
        ).all()
        for object_id, kind, owner in rows:
            log_bulk(session, entity, kind, owner, [(object_id, before, after)])
