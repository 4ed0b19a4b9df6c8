"""Audit trail routes for auditors: search and chain verification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from interlink.access import Actor, Permission
from interlink.audit.schemas import AuditEntryRead, ChainReportRead
from interlink.audit.service import entries_query, page_of, verify_chain
from interlink.core.deps import DbSession
from interlink.members.deps import requires
from interlink.members.schemas import Page

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Auditor = Annotated[Actor, Depends(requires(Permission.AUDIT_READ))]


@router.get("", response_model=Page[AuditEntryRead])
def search_audit(
    session: DbSession,
    _actor: Auditor,
    action: str | None = None,
    actor: str | None = None,
    bureau: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    query = entries_query(
        action=action,
        actor=actor,
        bureau=bureau,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
    )
    rows, total = page_of(session, query, limit=limit, offset=offset)
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


@router.get("/verify", response_model=ChainReportRead)
def verify(session: DbSession, _actor: Auditor) -> ChainReportRead:
    report = verify_chain(session)
    return ChainReportRead(
        ok=report.ok,
        entries=report.entries,
        first_bad_seq=report.first_bad_seq,
        reason=report.reason,
    )
