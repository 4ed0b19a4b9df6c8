"""API bodies of notices and diffusions.

A request's ``data`` is validated by its type's model (``types.py``) in the service, so
that every error names its field as ``body.data....`` whatever the type.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interlink.core.limits import COUNTRIES, LIST_ITEMS
from interlink.core.storedjson import BoundedObject
from interlink.notices.types import NoticeType

__all__ = [
    "CancelReason",
    "DiffusionCreate",
    "NoticeCreate",
    "NoticeFilters",
    "NoticeRead",
    "NoticeUpdate",
    "Resolution",
    "TransitionBody",
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoticeCreate(_Body):
    type: NoticeType
    data: BoundedObject = Field(
        description="the type's data (see the notice types), validated by its type's model"
    )
    public_extract: bool = Field(
        default=False, description="allow a public extract once published (red, yellow, un)"
    )


class NoticeUpdate(_Body):
    data: BoundedObject | None = None
    public_extract: bool | None = None


class DiffusionCreate(_Body):
    type: NoticeType
    data: BoundedObject
    recipients: list[Annotated[str, Field(max_length=8)]] = Field(
        min_length=1,
        max_length=COUNTRIES,
        description="ISO alpha-2 codes of the countries, or ['*'] for every member",
    )

    @field_validator("recipients")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        codes = sorted({code.strip().upper() for code in value})
        if codes == ["*"]:
            return codes
        for code in codes:
            if len(code) != 2 or not code.isascii() or not code.isalpha():
                raise ValueError(f"{code!r} is not an ISO 3166 alpha-2 country code (or '*')")
        return codes


class CancelReason(StrEnum):
    LOCATED = "located"
    ARRESTED = "arrested"
    EXTRADITED = "extradited"
    WITHDRAWN = "withdrawn"
    PURPOSE_ACHIEVED = "purpose_achieved"
    OTHER = "other"


class Resolution(_Body):
    flag: str = Field(max_length=64, description="the flag's id")
    decision: Literal["cleared", "upheld"]
    reason: str = Field(min_length=5, max_length=2000)


class TransitionBody(_Body):
    reason: str | None = Field(default=None, max_length=4000)
    cancel_reason: CancelReason | None = None
    resolutions: list[Resolution] = Field(default_factory=list, max_length=LIST_ITEMS)
    data: BoundedObject | None = Field(default=None, description="revise: the new data")


class NoticeFilters(BaseModel):
    kind: Literal["notice", "diffusion"] = "notice"
    type: NoticeType | None = None
    status: str | None = None
    country: str | None = None
    since: date | None = None
    until: date | None = None
    q: str | None = None


class NoticeRead(BaseModel):
    id: uuid.UUID
    kind: str
    reference: str
    type: NoticeType
    status: str
    version: int
    owner: str
    title: str
    data: dict[str, Any]
    public_extract: bool
    recipients: list[str] | None
    flags: list[dict[str, Any]]
    pending: dict[str, Any] | None
    subjects: list[dict[str, Any]]
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    published_at: datetime | None
    review_due_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
