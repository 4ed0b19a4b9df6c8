"""Visibility chosen by the owner of a shared object, and its storage columns.

Stored with each object and evaluated in SQL by ``policy.restrict``. Listed countries
are kept as ``,FR,DE,`` so that one portable ``LIKE`` tests membership on SQLite and
PostgreSQL alike (codes are two upper-case letters, so nothing needs escaping).
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from interlink.core.limits import COUNTRIES

__all__ = ["SharedMixin", "Visibility", "VisibilityMode", "pack_countries", "unpack_countries"]


class VisibilityMode(StrEnum):
    OWNER_ONLY = "owner_only"
    ONLY = "only"
    EXCEPT = "except"
    GROUP = "group"
    ALL_MEMBERS = "all_members"
    PUBLIC = "public"
    """Notices only: a public extract anyone may read."""


class Visibility(BaseModel):
    """``{"mode": ..., "countries": [...], "group": ...}`` as every shared body carries it."""

    mode: VisibilityMode = VisibilityMode.OWNER_ONLY
    countries: list[Annotated[str, Field(max_length=8)]] = Field(
        default_factory=list, max_length=COUNTRIES
    )
    group: uuid.UUID | None = None

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        codes = sorted({code.strip().upper() for code in value})
        for code in codes:
            if len(code) != 2 or not code.isascii() or not code.isalpha():
                raise ValueError(f"{code!r} is not an ISO 3166 alpha-2 country code")
        return codes

    @classmethod
    def stored(cls, mode: str, countries: str | None, group: uuid.UUID | None) -> Visibility:
        """The visibility kept in the columns ``SharedMixin.visibility_columns`` writes."""
        return cls.model_construct(
            mode=VisibilityMode(mode), countries=unpack_countries(countries), group=group
        )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.mode in (VisibilityMode.ONLY, VisibilityMode.EXCEPT) and not self.countries:
            raise ValueError(f"mode {self.mode.value!r} needs at least one country in 'countries'")
        if self.mode not in (VisibilityMode.ONLY, VisibilityMode.EXCEPT) and self.countries:
            raise ValueError("'countries' is only used with modes 'only' and 'except'")
        if self.mode == VisibilityMode.GROUP and self.group is None:
            raise ValueError("mode 'group' needs the sharing group's id in 'group'")
        if self.mode != VisibilityMode.GROUP and self.group is not None:
            raise ValueError("'group' is only used with mode 'group'")
        return self


def pack_countries(codes: list[str]) -> str | None:
    return "," + ",".join(codes) + "," if codes else None


def unpack_countries(packed: str | None) -> list[str]:
    return [code for code in (packed or "").split(",") if code]


class SharedMixin:
    """Columns every shared object carries: its owner bureau and the owner's visibility."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    visibility_mode: Mapped[str] = mapped_column(String(16), default=VisibilityMode.OWNER_ONLY)
    visibility_countries: Mapped[str | None] = mapped_column(String(1024), default=None)

    @declared_attr
    def owner_bureau_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(Uuid, ForeignKey("bureaus.id"), index=True)

    @declared_attr
    def visibility_group_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(Uuid, ForeignKey("sharing_groups.id"), default=None)

    @property
    def visibility(self) -> Visibility:
        return Visibility.stored(
            self.visibility_mode, self.visibility_countries, self.visibility_group_id
        )

    @staticmethod
    def visibility_columns(visibility: Visibility) -> dict[str, Any]:
        """The stored columns of ``visibility`` (for bulk writes that bypass the ORM)."""
        return {
            "visibility_mode": visibility.mode.value,
            "visibility_countries": pack_countries(visibility.countries),
            "visibility_group_id": visibility.group,
        }

    def set_visibility(self, visibility: Visibility) -> None:
        for column, value in self.visibility_columns(visibility).items():
            setattr(self, column, value)

    def visibility_snapshot(self) -> dict[str, Any]:
        return self.visibility.model_dump(mode="json")
