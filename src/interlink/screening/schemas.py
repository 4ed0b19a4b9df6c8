"""Bodies of ``POST /api/v1/screen``: exactly one query, and the matches, best first."""

from __future__ import annotations

import uuid
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from interlink.records.fields import CountryCode, PartialDate, Sex

__all__ = [
    "ArtworkQuery",
    "DocumentQuery",
    "FirearmQuery",
    "MatchRead",
    "PersonQuery",
    "ScreenRequest",
    "ScreenResult",
    "VehicleQuery",
]

_Strict = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonQuery(BaseModel):
    model_config = _Strict

    name: str | None = Field(default=None, max_length=400)
    given_name: str | None = Field(default=None, max_length=200)
    family_name: str | None = Field(default=None, max_length=200)
    date_of_birth: PartialDate | None = None
    nationality: CountryCode | None = None
    sex: Sex | None = None
    document_number: str | None = Field(default=None, max_length=64)
    document_country: CountryCode | None = None

    @model_validator(mode="after")
    def _named(self) -> Self:
        if not (self.name or self.given_name or self.family_name or self.document_number):
            raise ValueError(
                "a person query needs a name, given_name/family_name or document_number"
            )
        return self

    def names(self) -> list[str]:
        parts = " ".join(p for p in (self.given_name, self.family_name) if p)
        return [n for n in (self.name, parts) if n]


class DocumentQuery(BaseModel):
    model_config = _Strict

    number: str = Field(min_length=1, max_length=64)
    issuing_country: CountryCode | None = None
    document_type: str | None = Field(default=None, max_length=40)


class VehicleQuery(BaseModel):
    model_config = _Strict

    vin: str | None = Field(default=None, max_length=32)
    plate: str | None = Field(default=None, max_length=20)
    country: CountryCode | None = None

    @model_validator(mode="after")
    def _identified(self) -> Self:
        if not self.vin and not self.plate:
            raise ValueError("a vehicle query needs a vin or a plate")
        return self


class ArtworkQuery(BaseModel):
    model_config = _Strict

    description: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, max_length=400)
    artist: str | None = Field(default=None, max_length=200)
    object_type: str | None = Field(default=None, max_length=80)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not (self.description or self.title or self.artist):
            raise ValueError("an artwork query needs a description, title or artist")
        return self

    def text(self) -> str:
        return " ".join(
            p for p in (self.title, self.artist, self.object_type, self.description) if p
        )


class FirearmQuery(BaseModel):
    model_config = _Strict

    serial: str = Field(min_length=1, max_length=64)
    make: str | None = Field(default=None, max_length=80)
    model: str | None = Field(default=None, max_length=80)


class ScreenRequest(BaseModel):
    """Exactly one of the queries."""

    model_config = ConfigDict(extra="forbid")

    person: PersonQuery | None = None
    document: DocumentQuery | None = None
    mrz: str | None = Field(
        default=None, max_length=300, description="The zone's lines, joined by newlines"
    )
    vehicle: VehicleQuery | None = None
    artwork: ArtworkQuery | None = None
    firearm: FirearmQuery | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of person, document, mrz, vehicle, artwork, firearm"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    def kind(self) -> str:
        return next(name for name in type(self).model_fields if getattr(self, name) is not None)


class MatchRead(BaseModel):
    record_id: uuid.UUID
    source_id: str | None
    kind: str
    owner: str
    score: float
    explanation: dict[str, Any]


class ScreenResult(BaseModel):
    hit: bool
    matches: list[MatchRead]
