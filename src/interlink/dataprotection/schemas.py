"""Bodies of the data-protection API: a request received, an owner's decision on a
finding, the secretariat's action on the record, the answer; and retention reviews."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from interlink.core.storedjson import BoundedObject
from interlink.records.fields import CountryCode, PartialDate

__all__ = [
    "DataRequestCreate",
    "DataRequestRead",
    "FindingAction",
    "FindingDecision",
    "FindingRead",
    "RetentionDecision",
    "RetentionDue",
    "Subject",
]

_Strict = ConfigDict(extra="forbid", str_strip_whitespace=True)
Reason = Field(min_length=3, max_length=1000, description="why, for the audit trail")


class Subject(BaseModel):
    """The person the request is about, as the applicant identifies themselves."""

    model_config = _Strict

    name: str = Field(min_length=2, max_length=200)
    date_of_birth: PartialDate | None = None
    nationality: CountryCode | None = None
    document_numbers: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=10
    )

    @model_validator(mode="after")
    def _documents(self) -> Self:
        for number in self.document_numbers:
            if not 3 <= len(number) <= 64:
                raise ValueError("document_numbers: each 3 to 64 characters")
        return self


class DataRequestCreate(BaseModel):
    model_config = _Strict

    kind: Literal["access", "correction", "deletion"]
    subject: Subject
    applicant: str = Field(
        min_length=2, max_length=200, description="who asks: the person, or their lawyer"
    )
    details: str = Field(default="", max_length=5000, description="what the applicant asks")
    received_on: date | None = Field(default=None, description="default: today")


class FindingDecision(BaseModel):
    """The owning bureau's answer: may the applicant be told of this record?"""

    model_config = _Strict

    decision: Literal["disclose", "withhold"]
    reason: str = Reason


class FindingAction(BaseModel):
    """What the secretariat does to the record: correct (``changes``, a patch of the
    record's fields), erase it, or keep it as it is."""

    model_config = _Strict

    action: Literal["correct", "erase", "keep"]
    reason: str = Reason
    changes: BoundedObject | None = Field(
        default=None, description="for correct: the record's fields, validated by its kind's model"
    )

    @model_validator(mode="after")
    def _changes(self) -> Self:
        if (self.action == "correct") != bool(self.changes):
            raise ValueError("changes: give the fields to correct (only) when correcting")
        return self


class FindingRead(BaseModel):
    id: uuid.UUID
    record_id: uuid.UUID
    kind: str
    owner: str
    score: float
    decision: str
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    action: str
    action_reason: str | None
    acted_by: str | None
    acted_at: datetime | None


class DataRequestRead(BaseModel):
    id: uuid.UUID
    reference: str
    kind: str
    status: str
    subject: dict[str, Any]
    applicant: str
    details: str
    received_on: date
    due_on: date
    owners_due_on: date
    overdue: bool
    answer: str | None
    answered_at: datetime | None
    created_by: str
    findings: list[FindingRead]


class RetentionDue(BaseModel):
    record_id: uuid.UUID
    kind: str
    owner: str
    title: str
    kept_since: datetime = Field(description="the last change or retention review")
    review_due: datetime


class RetentionDecision(BaseModel):
    model_config = _Strict

    decision: Literal["keep", "delete"]
    reason: str = Reason
