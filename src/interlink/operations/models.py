"""Tables of the command centre's work: operations (with their targets, tasks and
results), incidents (with the deployed team and the requests to members), and the
timeline both keep.

Operations and incidents belong to the General Secretariat (``owner_bureau_id``); their
visibility lists the countries taking part (an operation's participants, the countries
an incident's requests went to), so the one access policy answers which bureaus may
read them. ``reads.visible`` narrows that further to the roles that take part.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy import Uuid as UuidType
from sqlalchemy.orm import Mapped, mapped_column

from interlink.access.visibility import SharedMixin, unpack_countries
from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = [
    "Incident",
    "IncidentRequest",
    "IncidentTeamMember",
    "Operation",
    "OperationResult",
    "OperationTarget",
    "OperationTask",
    "TimelineEntry",
]


def _example_reference(prefix: str) -> str:
    return f"{prefix}-2026-{uuid.uuid4().int % 10**8:08d}"


class Operation(SharedMixin, Base):
    __tablename__ = "operations"
    __table_args__ = (Index("ix_operations_status_updated", "status", "updated_at"),)

    reference: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    start_date: Mapped[date | None] = mapped_column(Date, default=None)
    end_date: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def countries(self) -> list[str]:
        """The participating countries (the countries its visibility lists)."""
        return unpack_countries(self.visibility_countries)

    @classmethod
    def example(cls, **fields: Any) -> Operation:
        """A valid operation for the policy tests."""
        defaults: dict[str, Any] = {
            "reference": _example_reference("OP"),
            "name": "probe",
            "objective": "probe",
            "created_by": "test",
        }
        return cls(**(defaults | fields))


class OperationTarget(Base):
    """A notice or a record an operation is after (exactly one of the two)."""

    __tablename__ = "operation_targets"

    id: Mapped[uuid.UUID] = mapped_column(UuidType, primary_key=True, default=uuid.uuid4)
    operation_id: Mapped[uuid.UUID] = mapped_column(
        UuidType, ForeignKey("operations.id"), index=True
    )
    notice_id: Mapped[uuid.UUID | None] = mapped_column(
        UuidType, ForeignKey("notices.id"), default=None
    )
    record_id: Mapped[uuid.UUID | None] = mapped_column(
        UuidType, ForeignKey("records.id"), default=None
    )
    note: Mapped[str | None] = mapped_column(String(1000), default=None)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(64))


class OperationTask(Base):
    __tablename__ = "operation_tasks"

    id: Mapped[uuid.UUID] = mapped_column(UuidType, primary_key=True, default=uuid.uuid4)
    operation_id: Mapped[uuid.UUID] = mapped_column(
        UuidType, ForeignKey("operations.id"), index=True
    )
    title: Mapped[str] = mapped_column(String(400))
    country: Mapped[str] = mapped_column(String(2))
    """The participating country the task is assigned to."""
    due: Mapped[date | None] = mapped_column(Date, default=None)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    done_by: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class OperationResult(Base):
    """What came of an operation: arrests, seizures, located persons, in one country."""

    __tablename__ = "operation_results"

    id: Mapped[uuid.UUID] = mapped_column(UuidType, primary_key=True, default=uuid.uuid4)
    operation_id: Mapped[uuid.UUID] = mapped_column(
        UuidType, ForeignKey("operations.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    count: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(4000), default="")
    target_id: Mapped[uuid.UUID | None] = mapped_column(
        UuidType, ForeignKey("operation_targets.id"), default=None
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(64))
    bureau: Mapped[str] = mapped_column(String(8))


class Incident(SharedMixin, Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status_updated", "status", "updated_at"),)

    reference: Mapped[str] = mapped_column(String(24), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    """What happened."""
    country: Mapped[str] = mapped_column(String(2))
    place: Mapped[str] = mapped_column(String(400))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def countries(self) -> list[str]:
        """The countries asked for help (the countries its visibility lists)."""
        return unpack_countries(self.visibility_countries)

    @classmethod
    def example(cls, **fields: Any) -> Incident:
        """A valid incident for the policy tests."""
        defaults: dict[str, Any] = {
            "reference": _example_reference("IR"),
            "title": "probe",
            "description": "probe",
            "country": "FR",
            "place": "probe",
            "occurred_at": utcnow(),
            "created_by": "test",
        }
        return cls(**(defaults | fields))


class IncidentTeamMember(Base):
    """One member of the team deployed to an incident (an incident response team)."""

    __tablename__ = "incident_team"

    id: Mapped[uuid.UUID] = mapped_column(UuidType, primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("incidents.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(64))


class IncidentRequest(Base):
    """What the command centre asked of one member country, and its answer."""

    __tablename__ = "incident_requests"

    id: Mapped[uuid.UUID] = mapped_column(UuidType, primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("incidents.id"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    text: Mapped[str] = mapped_column(String(4000))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(64))
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    answer: Mapped[str | None] = mapped_column(String(4000), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_by: Mapped[str | None] = mapped_column(String(64), default=None)


class TimelineEntry(Base):
    """One line of an operation's or an incident's timeline: a change recorded as it
    was made (``kind`` ``change``), or a note an operator wrote (``note``)."""

    __tablename__ = "ops_timeline"
    __table_args__ = (
        Index("ix_ops_timeline_operation", "operation_id", "at"),
        Index("ix_ops_timeline_incident", "incident_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operation_id: Mapped[uuid.UUID | None] = mapped_column(
        UuidType, ForeignKey("operations.id"), default=None
    )
    incident_id: Mapped[uuid.UUID | None] = mapped_column(
        UuidType, ForeignKey("incidents.id"), default=None
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(String(4000))
    author: Mapped[str] = mapped_column(String(64))
    bureau: Mapped[str] = mapped_column(String(8))
