"""API bodies of hits."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interlink.screening.schemas import ScreenRequest

__all__ = ["AnswerBody", "ConfirmationRequest", "HitReport", "OutcomeBody"]


class ConfirmationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    priority: Literal["urgent", "routine"] = Field(
        description="urgent: answer due within 10 minutes; routine: within 60"
    )
    note: str | None = Field(default=None, max_length=4000)


class AnswerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["confirmed", "not_same", "more_information"]
    details: str | None = Field(
        default=None,
        max_length=4000,
        description="confirmed: instructions (arrest, seize, inform); more_information: what",
    )


class OutcomeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["located", "arrested", "detained", "seized", "returned", "no_action"]
    details: str | None = Field(default=None, max_length=4000)


class HitReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_id: uuid.UUID
    query: ScreenRequest = Field(description="what was checked: a screening body")
    note: str | None = Field(default=None, max_length=4000)
    reference: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="the reporter's own id for the hit (a national node's): reporting the "
        "same reference again answers the same hit",
    )
