"""Message tables: messages (immutable once sent), their recipients with delivery and
read receipts, attachments, and the bureaus' signing keys.

A message belongs to its sender bureau; its visibility (``only`` the recipient
countries, or every member for a broadcast) lets the recipients read it, so the one
access policy answers who may: the sender, the recipients and the secretariat.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy import Uuid as UuidType
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interlink.access.visibility import SharedMixin
from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = ["BureauKey", "Message", "MessageAttachment", "MessageRecipient"]


class BureauKey(Base):
    """A bureau's Ed25519 signing key: the public half for anyone to verify with, the
    private half encrypted with a key derived from the server's secret."""

    __tablename__ = "bureau_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bureau_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("bureaus.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64))
    """Raw 32-byte public key, base64."""
    private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Message(SharedMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread", "thread_id", "sent_at"),)

    thread_id: Mapped[uuid.UUID] = mapped_column(UuidType)
    reply_to_id: Mapped[uuid.UUID | None] = mapped_column(UuidType, default=None)
    sender: Mapped[str] = mapped_column(String(64))
    """The user (or client) who sent it, for the sender bureau."""
    recipients: Mapped[list[str]] = mapped_column(JSON)
    """As addressed: bureau codes (country codes, SEC, CCC), or ["*"] for all members."""
    priority: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    references: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    search_text: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the signed content (``signing.canonical``)."""
    signature: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("bureau_keys.id"))

    key: Mapped[BureauKey] = relationship(BureauKey, lazy="select")

    @classmethod
    def example(cls, **fields: Any) -> Message:
        """A message for the policy tests (signed by nobody: a made-up key)."""
        owner = fields.get("owner_bureau_id")
        defaults: dict[str, Any] = {
            "thread_id": uuid.uuid4(),
            "sender": "test",
            "recipients": [],
            "priority": "routine",
            "subject": "probe",
            "body": "probe",
            "digest": "0" * 64,
            "signature": "",
            "key": BureauKey(bureau_id=owner, public_key="", private_key=b""),
        }
        return cls(**(defaults | fields))


class MessageRecipient(Base):
    """A bureau a message was delivered to, and when it was delivered and read there."""

    __tablename__ = "message_recipients"

    message_id: Mapped[uuid.UUID] = mapped_column(
        UuidType, ForeignKey("messages.id"), primary_key=True
    )
    bureau_id: Mapped[uuid.UUID] = mapped_column(
        UuidType, ForeignKey("bureaus.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(8), default="to")
    """``to``, or ``ccc`` when addressed to the command centre (the secretariat's)."""
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    read_by: Mapped[str | None] = mapped_column(String(64), default=None)


class MessageAttachment(Base):
    __tablename__ = "message_attachments"

    id: Mapped[uuid.UUID] = mapped_column(UuidType, primary_key=True, default=uuid.uuid4)
    message_id: Mapped[uuid.UUID] = mapped_column(UuidType, ForeignKey("messages.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
