"""Bodies of the audit API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["AuditEntryRead", "ChainReportRead"]


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    bureau: str | None
    request_id: str | None
    action: str
    object_type: str | None
    object_id: str | None
    before: Any
    after: Any
    prev_hash: str
    hash: str


class ChainReportRead(BaseModel):
    ok: bool
    entries: int
    first_bad_seq: int | None
    reason: str | None
