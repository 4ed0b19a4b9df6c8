"""What every record kind's data model offers to the generic record service."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, model_validator

from interlink.core.limits import RECORD_BYTES
from interlink.matching.identifiers import compact_identifier

__all__ = ["RecordData", "fold"]


def fold(text: str) -> str:
    """Lower case without diacritics or extra spaces, for the simple ``q`` text search."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())


class RecordData(BaseModel):
    """The kind-specific part of a record; the record service stores it as JSON."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: ClassVar[str]
    """The URL segment (``travel-documents``)."""
    label: ClassVar[str]
    """Human name of one record (``travel document``)."""
    screened_fields: ClassVar[tuple[str, ...]] = ()
    """The fields (public names) screening compares, with those the kind cannot be valid
    without: all that a machine client's replica of a record whose owner withholds its
    details (``contact_only``) holds. Empty: screening never reads this kind."""

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, values: Any) -> Any:
        if isinstance(values, dict):
            return {
                key: None if isinstance(value, str) and not value.strip() else value
                for key, value in values.items()
            }
        return values

    @classmethod
    def screened(cls, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` (as stored) reduced to ``screened_fields``."""
        return {name: data[name] for name in cls.screened_fields if name in data}

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        size = len(self.model_dump_json(exclude_none=True))
        if size > RECORD_BYTES:
            raise ValueError(
                f"the record is {size // 1024} KB as JSON; at most {RECORD_BYTES // 1024} KB "
                "(RECORD_BYTES)"
            )
        return self

    def title(self) -> str:
        """A one-line summary for lists."""
        raise NotImplementedError

    def lookup_key(self) -> str | None:
        """The normalised identifier records of this kind are looked up by, if any."""
        return None

    def second_key(self) -> str | None:
        """A second identifier records of this kind are also looked up by (indexed too)."""
        return None

    @classmethod
    def key_form(cls, identifier: str) -> str:
        """An identifier as typed, in the form ``lookup_key`` stores it."""
        return compact_identifier(identifier)

    def search_terms(self) -> Iterable[str | None]:
        """Texts the ``q`` search looks in."""
        return [self.title()]

    def derived(self) -> dict[str, Any]:
        """Computed fields shown with the record (normalised numbers, flags)."""
        return {}

    def warnings(self) -> list[str]:
        """Doubts worth telling the user that do not make the record invalid."""
        return []

    def search_text(self) -> str:
        return fold(" ".join(term for term in self.search_terms() if term))
