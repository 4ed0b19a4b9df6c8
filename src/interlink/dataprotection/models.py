"""Tables of data-protection requests: the request, and a finding per record that the
search found about its subject, with the owner's decision and what was done with it.

A finding keeps the record's id, kind and owner but none of its data: once a record is
erased for the request, nothing of the person is left here either.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy import Uuid as UuidType
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = ["DataRequest", "DataRequestFinding"]


class DataRequest(Base):
    __tablename__ = "data_requests"
    __table_args__ = (Index("ix_data_requests_status_due", "status", "due_on"),)

    id: Mapped[uuid.UUID] = mapped_column(UuidType, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``access``, ``correction`` or ``deletion``."""
    status: Mapped[str] = mapped_column(String(16), default="consulting")
    """``consulting`` (owners are asked), ``ready`` (every owner has decided),
    ``answered`` (the applicant has the answer)."""
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Who the request is about, as the applicant gave it (name, date of birth, ...)."""
    applicant: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    """When the applicant must have the answer (4 months for access, 9 for the others)."""
    owners_due_on: Mapped[date] = mapped_column(Date)
    """When the owners must have decided; undecided by then counts as withheld."""
    answer: Mapped[str | None] = mapped_column(Text, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class DataRequestFinding(Base):
    __tablename__ = "data_request_findings"

    id: Mapped[uuid.UUID] = mapped_column(UuidType, primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(
        UuidType, ForeignKey("data_requests.id"), index=True
    )
    record_id: Mapped[uuid.UUID] = mapped_column(UuidType, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(3), index=True)
    score: Mapped[float] = mapped_column(Float)
    decision: Mapped[str] = mapped_column(String(16), default="pending")
    """The owner's: ``pending``, ``disclose`` or ``withhold``."""
    decision_reason: Mapped[str | None] = mapped_column(String(1000), default=None)
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    action: Mapped[str] = mapped_column(String(16), default="none")
    """What the secretariat did to the record: ``none``, ``corrected``, ``erased``, ``kept``."""
    action_reason: Mapped[str | None] = mapped_column(String(1000), default=None)
    acted_by: Mapped[str | None] = mapped_column(String(64), default=None)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
