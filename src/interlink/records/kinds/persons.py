"""Person records: nominal data, missing persons, unidentified bodies."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, model_validator

from interlink.core.limits import ALIASES, LINKS, LIST_ITEMS, SHORT_LIST
from interlink.records.fields import CountryCode, PartialDate, Sex, compact_identifier
from interlink.records.kinds.base import RecordData

__all__ = [
    "IdentityDocument",
    "MissingPersonData",
    "PersonData",
    "RecordLink",
    "UnidentifiedBodyData",
]

Alias = Annotated[str, Field(min_length=1, max_length=400)]
Language = Annotated[str, Field(min_length=1, max_length=80)]


class IdentityDocument(BaseModel):
    number: str = Field(min_length=1, max_length=64)
    document_type: str | None = Field(default=None, max_length=40)
    country: CountryCode | None = None


class RecordLink(BaseModel):
    record_id: uuid.UUID
    relation: str = Field(
        default="linked",
        max_length=60,
        description="associate of, member of, owns, uses, travelled with, co-offender ...",
    )
    source: str | None = Field(default=None, max_length=200, description="Where it is known from")
    confidence: float | None = Field(default=None, ge=0, le=1, description="From 0 to 1")


class _NamedPerson(RecordData):
    given_name: str | None = Field(default=None, max_length=200)
    family_name: str | None = Field(default=None, max_length=200)
    full_name: str | None = Field(default=None, max_length=400)
    original_script_name: str | None = Field(
        default=None, max_length=400, description="The name in its own script"
    )
    sex: Sex | None = None
    date_of_birth: PartialDate | None = None
    nationalities: list[CountryCode] = Field(default_factory=list, max_length=SHORT_LIST)

    @model_validator(mode="after")
    def _has_a_name(self) -> Self:
        if not self.full_name:
            parts = [part for part in (self.given_name, self.family_name) if part]
            self.full_name = " ".join(parts) or None
        return self

    def title(self) -> str:
        return self.full_name or self.original_script_name or "(unnamed)"

    def search_terms(self) -> Iterable[str | None]:
        return [self.full_name, self.original_script_name]


class PersonData(_NamedPerson):
    """Nominal data on a person of interest."""

    kind = "persons"
    label = "person"
    screened_fields = (
        "given_name", "family_name", "full_name", "original_script_name", "aliases", "sex",
        "date_of_birth", "nationalities", "identity_documents",
    )  # fmt: skip

    aliases: list[Alias] = Field(default_factory=list, max_length=ALIASES)
    place_of_birth: str | None = Field(default=None, max_length=200)
    country_of_birth: CountryCode | None = None
    identity_documents: list[IdentityDocument] = Field(default_factory=list, max_length=LIST_ITEMS)
    phones: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list,
        max_length=SHORT_LIST,
        description="International form: +33 6 12 34 56 78",
    )
    emails: list[Annotated[str, Field(max_length=254)]] = Field(
        default_factory=list, max_length=SHORT_LIST
    )
    addresses: list[Annotated[str, Field(max_length=400)]] = Field(
        default_factory=list, max_length=SHORT_LIST
    )
    distinguishing_marks: str | None = Field(default=None, max_length=2000)
    languages: list[Language] = Field(default_factory=list, max_length=SHORT_LIST)
    links: list[RecordLink] = Field(default_factory=list, max_length=LINKS)

    @model_validator(mode="after")
    def _named(self) -> Self:
        if not (self.full_name or self.original_script_name or self.aliases):
            raise ValueError(
                "a person needs a name: given_name, family_name, full_name or original_script_name"
            )
        return self

    @classmethod
    def screened(cls, data: dict[str, Any]) -> dict[str, Any]:
        kept = super().screened(data)
        if "identity_documents" in kept:  # screening compares their numbers only
            documents = kept["identity_documents"]
            kept["identity_documents"] = [{"number": doc["number"]} for doc in documents]
        return kept

    def search_terms(self) -> Iterable[str | None]:
        return [
            *super().search_terms(),
            *self.aliases,
            *(compact_identifier(doc.number) for doc in self.identity_documents),
        ]


class MissingPersonData(_NamedPerson):
    """A person reported missing (the data behind a Yellow notice)."""

    kind = "missing-persons"
    label = "missing person"
    screened_fields = (
        "given_name", "family_name", "full_name", "original_script_name", "sex",
        "date_of_birth", "nationalities",
    )  # fmt: skip

    circumstances: str | None = Field(default=None, max_length=4000)
    last_seen_date: PartialDate | None = None
    last_seen_place: str | None = Field(default=None, max_length=200)
    last_seen_country: CountryCode | None = None
    height_cm: int | None = Field(default=None, ge=30, le=260)
    weight_kg: int | None = Field(default=None, ge=1, le=400)
    physical_description: str | None = Field(default=None, max_length=4000)
    notice_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _named(self) -> Self:
        if not (self.full_name or self.original_script_name):
            raise ValueError("a missing person needs a name: given_name, family_name or full_name")
        return self

    def search_terms(self) -> Iterable[str | None]:
        return [*super().search_terms(), self.last_seen_place]


class UnidentifiedBodyData(RecordData):
    """An unidentified body (the data behind a Black notice)."""

    kind = "unidentified-bodies"
    label = "unidentified body"

    found_date: PartialDate
    found_place: str = Field(min_length=1, max_length=200)
    found_country: CountryCode
    sex: Sex | None = None
    estimated_age_min: int | None = Field(default=None, ge=0, le=130)
    estimated_age_max: int | None = Field(default=None, ge=0, le=130)
    height_cm: int | None = Field(default=None, ge=30, le=260)
    description: str | None = Field(default=None, max_length=4000)
    notice_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _ages(self) -> Self:
        low, high = self.estimated_age_min, self.estimated_age_max
        if low is not None and high is not None and low > high:
            raise ValueError("estimated_age_min is above estimated_age_max")
        return self

    def title(self) -> str:
        return f"Body found {self.found_date}, {self.found_place} ({self.found_country})"

    def search_terms(self) -> Iterable[str | None]:
        return [self.title(), self.description]
