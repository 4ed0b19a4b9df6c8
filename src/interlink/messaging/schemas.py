"""API bodies of messages."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interlink.core.limits import COUNTRIES, MESSAGE_CHARS

__all__ = ["MessageCreate", "Reference"]


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["notice", "diffusion", "record", "hit", "operation"]
    id: str = Field(min_length=1, max_length=64, description="an id, or a notice's reference")


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    recipients: list[Annotated[str, Field(max_length=8)]] = Field(
        min_length=1,
        max_length=COUNTRIES,
        description="bureau codes (FR, DE ...), SEC (General Secretariat), CCC (command "
        "centre), or ['*'] for every member bureau",
    )
    priority: Literal["routine", "urgent", "flash"] = "routine"
    subject: str = Field(min_length=1, max_length=400)
    body: str = Field(min_length=1, max_length=MESSAGE_CHARS)
    references: list[Reference] = Field(default_factory=list, max_length=50)
    reply_to: uuid.UUID | None = None

    @field_validator("recipients")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        codes = sorted({code.strip().upper() for code in value})
        if "*" in codes and len(codes) > 1:
            raise ValueError("'*' (every member) is given alone")
        return codes
