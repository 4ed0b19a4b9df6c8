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
from pydantic import AfterValidator, BeforeValidator, Field
from stdnum import iban as stdnum_iban
from stdnum import imo as stdnum_imo
from stdnum.exceptions import ValidationError as StdnumError

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


CountryCode = Annotated[str, AfterValidator(_country)]

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


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


PartialDate = Annotated[str, AfterValidator(_partial_date)]
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


Iban = Annotated[str, AfterValidator(_iban)]


def _imo(value: str) -> str:
    try:
        return str(stdnum_imo.validate(value))
    except StdnumError as exc:
        raise ValueError(f"not a valid IMO ship number: {exc}") from exc


ImoNumber = Annotated[str, AfterValidator(_imo)]

_SEPARATORS = re.compile(r"[\s\-./_]+")
_LOOKALIKE = re.compile("[OQI]")
_DIGIT = re.compile("[0-9]")
_FOLD_LOOKALIKES = str.maketrans({"O": "0", "Q": "0", "I": "1"})


def compact_identifier(value: str) -> str:
    """Upper case without spaces, dashes, dots or slashes: how identifiers are compared."""
    return _SEPARATORS.sub("", value).upper()


def document_number_key(number: str) -> tuple[str, bool]:
    """The lookup key of a document number, and whether it held O/0 or I/1 look-alikes.

    Letters that officers and OCR confuse with digits are folded (O->0, I->1, Q->0) so
    that ``AB1O2345`` and ``AB102345`` meet; the flag tells the reader it happened.
    """
    compact = compact_identifier(number)
    ambiguous = bool(_LOOKALIKE.search(compact) and _DIGIT.search(compact))
    return compact.translate(_FOLD_LOOKALIKES), ambiguous


# ISO 3779 / 49 CFR 565: transliteration of letters and the position weights.
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# World manufacturer identifiers whose region mandates the check digit (North America,
# 1-5) or uses it throughout (China, L).
_CHECK_DIGIT_REGIONS = set("12345L")

VinField = Annotated[str, Field(pattern=r"^[A-Za-z0-9 \-]+$", max_length=32)]


def vin_warnings(vin: str) -> list[str]:
    """What is doubtful about a VIN; an empty list when nothing is.

    Never refuses: old and non-standard VINs exist and must still be recorded.
    """
    warnings = []
    if len(vin) != 17:
        warnings.append(f"VIN has {len(vin)} characters; ISO 3779 VINs have 17")
        return warnings
    if any(char in "IOQ" for char in vin):
        warnings.append("VIN contains I, O or Q, which ISO 3779 does not use")
        return warnings
    if vin[0] in _CHECK_DIGIT_REGIONS:
        total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
        expected = "X" if total % 11 == 10 else str(total % 11)
        if vin[8] != expected:
            warnings.append(f"VIN check digit is {vin[8]!r}, expected {expected!r}")
    return warnings
