"""The change feed's JSON: a page of changes, each an upsert (with the object) or a removal."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = ["ChangeItem", "ChangePage"]


class ChangeItem(BaseModel):
    seq: int = Field(description="The change's place in the log")
    entity: Literal["record", "notice"]
    kind: str = Field(description="The record's kind (persons, ...) or 'notice'")
    id: uuid.UUID
    at: datetime
    op: Literal["upsert", "remove"]
    object: dict[str, Any] | None = Field(
        description="upsert: the object as it is now (its stored columns, 'owner' as a "
        "bureau code, 'visibility'); remove: null"
    )


class ChangePage(BaseModel):
    items: list[ChangeItem]
    cursor: str = Field(description="Pass as 'since' for the next page")
    more: bool = Field(description="Whether the log goes on after this page")
    bureau: str = Field(description="The bureau the feed is seen as (the caller's)")
