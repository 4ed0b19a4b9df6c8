"""Assets for asset recovery (Silver notices): accounts, companies, property, vehicles, vessels."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from interlink.core.limits import LINKS
from interlink.records.fields import CountryCode, Iban, ImoNumber, compact_identifier
from interlink.records.kinds.base import RecordData

__all__ = ["AssetData", "AssetType"]


class AssetType(StrEnum):
    BANK_ACCOUNT = "bank_account"
    COMPANY = "company"
    REAL_ESTATE = "real_estate"
    VEHICLE = "vehicle"
    VESSEL = "vessel"
    OTHER = "other"


class AssetData(RecordData):
    kind = "assets"
    label = "asset"

    asset_type: AssetType
    name: str = Field(min_length=1, max_length=400, description="Account holder, company, property")
    iban: Iban | None = None
    bank_name: str | None = Field(default=None, max_length=200)
    registration_number: str | None = Field(default=None, max_length=80)
    imo_number: ImoNumber | None = None
    jurisdiction: CountryCode | None = None
    address: str | None = Field(default=None, max_length=400)
    estimated_value: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    description: str | None = Field(default=None, max_length=4000)
    person_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=LINKS, description="Linked person records"
    )

    @model_validator(mode="after")
    def _fits_type(self) -> Self:
        if (
            self.asset_type is AssetType.BANK_ACCOUNT
            and not self.iban
            and not self.registration_number
        ):
            raise ValueError(
                "a bank account needs an iban or an account number in registration_number"
            )
        if self.imo_number and self.asset_type is not AssetType.VESSEL:
            raise ValueError("imo_number is for vessels")
        if (self.estimated_value is None) != (self.currency is None):
            raise ValueError("estimated_value and currency go together")
        return self

    def title(self) -> str:
        ident = self.iban or self.imo_number or self.registration_number
        return f"{self.asset_type.value}: {self.name}" + (f" ({ident})" if ident else "")

    def lookup_key(self) -> str | None:
        ident = self.iban or self.imo_number or self.registration_number
        return compact_identifier(ident) if ident else None

    def search_terms(self) -> Iterable[str | None]:
        return [self.name, self.iban, self.registration_number, self.address, self.description]
