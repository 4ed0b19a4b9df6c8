"""Tables of the member network."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interlink.access.roles import ClientScope
from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = [
    "ApiClient",
    "Bureau",
    "BureauKind",
    "ConsentAnswer",
    "Country",
    "GroupRole",
    "SharingGroup",
    "SharingGroupAddition",
    "SharingGroupConsent",
    "SharingGroupMember",
    "SigninBackoff",
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
    sessions_after: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """Tokens issued before this are refused: signing out, a changed password, role or
    state ends every session of the account."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bureau: Mapped[Bureau] = relationship(lazy="joined")


class SigninBackoff(Base):
    """Failed sign-ins of one username from one address (a pair), or from every address
    where it has not signed in (its account row), and how long they must wait now
    (``members/backoff.py``). Usernames that name no account are counted alike."""

    __tablename__ = "signin_backoff"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    """HMAC-SHA256, under the server's secret, of the username and the address (``*`` for
    the account row): neither is kept in clear."""
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True, default=None
    )
    """The account the username names, if any (for its supervisor's view and unlock)."""
    failures: Mapped[int] = mapped_column(Integer, default=0)
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    """When a failure was last counted here (or the row made): a day later it is forgotten."""
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """A pair's last success: its address is the account's own (familiar) for 30 days."""


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


class GroupRole(StrEnum):
    """A member bureau's role in a sharing group: admins change its membership."""

    ADMIN = "admin"
    MEMBER = "member"


class ConsentAnswer(StrEnum):
    """What the owner of records shared with a group answers before a country joins."""

    CONSENT = "consent"
    OBJECT = "object"
    """The addition waits (its admins may cancel it); the owner may answer again."""
    WITHDRAW = "withdraw"
    """Its records leave the group (owner only), and the addition no longer waits for it."""


class SharingGroup(Base):
    """A named group of bureaus (a specialised unit, a regional working group), owned by
    the bureau that made it; names are unique per owner, not across the network."""

    __tablename__ = "sharing_groups"
    __table_args__ = (
        UniqueConstraint("owner_country", "name", name="uq_sharing_groups_owner_name"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    owner_country: Mapped[str] = mapped_column(String(2), ForeignKey("countries.code"))
    """The owner bureau's country: always one of the group's admins."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[SharingGroupMember]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SharingGroupMember.country_code"
    )
    additions: Mapped[list[SharingGroupAddition]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SharingGroupAddition.requested_at"
    )


class SharingGroupMember(Base):
    """A member country: the access policy reads this table by name (``group_id``,
    ``country_code``), so a country waiting to join is never here."""

    __tablename__ = "sharing_group_members"

    group_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sharing_groups.id", ondelete="CASCADE"), primary_key=True
    )
    country_code: Mapped[str] = mapped_column(
        String(2), ForeignKey("countries.code"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(
        String(8), default=GroupRole.MEMBER.value, server_default=GroupRole.MEMBER.value
    )


class SharingGroupAddition(Base):
    """A country an admin asked to add, waiting for the consent of every bureau whose
    records are shared with the group; it joins (and this row goes) once they agree."""

    __tablename__ = "sharing_group_additions"
    __table_args__ = (
        UniqueConstraint("group_id", "country_code", name="uq_sharing_group_additions_country"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    group_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sharing_groups.id", ondelete="CASCADE"), index=True
    )
    country_code: Mapped[str] = mapped_column(String(2), ForeignKey("countries.code"))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_bureau: Mapped[str] = mapped_column(String(8))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consents: Mapped[list[SharingGroupConsent]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SharingGroupConsent.country_code"
    )


class SharingGroupConsent(Base):
    """One owner's answer to an addition (``answer`` None: not answered yet)."""

    __tablename__ = "sharing_group_consents"

    addition_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sharing_group_additions.id", ondelete="CASCADE"), primary_key=True
    )
    country_code: Mapped[str] = mapped_column(
        String(2), ForeignKey("countries.code"), primary_key=True, index=True
    )
    records: Mapped[int] = mapped_column(Integer, default=0)
    """How many of its records the joining country would see, when it was asked."""
    answer: Mapped[str | None] = mapped_column(String(16), default=None)
    answered_by: Mapped[str | None] = mapped_column(String(64), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
