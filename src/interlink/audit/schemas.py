"""Bodies of the audit API, and the signed checkpoint document (file and API alike)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_VERSION",
    "AuditEntryRead",
    "ChainReportRead",
    "CheckpointBody",
    "CheckpointDocument",
    "CheckpointResultRead",
    "CheckpointsVerify",
    "PublicKeyRead",
]

CHECKPOINT_FORMAT: Final = "interlink-audit-checkpoint"
CHECKPOINT_VERSION: Final = 1
MAX_CHECKPOINTS = 1000
"""Checkpoints one API call verifies (the CLI takes any number)."""


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


class CheckpointBody(BaseModel):
    """What a checkpoint signs: the chain's head as it stood (``seq``, ``hash``: the entry
    and its chain hash). Strict, every field a string or an integer, so that its canonical
    JSON (sorted keys, no spaces) is the same bytes in every language (``jq -cjS``)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    format: Literal["interlink-audit-checkpoint"]
    version: Literal[1]
    key_id: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
    seq: Annotated[int, Field(ge=1, le=2**63 - 1)]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    at: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")]


class CheckpointDocument(BaseModel):
    """A checkpoint and its Ed25519 signature (base64) over the body's canonical JSON."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    checkpoint: CheckpointBody
    signature: Annotated[str, Field(pattern=r"^[A-Za-z0-9+/]{86}==$")]


class CheckpointsVerify(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checkpoints: Annotated[list[CheckpointDocument], Field(max_length=MAX_CHECKPOINTS)]


class CheckpointResultRead(BaseModel):
    seq: int
    hash: str
    ok: bool
    reason: str


class ChainReportRead(BaseModel):
    ok: bool
    entries: int
    first_bad_seq: int | None
    reason: str | None
    checkpoints: list[CheckpointResultRead] = []


class PublicKeyRead(BaseModel):
    algorithm: Literal["ed25519"] = "ed25519"
    key_id: str
    pem: str
