"""API bodies of operations and incidents."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

__all__ = [
    "RESULT_KINDS",
    "AnswerBody",
    "IncidentCreate",
    "IncidentUpdate",
    "NoteCreate",
    "OperationCreate",
    "OperationUpdate",
    "RequestCreate",
    "ResultCreate",
    "TargetRef",
    "TaskCreate",
    "TaskUpdate",
    "TeamMemberCreate",
]

RESULT_KINDS = ("arrest", "seizure", "located_person")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # the first or last day of the calendar, moved past its edge
        raise ValueError("out of the range of dates this system keeps") from None


UtcTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
Country = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=3)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetRef(_Body):
    """A notice or a record the operation is after (one of the two)."""

    notice_id: uuid.UUID | None = None
    record_id: uuid.UUID | None = None
    note: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.notice_id is None) == (self.record_id is None):
            raise ValueError("give either 'notice_id' or 'record_id'")
        return self


class OperationCreate(_Body):
    name: Name
    objective: Text
    start_date: date | None = None
    end_date: date | None = None
    countries: list[Country] = Field(
        default_factory=list, max_length=196, description="participating member countries"
    )
    targets: list[TargetRef] = Field(default_factory=list, max_length=200)


class OperationUpdate(_Body):
    """Only the fields sent change."""

    name: Name | None = None
    objective: Text | None = None
    start_date: date | None = None
    end_date: date | None = None
    countries: list[Country] | None = Field(default=None, max_length=196)


class TaskCreate(_Body):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    country: Country = Field(description="the participating country it is assigned to")
    due: date | None = None


class TaskUpdate(_Body):
    """Only the fields sent change; a participating bureau only marks its tasks done."""

    title: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
        | None
    ) = None
    country: Country | None = None
    due: date | None = None
    done: bool | None = None


class ResultCreate(_Body):
    kind: Literal["arrest", "seizure", "located_person"]
    country: Country | None = Field(
        default=None, description="where; a participating bureau reports its own country's"
    )
    count: int = Field(default=1, ge=1, le=100_000)
    description: str = Field(default="", max_length=4000)
    target_id: uuid.UUID | None = Field(default=None, description="one of the operation's targets")


class NoteCreate(_Body):
    text: Text
    at: UtcTime | None = Field(default=None, description="when it happened (default: now)")


class TeamMemberCreate(_Body):
    name: Name
    role: Name


class RequestCreate(_Body):
    country: Country
    text: Text


class AnswerBody(_Body):
    answer: Text


class IncidentCreate(_Body):
    title: Name
    description: Text = Field(description="what happened")
    country: Country = Field(description="where: the member country")
    place: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    occurred_at: UtcTime
    team: list[TeamMemberCreate] = Field(default_factory=list, max_length=100)
    requests: list[RequestCreate] = Field(default_factory=list, max_length=196)


class IncidentUpdate(_Body):
    """Only the fields sent change."""

    title: Name | None = None
    description: Text | None = None
    country: Country | None = None
    place: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
        | None
    ) = None
    occurred_at: UtcTime | None = None
