"""Stolen, lost, revoked and invalidated travel documents (the SLTD of the network)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import Field

from interlink.records.fields import (
    CountryCode,
    PartialDate,
    compact_identifier,
    document_number_key,
)
from interlink.records.kinds.base import RecordData

__all__ = ["DocumentStatus", "DocumentType", "TravelDocumentData"]


class DocumentType(StrEnum):
    PASSPORT = "passport"
    ID_CARD = "id_card"
    VISA = "visa"
    RESIDENCE_PERMIT = "residence_permit"
    TRAVEL_DOCUMENT = "travel_document"
    OTHER = "other"


class DocumentStatus(StrEnum):
    STOLEN = "stolen"
    LOST = "lost"
    REVOKED = "revoked"
    INVALIDATED = "invalidated"
    BLANK_STOLEN = "blank_stolen"


class TravelDocumentData(RecordData):
    kind = "travel-documents"
    label = "travel document"
    screened_fields = ("number", "document_type", "issuing_country", "status")

    number: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9 \-./]+$")
    document_type: DocumentType
    issuing_country: CountryCode
    status: DocumentStatus
    holder_name: str | None = Field(default=None, max_length=400)
    holder_date_of_birth: PartialDate | None = None
    event_date: PartialDate | None = None
    event_place: str | None = Field(default=None, max_length=200)

    def title(self) -> str:
        return (
            f"{self.document_type.value} {self.issuing_country} {self.number} ({self.status.value})"
        )

    def lookup_key(self) -> str:
        return self.key_form(self.number)

    @classmethod
    def key_form(cls, identifier: str) -> str:
        return document_number_key(identifier)[0]

    def search_terms(self) -> Iterable[str | None]:
        return [compact_identifier(self.number), self.holder_name, self.event_place]

    def derived(self) -> dict[str, Any]:
        key, ambiguous = document_number_key(self.number)
        return {
            "number_normalised": compact_identifier(self.number),
            "number_key": key,
            "look_alike_characters": ambiguous,
        }

    def warnings(self) -> list[str]:
        if document_number_key(self.number)[1]:
            return [
                "number mixes digits with O, Q or I (often confused with 0 and 1); "
                "lookups match both"
            ]
        return []
