"""Hit tables: the hit itself and the confirmations asked of the record's owner.

A hit belongs to the bureau that owns the record found (``owner_bureau_id``); its
visibility (``only`` the screening bureau's country) lets the screening bureau follow it,
so the one access policy answers who may see a hit: the two bureaus and the
secretariat's command centre, nobody else.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy import Uuid as UuidType
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interlink.access.visibility import SharedMixin
from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow
from interlink.records.models import Record

__all__ = ["Hit", "HitConfirmation"]


class Hit(SharedMixin, Base):
    __tablename__ = "hits"
    __table_args__ = (
        Index("ix_hits_status_due", "status", "due_at"),
        Index("ix_hits_screening_bureau", "screening_bureau_id"),
        UniqueConstraint("screening_bureau_id", "reported_as", name="uq_hits_reported_as"),
    )

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    screening_bureau_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("bureaus.id"))
    screened_by: Mapped[str] = mapped_column(String(64))
    system: Mapped[str] = mapped_column(String(120))
    """Where the screening came from: ``user`` or the machine client's name."""
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    record_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("records.id"), index=True)
    record_kind: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(24), default="open")
    priority: Mapped[str | None] = mapped_column(String(12), default=None)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the open confirmation request must be answered."""
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    outcome: Mapped[str | None] = mapped_column(String(24), default=None)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    outcome_details: Mapped[str | None] = mapped_column(String(4000), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reported_as: Mapped[str | None] = mapped_column(String(64), default=None)
    """The screening bureau's own reference for a hit it reported (a national node's id
    for a hit found offline): reporting it again answers the same hit."""

    record: Mapped[Record] = relationship(Record, lazy="select")

    @classmethod
    def example(cls, **fields: Any) -> Hit:
        """A valid hit for the policy tests (on a record of its owner)."""
        owner = fields.get("owner_bureau_id")
        defaults: dict[str, Any] = {
            "screening_bureau_id": owner,
            "screened_by": "test",
            "system": "user",
            "query": {},
            "record": Record.example(owner_bureau_id=owner),
            "record_kind": "vehicles",
            "score": 0.9,
            "explanation": {},
        }
        return cls(**(defaults | fields))


class HitConfirmation(Base):
    """One request for confirmation and its answer."""

    __tablename__ = "hit_confirmations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hit_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("hits.id"), index=True)
    priority: Mapped[str] = mapped_column(String(12))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(4000), default=None)
    answer: Mapped[str | None] = mapped_column(String(24), default=None)
    details: Mapped[str | None] = mapped_column(String(4000), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_by: Mapped[str | None] = mapped_column(String(64), default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
