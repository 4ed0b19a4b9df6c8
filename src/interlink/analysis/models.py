"""The link graph's tables: the identifiers each record holds (``record_identifiers``),
the links between records (``graph_links``: stated by a record, or derived from a shared
identifier), and how far the derivation has caught up with record changes.

Links are between records; who may see a link is decided when it is read (both of its
records visible to the reader), never stored with it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy import Uuid as UuidType
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = ["DeriveState", "GraphLink", "RecordIdentifier"]


class RecordIdentifier(Base):
    """One identifier of a record, in its compared form (``analysis.identifiers``)."""

    __tablename__ = "record_identifiers"
    __table_args__ = (Index("ix_record_identifiers_type_value", "type", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("records.id"), index=True)
    owner_bureau_id: Mapped[uuid.UUID] = mapped_column(UuidType)
    type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))
    shown: Mapped[str] = mapped_column(String(200))


class GraphLink(Base):
    """A link between two records. ``origin`` says where it comes from: ``stated`` (a
    record names the other, ``relation`` as it says) or ``derived`` (the two, of
    different bureaus, share an identifier: ``basis`` and ``value`` say which)."""

    __tablename__ = "graph_links"
    __table_args__ = (
        UniqueConstraint("a_id", "b_id", "relation", "value", name="uq_graph_links_pair"),
        Index("ix_graph_links_b_id", "b_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UuidType, primary_key=True, default=uuid.uuid4)
    a_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("records.id"), index=True)
    b_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("records.id"))
    relation: Mapped[str] = mapped_column(String(60))
    origin: Mapped[str] = mapped_column(String(8))
    basis: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200), default="")
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeriveState(Base):
    """How far the derivation has read record changes (by their ``updated_at``)."""

    __tablename__ = "derive_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    up_to: Mapped[datetime] = mapped_column(UTCDateTime)
