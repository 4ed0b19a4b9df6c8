"""Request and response bodies of the member network."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interlink.access.roles import ClientScope, Role
from interlink.core.limits import COUNTRIES
from interlink.members.models import ConsentAnswer, GroupRole

__all__ = [
    "ApiClientCreate",
    "ApiClientCreated",
    "ApiClientRead",
    "BureauRead",
    "ConsentBody",
    "CountryRead",
    "GroupAdditionRead",
    "GroupConsentRead",
    "GroupCreate",
    "GroupMemberRead",
    "GroupMembersUpdate",
    "GroupRead",
    "GroupRoleUpdate",
    "ItemList",
    "MyConsentRead",
    "Page",
    "Token",
    "UserCreate",
    "UserRead",
    "UserUpdate",
]

T = TypeVar("T")


class ItemList(BaseModel, Generic[T]):
    items: list[T]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class CountryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    code3: str
    name: str
    member: bool


class BureauRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    kind: str
    country_code: str | None


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


CountryCodeText = Annotated[str, Field(max_length=6)]
"""A country code as typed (``fr``, ``SEC``, ``GS-SEC``), before ``_country_code``."""


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if code in ("SEC", "GS-SEC"):
        return "SEC"
    if len(code) != 2 or not code.isalpha():
        raise ValueError("must be an ISO 3166 alpha-2 code (e.g. FR) or SEC for the secretariat")
    return code


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    password: str = Field(min_length=12, max_length=256)
    role: Role
    country: str = Field(
        max_length=6, description="Bureau: member alpha-2 code, or SEC for the secretariat"
    )
    full_name: str = Field(default="", max_length=200)

    _country = field_validator("country")(_country_code)


class UserUpdate(BaseModel):
    role: Role | None = None
    active: bool | None = None
    full_name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, min_length=12, max_length=256)
    unlock: bool = Field(
        default=False,
        description="Let every address try again at once: forget the failed sign-ins of "
        "the account and the waits they started",
    )


class UserRead(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    role: Role
    bureau: str
    country: str | None
    active: bool
    signin_held_until: datetime | None = Field(
        description="Failed sign-ins make some address wait until then before it may try "
        "this account again (null: none waits); ``unlock`` ends every wait"
    )
    created_at: datetime


class ApiClientCreate(BaseModel):
    name: str = Field(min_length=3, max_length=200)
    scope: ClientScope = Field(
        default=ClientScope.SCREENING,
        description="screening: a border system that screens; node: a national node that "
        "replicates its bureau's data (the change feed) and reports the hits it made offline",
    )
    country: str | None = Field(
        default=None,
        max_length=6,
        description="Bureau of the client; defaults to the caller's bureau",
    )

    @field_validator("country")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return _country_code(value) if value is not None else None


class ApiClientRead(BaseModel):
    id: uuid.UUID
    name: str
    bureau: str
    scope: ClientScope
    key_prefix: str
    active: bool
    created_at: datetime
    revoked_at: datetime | None


class ApiClientCreated(ApiClientRead):
    api_key: str = Field(description="Shown once; only its hash is kept")


class GroupCreate(BaseModel):
    name: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=2000)
    countries: list[CountryCodeText] = Field(
        default_factory=list, max_length=COUNTRIES, description="Other member bureaus"
    )

    _codes = field_validator("countries")(
        lambda codes: sorted({_country_code(code) for code in codes})
    )


class GroupMembersUpdate(BaseModel):
    add: list[CountryCodeText] = Field(
        default_factory=list,
        max_length=COUNTRIES,
        description="Countries to add: at once if no other bureau's records are shared with "
        "the group, else once their owners consent (see 'pending')",
    )
    remove: list[CountryCodeText] = Field(
        default_factory=list,
        max_length=COUNTRIES,
        description="Members to remove (their records shared with the group become owner "
        "only), or countries whose addition is pending",
    )

    _codes = field_validator("add", "remove")(
        lambda codes: sorted({_country_code(code) for code in codes})
    )


class GroupRoleUpdate(BaseModel):
    role: GroupRole


class ConsentBody(BaseModel):
    answer: ConsentAnswer = Field(
        description="consent; object (the addition waits, its admins may cancel it); or "
        "withdraw (your records shared with the group become owner only)"
    )


class GroupMemberRead(BaseModel):
    country: str
    role: GroupRole


class GroupConsentRead(BaseModel):
    country: str = Field(description="An owner of records shared with the group")
    records: int = Field(description="How many of its records the joining country would see")
    answer: ConsentAnswer | None = Field(description="null: not answered yet")
    answered_at: datetime | None


class GroupAdditionRead(BaseModel):
    id: uuid.UUID
    country: str = Field(description="The country waiting to join")
    requested_by: str = Field(description="The bureau whose admin asked")
    requested_at: datetime
    consents: list[GroupConsentRead]


class GroupRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    owner: str = Field(description="The owner bureau (its country): always an admin")
    countries: list[str]
    members: list[GroupMemberRead]
    pending: list[GroupAdditionRead] = Field(description="Additions waiting for consent")
    created_at: datetime


class MyConsentRead(BaseModel):
    addition_id: uuid.UUID
    group_id: uuid.UUID
    group: str
    owner: str
    country: str = Field(description="The country waiting to join")
    records: int = Field(description="How many of your records it would see")
    answer: ConsentAnswer | None
    requested_by: str
    requested_at: datetime
