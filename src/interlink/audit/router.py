"""Audit trail routes for auditors: search, chain verification (against signed
checkpoints too), a signed checkpoint of the head, and the key that signs them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission
from interlink.audit.checkpoint import check_checkpoint, sign_head
from interlink.audit.schemas import (
    AuditEntryRead,
    ChainReportRead,
    CheckpointDocument,
    CheckpointResultRead,
    CheckpointsVerify,
    PublicKeyRead,
)
from interlink.audit.service import entries_query, page_of, verify_chain
from interlink.core.config import Settings
from interlink.core.deps import DbSession, SettingsDep
from interlink.core.limits import FEED_PAGE
from interlink.core.signing import installation_key
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
    limit: Annotated[int, Query(ge=1, le=FEED_PAGE)] = 100,
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
    return _report(session, None, None)


@router.post("/verify", response_model=ChainReportRead)
def verify_against(
    body: CheckpointsVerify, session: DbSession, settings: SettingsDep, _actor: Auditor
) -> ChainReportRead:
    """The chain, and each checkpoint against this installation's public key and the log."""
    return _report(session, body.checkpoints, settings)


@router.get("/checkpoint", response_model=CheckpointDocument)
def checkpoint(session: DbSession, settings: SettingsDep, _actor: Auditor) -> CheckpointDocument:
    """The chain's head, signed now: keep it outside this server."""
    return sign_head(session, installation_key(settings))


@router.get("/public-key", response_model=PublicKeyRead)
def public_key(settings: SettingsDep, _actor: Auditor) -> PublicKeyRead:
    public = installation_key(settings).public
    return PublicKeyRead(key_id=public.key_id, pem=public.pem())


def _report(
    session: Session, documents: list[CheckpointDocument] | None, settings: Settings | None
) -> ChainReportRead:
    report = verify_chain(session)
    results = []
    if documents and settings is not None:
        public = installation_key(settings).public
        results = [check_checkpoint(session, document, public) for document in documents]
    refused = next((result for result in results if not result.ok), None)
    reason = report.reason
    if reason is None and refused is not None:
        reason = f"checkpoint of entry {refused.seq}: {refused.reason}"
    return ChainReportRead(
        ok=report.ok and refused is None,
        entries=report.entries,
        first_bad_seq=report.first_bad_seq,
        reason=reason,
        checkpoints=[
            CheckpointResultRead(seq=r.seq, hash=r.hash, ok=r.ok, reason=r.reason) for r in results
        ],
    )
