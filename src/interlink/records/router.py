"""HTTP routes of the shared databases, one set per record kind.

Routes are generated per kind so that each has its own typed bodies in the OpenAPI
description. (No ``from __future__ import annotations`` here: FastAPI must see the
generated body types, which are local to the factory.)
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import StreamingResponse

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession
from interlink.core.files import download, export_spool
from interlink.core.limits import PAGE
from interlink.core.storedjson import readable
from interlink.interop.formats import get_format
from interlink.members.deps import requires
from interlink.members.schemas import Page
from interlink.members.service import bureau_codes
from interlink.records import service
from interlink.records.exporter import export_records
from interlink.records.kinds import KINDS
from interlink.records.schemas import VersionRead, create_schema, read_schema, update_schema

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/records")

Reader = Annotated[Actor, Depends(requires(Permission.RECORDS_READ))]
Writer = Annotated[Actor, Depends(requires(Permission.RECORDS_WRITE))]


def _register(kind: str) -> None:
    label = KINDS[kind].label
    Create = create_schema(kind)
    Update = update_schema(kind)
    Read = read_schema(kind)
    tags: list[str | Any] = [f"records: {kind}"]

    @router.post(
        f"/{kind}",
        response_model=Read,
        status_code=status.HTTP_201_CREATED,
        tags=tags,
        name=f"create_{kind}",
        summary=f"Record a {label}",
    )
    def create(session: DbSession, actor: Writer, body: Create) -> dict[str, Any]:  # type: ignore[valid-type]
        record = service.create_record(session, kind, body, actor=actor)
        session.commit()
        return service.record_view(record, bureau_codes(session))

    @router.get(
        f"/{kind}",
        response_model=Page[Read],  # type: ignore[valid-type]
        tags=tags,
        name=f"list_{kind}",
        summary=f"List the {label} records you may see",
    )
    def list_(
        session: DbSession,
        actor: Reader,
        q: Annotated[str | None, Query(max_length=200, description="Words to find")] = None,
        owner: Annotated[
            str | None, Query(description="Owner bureau (country code or SEC)")
        ] = None,
        key: Annotated[str | None, Query(max_length=200, description="Identifier lookup")] = None,
        source_id: Annotated[str | None, Query(max_length=200)] = None,
        updated_since: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=PAGE)] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> dict[str, Any]:
        filters = service.ListFilters(
            q=q, owner=owner, key=key, source_id=source_id, updated_since=updated_since
        )
        records, total = service.list_records(
            session, kind, filters, actor=actor, limit=limit, offset=offset
        )
        session.commit()
        codes = bureau_codes(session)
        # A record whose stored data no longer passes its model is left out (and logged).
        items = readable(records, lambda record: service.record_view(record, codes), kind)
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    @router.get(
        f"/{kind}/export",
        tags=tags,
        name=f"export_{kind}",
        summary=f"Export the {label} records you may see",
        response_class=StreamingResponse,
    )
    def export(
        session: DbSession,
        actor: Reader,
        format: Annotated[str, Query(description="csv, ftm, stix or pfif")] = "csv",
        q: Annotated[str | None, Query(max_length=200)] = None,
        owner: Annotated[str | None, Query()] = None,
        updated_since: datetime | None = None,
    ) -> StreamingResponse:
        exchange = get_format(format, kind=kind)
        spool = export_spool()
        filters = service.ListFilters(q=q, owner=owner, updated_since=updated_since)
        export_records(session, kind, format, spool, actor=actor, filters=filters)
        session.commit()
        return download(spool, exchange.media_type, f"{kind}{exchange.suffix}")

    @router.get(f"/{kind}/{{record_id}}", response_model=Read, tags=tags, name=f"get_{kind}")
    def get(session: DbSession, actor: Reader, record_id: uuid.UUID) -> dict[str, Any]:
        record = service.get_record(session, kind, record_id, actor=actor)
        session.commit()
        return service.record_view(record, bureau_codes(session))

    @router.patch(f"/{kind}/{{record_id}}", response_model=Read, tags=tags, name=f"update_{kind}")
    def update(
        session: DbSession,
        actor: Writer,
        record_id: uuid.UUID,
        body: Update,  # type: ignore[valid-type]
    ) -> dict[str, Any]:
        record = service.update_record(session, kind, record_id, body, actor=actor)
        session.commit()
        return service.record_view(record, bureau_codes(session))

    @router.delete(
        f"/{kind}/{{record_id}}",
        status_code=status.HTTP_204_NO_CONTENT,
        tags=tags,
        name=f"delete_{kind}",
    )
    def delete(
        session: DbSession,
        actor: Writer,
        record_id: uuid.UUID,
        reason: Annotated[str, Query(min_length=3, max_length=1000, description="Why")],
    ) -> None:
        service.delete_record(session, kind, record_id, reason, actor=actor)
        session.commit()

    @router.get(
        f"/{kind}/{{record_id}}/history",
        response_model=list[VersionRead],
        tags=tags,
        name=f"history_{kind}",
    )
    def history(session: DbSession, actor: Reader, record_id: uuid.UUID) -> list[dict[str, Any]]:
        versions = service.record_history(session, kind, record_id, actor=actor)
        session.commit()
        return versions


for _kind in KINDS:
    _register(_kind)
