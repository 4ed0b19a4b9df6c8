"""Stolen objects: motor vehicles, works of art and cultural property, firearms."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any, Self

from pydantic import ConfigDict, Field, model_validator

from interlink.records.fields import CountryCode, PartialDate, compact_identifier, vin_warnings
from interlink.records.kinds.base import RecordData

__all__ = ["ArtworkData", "FirearmData", "FirearmStatus", "FirearmType", "VehicleData"]


class VehicleData(RecordData):
    kind = "vehicles"
    label = "vehicle"
    screened_fields = ("vin", "plate", "plate_country")

    vin: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z0-9 \-]+$")
    plate: str | None = Field(default=None, max_length=20)
    plate_country: CountryCode | None = None
    make: str | None = Field(default=None, max_length=80)
    model: str | None = Field(default=None, max_length=80)
    colour: str | None = Field(default=None, max_length=40)
    year: int | None = Field(default=None, ge=1886, le=date.today().year + 1)
    date_stolen: PartialDate | None = None
    place_stolen: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _identified(self) -> Self:
        if not (self.vin or self.plate):
            raise ValueError("a vehicle needs a vin or a plate")
        if self.vin:
            self.vin = compact_identifier(self.vin)
        return self

    def title(self) -> str:
        what = " ".join(part for part in (self.colour, self.make, self.model) if part) or "vehicle"
        ident = self.vin or f"{self.plate} ({self.plate_country or '?'})"
        return f"{what} {ident}"

    def lookup_key(self) -> str | None:
        return self.vin or (compact_identifier(self.plate) if self.plate else None)

    def second_key(self) -> str | None:
        # Keyed by the VIN, a vehicle is still found by its plate.
        return compact_identifier(self.plate) if self.vin and self.plate else None

    def search_terms(self) -> Iterable[str | None]:
        plate = compact_identifier(self.plate) if self.plate else None
        return [self.vin, plate, self.make, self.model, self.colour]

    def warnings(self) -> list[str]:
        return vin_warnings(self.vin) if self.vin else []


class ArtworkData(RecordData):
    kind = "artworks"
    label = "work of art"
    # Its description and inscriptions are free text: a replica finds it by the rest.
    screened_fields = ("title", "object_type", "artist", "culture")

    title_: str = Field(alias="title", min_length=1, max_length=400)
    object_type: str = Field(min_length=1, max_length=80)
    artist: str | None = Field(default=None, max_length=200)
    culture: str | None = Field(default=None, max_length=200)
    period: str | None = Field(default=None, max_length=120)
    materials: str | None = Field(default=None, max_length=400)
    dimensions: str | None = Field(default=None, max_length=200)
    inscriptions: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, max_length=4000)
    date_of_theft: PartialDate | None = None
    place_of_theft: str | None = Field(default=None, max_length=200)
    country_of_theft: CountryCode | None = None

    model_config = ConfigDict(
        **RecordData.model_config, populate_by_name=True, serialize_by_alias=True
    )

    def title(self) -> str:
        by = self.artist or self.culture
        return f"{self.title_} ({by})" if by else self.title_

    def search_terms(self) -> Iterable[str | None]:
        return [
            self.title_,
            self.artist,
            self.culture,
            self.object_type,
            self.inscriptions,
            self.description,
        ]


class FirearmType(StrEnum):
    PISTOL = "pistol"
    REVOLVER = "revolver"
    RIFLE = "rifle"
    SHOTGUN = "shotgun"
    SUBMACHINE_GUN = "submachine_gun"
    MACHINE_GUN = "machine_gun"
    OTHER = "other"


class FirearmStatus(StrEnum):
    LOST = "lost"
    STOLEN = "stolen"
    TRAFFICKED = "trafficked"
    SEIZED = "seized"


class FirearmData(RecordData):
    kind = "firearms"
    label = "firearm"
    screened_fields = ("serial_number", "make", "firearm_type", "status")

    make: str = Field(min_length=1, max_length=80)
    model: str | None = Field(default=None, max_length=80)
    firearm_type: FirearmType
    calibre: str | None = Field(default=None, max_length=40)
    serial_number: str = Field(min_length=1, max_length=64)
    country_of_manufacture: CountryCode | None = None
    status: FirearmStatus

    def title(self) -> str:
        parts = (self.make, self.model, self.firearm_type.value, f"#{self.serial_number}")
        return " ".join(part for part in parts if part)

    def lookup_key(self) -> str:
        return compact_identifier(self.serial_number)

    def search_terms(self) -> Iterable[str | None]:
        return [self.lookup_key(), self.make, self.model, self.calibre]

    def derived(self) -> dict[str, Any]:
        return {"serial_number_normalised": self.lookup_key()}
