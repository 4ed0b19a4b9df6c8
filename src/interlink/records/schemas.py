"""Request and response bodies per record kind, generated from each kind's data model.

``XCreate`` is the kind's data plus ``visibility`` and ``source_id``; ``XUpdate`` has
every field optional (a merge patch, validated again as a whole); ``XRead`` is the data
plus the record's metadata, derived fields and warnings.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from interlink.access.visibility import Visibility
from interlink.records.kinds import KINDS, RecordData

__all__ = [
    "DeleteRequest",
    "FileRead",
    "RecordMeta",
    "ScreeningDetails",
    "TraceAnswer",
    "TraceCreate",
    "TraceRead",
    "VersionRead",
    "create_schema",
    "read_schema",
    "update_schema",
]


def _camel(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("-"))


def _public_fields(model: type[RecordData]) -> dict[str, Any]:
    """Fields by their public name (the alias where one is set), all optional, with the
    limits of the kind's model (lengths, list sizes), so that a patch is bounded as it
    is parsed, before it is merged and validated whole."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        public = info.alias or name
        kept = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        fields[public] = (kept | None, Field(default=None, description=info.description))
    return fields


class ScreeningDetails(StrEnum):
    """What a machine client (border system) learns when it screens the record."""

    FULL = "full"
    CONTACT_ONLY = "contact_only"


class RecordMeta(BaseModel):
    id: uuid.UUID
    kind: str
    owner: str = Field(description="Owner bureau: country code, or SEC")
    source_id: str | None
    version: int
    visibility: Visibility
    screening_details: ScreeningDetails = ScreeningDetails.FULL
    summary: str = Field(description="One-line summary of the record")
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    warnings: list[str] = Field(default_factory=list)
    derived: dict[str, Any] = Field(default_factory=dict)


@cache
def create_schema(kind: str) -> type[RecordData]:
    model = KINDS[kind]
    return create_model(  # type: ignore[no-any-return, call-overload]
        f"{_camel(kind)}Create",
        __base__=model,
        visibility=(Visibility, Field(default_factory=Visibility)),
        source_id=(str | None, Field(default=None, max_length=200)),
        screening_details=(ScreeningDetails, ScreeningDetails.FULL),
    )


@cache
def update_schema(kind: str) -> type[BaseModel]:
    return create_model(  # type: ignore[no-any-return, call-overload]
        f"{_camel(kind)}Update",
        __config__=ConfigDict(extra="forbid"),
        visibility=(Visibility | None, None),
        screening_details=(ScreeningDetails | None, None),
        **{k: v for k, v in _public_fields(KINDS[kind]).items()},
    )


@cache
def read_schema(kind: str) -> type[BaseModel]:
    fields = {
        k: v for k, v in _public_fields(KINDS[kind]).items() if k not in RecordMeta.model_fields
    }
    return create_model(f"{_camel(kind)}Read", __base__=RecordMeta, **fields)  # type: ignore[no-any-return, call-overload]


class VersionRead(BaseModel):
    """One version of a record. A version whose own visibility did not include the
    reader's bureau is ``withheld``: its number and date only."""

    version: int
    data: dict[str, Any] | None = None
    visibility: Visibility | None = None
    changed_at: datetime
    changed_by: str | None = None
    current: bool = False
    deleted: bool = False
    withheld: bool = Field(
        default=False, description="this version's visibility did not include your bureau"
    )


class DeleteRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


class FileRead(BaseModel):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class TraceCreate(BaseModel):
    question: str = Field(min_length=3, max_length=4000)


class TraceAnswer(BaseModel):
    answer: str = Field(min_length=3, max_length=4000)


class TraceRead(BaseModel):
    id: uuid.UUID
    firearm_id: uuid.UUID
    firearm: dict[str, Any] = Field(description="What the request discloses of the firearm")
    requesting_bureau: str
    addressed_country: str
    question: str
    status: str
    answer: str | None
    requested_at: datetime
    requested_by: str
    answered_at: datetime | None
    answered_by: str | None
