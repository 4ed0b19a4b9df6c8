"""Validated field types shared by the record kinds: countries, partial dates, identifiers.

Identifier normalisation lives here so that lookups (and later screening) compare the
same forms: a document number typed ``15 ab-12345`` is stored as ``15AB12345``.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

import pycountry
from pydantic import AfterValidator, BeforeValidator, StringConstraints
from stdnum import iban as stdnum_iban
from stdnum import imo as stdnum_imo
from stdnum.exceptions import ValidationError as StdnumError

from interlink.matching.identifiers import compact_identifier, document_number_key, vin_warnings

__all__ = [
    "CountryCode",
    "Iban",
    "ImoNumber",
    "PartialDate",
    "Sex",
    "Text",
    "compact_identifier",
    "document_number_key",
    "strip_blank",
    "vin_warnings",
]


def strip_blank(value: object) -> object:
    """Treat blank strings as absent (CSV cells, form fields)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


_ISO_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in _ISO_CODES:
        raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 country code")
    return code


CountryCode = Annotated[str, StringConstraints(max_length=8), AfterValidator(_country)]

_PARTIAL = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits only


def _partial_date(value: str) -> str:
    value = value.strip().replace("/", "-")
    match = _PARTIAL.match(value)
    if not match:
        raise ValueError("must be YYYY, YYYY-MM or YYYY-MM-DD")
    year_text, month_text, day_text = match.groups()
    year = int(year_text)
    month = int(month_text) if month_text else None
    day = int(day_text) if day_text else None
    if not 1800 <= year <= _last_year():
        raise ValueError(f"year {year} is out of range")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month {month:02d} does not exist")
    if day is not None:
        try:
            date(year, month or 1, day)
        except ValueError as exc:
            raise ValueError(f"{value} is not a date of the calendar") from exc
    return value


def _last_year() -> int:
    return date.today().year + 1


PartialDate = Annotated[str, StringConstraints(max_length=16), AfterValidator(_partial_date)]
"""A date known to the year, the month or the day: ``1971``, ``1971-03``, ``1971-03-09``."""

Text = Annotated[str, BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v)]


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


def _iban(value: str) -> str:
    try:
        return str(stdnum_iban.validate(value))
    except StdnumError as exc:
        raise ValueError(f"not a valid IBAN: {exc}") from exc


Iban = Annotated[str, StringConstraints(max_length=64), AfterValidator(_iban)]


def _imo(value: str) -> str:
    try:
        return str(stdnum_imo.validate(value))
    except StdnumError as exc:
        raise ValueError(f"not a valid IMO ship number: {exc}") from exc


ImoNumber = Annotated[str, StringConstraints(max_length=16), AfterValidator(_imo)]
