"""Notice tables: notices and diffusions (one table, ``kind`` tells them apart), their
earlier versions, every transition, the records they are about, the public extracts,
and the counters behind the human references (``2026/00123``).

A notice's visibility columns (``SharedMixin``) always say who may read it *now*: the
workflow sets them at each transition (a draft is its bureau's own, a published notice
every member's, a public extract anyone's), so the one access policy answers for
notices as for records.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import Uuid as UuidType
from sqlalchemy.orm import Mapped, mapped_column

from interlink.access.visibility import SharedMixin
from interlink.core.counters import ReferenceCounter
from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = [
    "Notice",
    "NoticeExtract",
    "NoticeSubject",
    "NoticeTransition",
    "NoticeVersion",
    "ReferenceCounter",
]


class Notice(SharedMixin, Base):
    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("kind", "reference", name="uq_notices_kind_reference"),
        Index("ix_notices_kind_status", "kind", "status"),
        Index("ix_notices_kind_type", "kind", "type"),
    )

    kind: Mapped[str] = mapped_column(String(16))
    """``notice`` or ``diffusion``."""
    reference: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(String(400))
    search_text: Mapped[str] = mapped_column(Text, default="")
    public_extract: Mapped[bool] = mapped_column(Boolean, default=False)
    """The owner allows a public extract once published (Red, Yellow, UN only)."""
    recipients: Mapped[str | None] = mapped_column(String(1024), default=None)
    """Diffusions: ``*`` (every member) or the packed countries it was sent to."""
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """Compliance flags (neutrality, rules) and how the reviewer addressed each."""
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """A revision of a published notice awaiting review (the published data stays)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    cancel_reason: Mapped[str | None] = mapped_column(String(32), default=None)

    @classmethod
    def example(cls, **fields: Any) -> Notice:
        """A valid notice for the policy tests."""
        defaults: dict[str, Any] = {
            "kind": "notice",
            "reference": f"2026/{uuid.uuid4().int % 10**8:08d}",
            "type": "purple",
            "status": "published",
            "data": {"modus_operandi": "probe"},
            "title": "PURPLE: probe",
            "flags": [],
            "created_by": "test",
            "updated_by": "test",
        }
        return cls(**(defaults | fields))


class NoticeVersion(Base):
    """A notice's data as it was before a revision was published."""

    __tablename__ = "notice_versions"
    __table_args__ = (UniqueConstraint("notice_id", "version", name="uq_notice_versions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("notices.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_by: Mapped[str] = mapped_column(String(64))


class NoticeTransition(Base):
    """One step of a notice's life: who moved it from which status to which, and why."""

    __tablename__ = "notice_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("notices.id"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    bureau: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(4000), default=None)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class NoticeSubject(Base):
    """A record a notice is about (its person, assets, body)."""

    __tablename__ = "notice_subjects"

    notice_id: Mapped[uuid.UUID] = mapped_column(
        UuidType, ForeignKey("notices.id"), primary_key=True
    )
    record_id: Mapped[uuid.UUID] = mapped_column(
        UuidType, ForeignKey("records.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))


class NoticeExtract(Base):
    """The public extract of a published notice, in the public API's terms, with the
    columns its list filters on (kept by the workflow: written on publication, removed
    on cancellation)."""

    __tablename__ = "notice_extracts"

    notice_id: Mapped[uuid.UUID] = mapped_column(
        UuidType, ForeignKey("notices.id"), primary_key=True
    )
    collection: Mapped[str] = mapped_column(String(16), index=True)
    """``red``, ``yellow``, ``un-persons`` or ``un-entities``."""
    entity_id: Mapped[str] = mapped_column(String(16), unique=True)
    forename: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    sex_id: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    birth_month: Mapped[int | None] = mapped_column(Integer)
    birth_day: Mapped[int | None] = mapped_column(Integer)
    nationalities: Mapped[str] = mapped_column(String(256), default="")
    warrant_countries: Mapped[str] = mapped_column(String(256), default="")
    free_text: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Ids of the subject record's images shown publicly."""
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
