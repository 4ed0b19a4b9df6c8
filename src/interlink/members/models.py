"""Tables of the member network."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interlink.access.roles import ClientScope
from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = [
    "ApiClient",
    "Bureau",
    "BureauKind",
    "Country",
    "SharingGroup",
    "SharingGroupMember",
    "SigninFailures",
    "User",
]


class BureauKind(StrEnum):
    NCB = "ncb"
    SECRETARIAT = "secretariat"


class Country(Base):
    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    code3: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    member: Mapped[bool] = mapped_column(Boolean, default=False)


class Bureau(Base):
    """A National Central Bureau (one per member country) or the General Secretariat."""

    __tablename__ = "bureaus"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    country_code: Mapped[str | None] = mapped_column(
        String(2), ForeignKey("countries.code"), unique=True, default=None
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    bureau_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("bureaus.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sessions_after: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """Tokens issued before this are refused: signing out, or changing one's password,
    ends every session of the account."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bureau: Mapped[Bureau] = relationship(lazy="joined")


class SigninFailures(Base):
    """Failed sign-ins under a username that names no active account, counted and locked
    as an account's are: a lockout then tells nothing about which usernames exist."""

    __tablename__ = "signin_failures"

    username_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the case-folded username: what was tried is not kept in clear."""
    failed: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ApiClient(Base):
    """A machine client: a border system screening (scope ``screening``) or a national
    node replicating its bureau's data (scope ``node``); its key is stored hashed."""

    __tablename__ = "api_clients"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    bureau_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("bureaus.id"), index=True)
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(
        String(16), default=ClientScope.SCREENING.value, server_default=ClientScope.SCREENING.value
    )
    """What the key is for (``access.ClientScope``): every route outside it answers 403."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    bureau: Mapped[Bureau] = relationship(lazy="joined")


class SharingGroup(Base):
    """A named group of bureaus (a specialised unit, a regional working group)."""

    __tablename__ = "sharing_groups"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[SharingGroupMember]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SharingGroupMember.country_code"
    )


class SharingGroupMember(Base):
    __tablename__ = "sharing_group_members"

    group_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sharing_groups.id", ondelete="CASCADE"), primary_key=True
    )
    country_code: Mapped[str] = mapped_column(
        String(2), ForeignKey("countries.code"), primary_key=True, index=True
    )
