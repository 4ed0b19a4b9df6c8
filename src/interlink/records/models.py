"""Record tables: one table for every kind (kind-specific data as JSON, validated by the
kind's model), earlier versions, attached files, firearm tracing requests.

One table keeps the access policy, history, import and the change feed the same for
every kind; what each kind is looked up by is copied into ``lookup_key`` (and
``second_key`` for a second identifier: a vehicle's plate beside its VIN), both indexed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from interlink.access.visibility import SharedMixin, Visibility, VisibilityMode
from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = ["FirearmTrace", "Record", "RecordFile", "RecordVersion", "VersionVisibility"]


class Record(SharedMixin, Base):
    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("owner_bureau_id", "kind", "source_id", name="uq_records_owner_source"),
        Index("ix_records_kind_lookup", "kind", "lookup_key"),
        Index("ix_records_kind_second_key", "kind", "second_key"),
        Index("ix_records_kind_updated", "kind", "updated_at"),
    )

    kind: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str | None] = mapped_column(String(200), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(String(400))
    search_text: Mapped[str] = mapped_column(Text, default="")
    lookup_key: Mapped[str | None] = mapped_column(String(128), default=None)
    second_key: Mapped[str | None] = mapped_column(String(128), default=None)
    fingerprint: Mapped[str] = mapped_column(String(32))
    screening_details: Mapped[str] = mapped_column(
        String(16), default="full", server_default="full"
    )
    """``full``, or ``contact_only``: machine clients that screen it learn only that there
    is a hit and which bureau to contact."""
    """Digest of ``data``: lets imports see unchanged records without reading them."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    deleted_by: Mapped[str | None] = mapped_column(String(64), default=None)
    deleted_reason: Mapped[str | None] = mapped_column(String(1000), default=None)
    retention_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the owner last decided to keep it past its retention period."""

    @classmethod
    def example(cls, **fields: Any) -> Record:
        """A valid record for the policy tests."""
        defaults: dict[str, Any] = {
            "kind": "vehicles",
            "data": {"plate": "AB-123-CD"},
            "title": "vehicle AB-123-CD",
            "fingerprint": "",
            "created_by": "test",
            "updated_by": "test",
        }
        return cls(**(defaults | fields))


class RecordVersion(Base):
    """A record as it was before a change (the current state lives in ``records``), with
    the visibility it had then: a version is shown to whom that visibility allowed, not
    to whom the record's visibility allows now (``VersionVisibility``)."""

    __tablename__ = "record_versions"
    __table_args__ = (UniqueConstraint("record_id", "version", name="uq_record_versions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("records.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    visibility_mode: Mapped[str] = mapped_column(
        String(16), default=VisibilityMode.OWNER_ONLY.value, server_default="owner_only"
    )
    visibility_countries: Mapped[str | None] = mapped_column(String(1024), default=None)
    visibility_group_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    """No foreign key: the version keeps the group it was shared with as it was."""
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by: Mapped[str] = mapped_column(String(64))

    @staticmethod
    def of(record: Record) -> dict[str, Any]:
        """The row that keeps ``record`` as it is now (every writer of versions uses it)."""
        return {
            "record_id": record.id,
            "version": record.version,
            "data": record.data,
            "visibility_mode": record.visibility_mode,
            "visibility_countries": record.visibility_countries,
            "visibility_group_id": record.visibility_group_id,
            "changed_at": record.updated_at,
            "changed_by": record.updated_by,
        }

    @property
    def visibility(self) -> Visibility:
        return Visibility.stored(
            self.visibility_mode, self.visibility_countries, self.visibility_group_id
        )


class VersionVisibility:
    """The columns ``access.visible_clause`` reads for an earlier version: the record's
    owner (a record never changes hands) and the version's own visibility."""

    def __init__(self) -> None:
        self.owner_bureau_id = Record.owner_bureau_id
        self.visibility_mode = RecordVersion.visibility_mode
        self.visibility_countries = RecordVersion.visibility_countries
        self.visibility_group_id = RecordVersion.visibility_group_id


class RecordFile(Base):
    """A photo or image attached to a record; readable by whoever may read the record."""

    __tablename__ = "record_files"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("records.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class FirearmTrace(Base):
    """A tracing request about a firearm, from one bureau to the country of manufacture."""

    __tablename__ = "firearm_traces"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    firearm_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("records.id"), index=True)
    requesting_bureau_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("bureaus.id"))
    addressed_country: Mapped[str] = mapped_column(
        String(2), ForeignKey("countries.code"), index=True
    )
    firearm: Mapped[dict[str, Any]] = mapped_column(JSON)
    """What the request discloses of the firearm to the country asked (which may not see it)."""
    question: Mapped[str] = mapped_column(String(4000))
    status: Mapped[str] = mapped_column(String(16), default="open")
    answer: Mapped[str | None] = mapped_column(String(4000), default=None)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_by: Mapped[str | None] = mapped_column(String(64), default=None)
