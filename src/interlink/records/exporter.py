"""Export of the records an actor may see, in any exchange format that carries the kind.

An export reads for as long as its records take to write (38 s for 300,000 documents),
so it reads in a transaction of its own that, on SQLite, takes no write lock
(``core.db.reading``); its audit entry is written afterwards, in a short transaction the
caller commits. Held from the start, the lock stopped every screening and sign-in of the
network (each writes an audit entry) until the export ended.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import IO

from sqlalchemy.orm import Session

from interlink.access import Actor, Permission, check_permission
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.db import reading
from interlink.core.storedjson import damage
from interlink.interop.base import ExportItem
from interlink.interop.formats import get_format
from interlink.members.service import bureau_codes
from interlink.records.kinds import kind_model
from interlink.records.models import Record
from interlink.records.service import ListFilters, visible_records

__all__ = ["export_records"]

log = logging.getLogger("interlink.records.export")


def _items(session: Session, kind: str, actor: Actor, filters: ListFilters) -> Iterator[ExportItem]:
    codes = bureau_codes(session)
    query = visible_records(kind, actor, filters, session).order_by(Record.created_at, Record.id)
    for record in session.scalars(query.execution_options(yield_per=2000)):
        why = damage(record.data)
        if why is not None:  # as lists do: one damaged row does not fail the export
            log.warning("%s %s left out of an export: %s", kind, record.id, why)
            continue
        yield ExportItem(
            id=record.id,
            kind=record.kind,
            owner=codes.get(record.owner_bureau_id, "?"),
            source_id=record.source_id,
            data=record.data,
            updated_at=record.updated_at,
        )


def export_records(
    session: Session,
    kind: str,
    format_name: str,
    stream: IO[bytes],
    *,
    actor: Actor,
    filters: ListFilters | None = None,
) -> int:
    """Write every record of ``kind`` visible to ``actor``; audited; returns the count.

    The session must not be in a transaction (the read would join it, lock and all); the
    audit entry is left for the caller to commit.
    """
    check_permission(actor, Permission.RECORDS_READ)
    kind_model(kind)
    exchange = get_format(format_name, kind=kind)
    filters = filters or ListFilters()
    with reading(session):
        count = exchange.write(_items(session, kind, actor, filters), stream, kind)
    audit(
        session,
        AuditAction.RECORD_EXPORT,
        actor=actor,
        object_type=kind,
        after={
            "format": format_name,
            "records": count,
            **filters.model_dump(mode="json", exclude_none=True),
        },
    )
    return count
