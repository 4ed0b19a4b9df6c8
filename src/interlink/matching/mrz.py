"""ICAO Doc 9303 machine-readable zones (MRZ): format detection, check digits, decoding.

This module owns the reading of the zone on identity cards (TD1, TD2), passports (TD3) and
visas (MRV-A, MRV-B): it verifies every check digit the format has and decodes codes,
names and dates into a frozen :class:`Mrz`. Pure: no I/O, no framework imports.

Decisions, where Doc 9303 leaves room:

- Lower case is upper-cased; other characters outside ``A-Z0-9<`` are refused. Whitespace
  around lines, CRLF and blank lines are tolerated.
- A check digit may be ``<`` only when its field is all fillers (unused TD3 personal number).
- Birth years take the most recent century not putting the birth after ``today``; expiry
  years are ``20YY``.
- Unknown birth-date parts (``<``, Doc 9303 Part 3) keep the known part: ``71<<<<`` gives
  ``1971``, ``7108<<`` gives ``1971-08``; an unknown year gives ``None``; a day without a
  month is dropped (``71<<15`` gives ``1971``).
- State codes are one to three letters padded with fillers (``D<<`` becomes ``D``), not
  looked up in a list (``UTO``, ``XXX``, ``EUE`` are valid).
- TD1/TD2 document numbers over nine characters continue in the optional data (``<`` in
  the check position): the full number is returned, ``optional_data`` is what follows.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "FILLER",
    "Mrz",
    "MrzCheckDigitError",
    "MrzError",
    "MrzFormat",
    "MrzFormatError",
    "MrzSex",
    "check_digit",
    "parse_mrz",
]

MrzFormat = Literal["TD1", "TD2", "TD3", "MRV-A", "MRV-B"]
MrzSex = Literal["M", "F", "U"]

FILLER = "<"
_ALLOWED = frozenset(string.ascii_uppercase + string.digits + FILLER)
_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_WEIGHTS = (7, 3, 1)
_SEXES: dict[str, MrzSex] = {"M": "M", "F": "F", "X": "U", FILLER: "U"}


class MrzError(ValueError):
    """A machine-readable zone that cannot be accepted."""


class MrzFormatError(MrzError):
    """A malformed zone: line count or length, a character, or a field's content."""


class MrzCheckDigitError(MrzError):
    """A check digit that does not match its field."""

    def __init__(self, field: str, expected: str, found: str) -> None:
        super().__init__(f"check digit of {field} is {found}, expected {expected}")
        self.field = field
        self.expected = expected
        self.found = found


@dataclass(frozen=True)
class Mrz:
    """A parsed zone whose check digits all hold.

    Dates are ISO strings; ``date_of_birth`` may be partial (``1971``, ``1971-08``) or
    ``None`` when unknown. ``optional_data`` is the optional data of line 1 (TD1), the
    optional data (TD2, visas) or the personal number (TD3); ``optional_data_2`` is the
    optional data of TD1 line 2 (empty elsewhere). Both are stripped of edge fillers.
    """

    format: MrzFormat
    document_code: str
    issuing_state: str
    document_number: str
    nationality: str
    date_of_birth: str | None
    date_of_expiry: str
    sex: MrzSex
    surname: str
    given_names: str
    optional_data: str
    optional_data_2: str
    lines: tuple[str, ...]


def _value(char: str) -> int:
    if "0" <= char <= "9":
        return ord(char) - ord("0")
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    raise MrzFormatError(f"{char!r} cannot appear in a machine-readable zone")


def check_digit(value: str) -> str:
    """The Doc 9303 check digit of ``value`` (weights 7-3-1, ``<`` = 0, ``A`` = 10)."""
    total = sum(_value(char) * _WEIGHTS[index % 3] for index, char in enumerate(value))
    return str(total % 10)


# Positions as in the Doc 9303 tables: (line, first, last), 1-based and inclusive.
_Pos = tuple[int, int, int]


@dataclass(frozen=True)
class _Layout:
    fields: Mapping[str, _Pos]
    composite: tuple[_Pos, ...]  # the spans the composite check digit covers; () for visas
    long_number: bool  # the document number may continue in the optional data


# fmt: off
_TD1 = _Layout(
    fields={
        "document_code": (1, 1, 2), "issuing_state": (1, 3, 5),
        "document_number": (1, 6, 14), "document_number_check": (1, 15, 15),
        "optional_data": (1, 16, 30),
        "date_of_birth": (2, 1, 6), "date_of_birth_check": (2, 7, 7), "sex": (2, 8, 8),
        "date_of_expiry": (2, 9, 14), "date_of_expiry_check": (2, 15, 15),
        "nationality": (2, 16, 18), "optional_data_2": (2, 19, 29),
        "composite_check": (2, 30, 30),
        "name": (3, 1, 30),
    },
    composite=((1, 6, 30), (2, 1, 7), (2, 9, 15), (2, 19, 29)),
    long_number=True,
)
# fmt: on


def _two_line(width: int, optional_end: int, *, personal_check: bool, composite: bool) -> _Layout:
    # fmt: off
    fields = {
        "document_code": (1, 1, 2), "issuing_state": (1, 3, 5), "name": (1, 6, width),
        "document_number": (2, 1, 9), "document_number_check": (2, 10, 10),
        "nationality": (2, 11, 13),
        "date_of_birth": (2, 14, 19), "date_of_birth_check": (2, 20, 20), "sex": (2, 21, 21),
        "date_of_expiry": (2, 22, 27), "date_of_expiry_check": (2, 28, 28),
        "optional_data": (2, 29, optional_end),
    }
    # fmt: on
    if personal_check:
        fields["optional_data_check"] = (2, optional_end + 1, optional_end + 1)
    if composite:
        fields["composite_check"] = (2, width, width)
    spans = ((2, 1, 10), (2, 14, 20), (2, 22, width - 1)) if composite else ()
    return _Layout(fields=fields, composite=spans, long_number=width == 36 and composite)


_LAYOUTS: dict[MrzFormat, _Layout] = {
    "TD1": _TD1,
    "TD2": _two_line(36, 35, personal_check=False, composite=True),
    "TD3": _two_line(44, 42, personal_check=True, composite=True),
    "MRV-A": _two_line(44, 44, personal_check=False, composite=False),
    "MRV-B": _two_line(36, 36, personal_check=False, composite=False),
}


@dataclass(frozen=True)
class _Zone:
    lines: tuple[str, ...]
    layout: _Layout

    def span(self, pos: _Pos) -> str:
        line, first, last = pos
        return self.lines[line - 1][first - 1 : last]

    def get(self, field: str) -> str:
        return self.span(self.layout.fields[field])

    def where(self, field: str) -> str:
        line, first, last = self.layout.fields[field]
        if first == last:
            return f"line {line}, position {first}"
        return f"line {line}, positions {first}-{last}"

    def error(self, field: str, detail: str) -> MrzFormatError:
        return MrzFormatError(f"{field}: {detail} ({self.where(field)})")


def _normalise(text: str) -> tuple[str, ...]:
    lines = tuple(line.strip().translate(_UPPER) for line in text.splitlines() if line.strip())
    if len(lines) not in (2, 3):
        raise MrzFormatError(f"a machine-readable zone has 2 or 3 lines, found {len(lines)}")
    for number, line in enumerate(lines, 1):
        for position, char in enumerate(line, 1):
            if char not in _ALLOWED:
                raise MrzFormatError(
                    f"line {number}, position {position}: {char!r} is not allowed"
                    " (only A-Z, 0-9 and '<')"
                )
    return lines


def _detect(lines: tuple[str, ...]) -> MrzFormat:
    if len(lines) == 3:
        for number, line in enumerate(lines, 1):
            if len(line) != 30:
                raise MrzFormatError(
                    f"line {number} has {len(line)} characters;"
                    " a three-line zone (TD1) has 30 on each line"
                )
        return "TD1"
    width = len(lines[0])
    if width not in (36, 44):
        raise MrzFormatError(
            f"line 1 has {width} characters; a two-line zone has 36 (TD2, MRV-B) or 44 (TD3, MRV-A)"
        )
    if len(lines[1]) != width:
        raise MrzFormatError(f"line 2 has {len(lines[1])} characters, expected {width}")
    visa = lines[0].startswith("V")
    if width == 36:
        return "MRV-B" if visa else "TD2"
    return "MRV-A" if visa else "TD3"


def _verify(field: str, data: str, found: str) -> None:
    if found == FILLER and not data.strip(FILLER):
        return
    expected = check_digit(data)
    if found != expected:
        raise MrzCheckDigitError(field, expected, found)


def _document_number(zone: _Zone) -> tuple[str, str]:
    """The verified document number and the optional data that follows it."""
    number = zone.get("document_number")
    found = zone.get("document_number_check")
    optional = zone.get("optional_data")
    if zone.layout.long_number and found == FILLER and optional[:1] not in ("", FILLER):
        extension, _, optional = optional.partition(FILLER)
        number, found = number + extension[:-1], extension[-1]
    _verify("document_number", number, found)
    number = number.replace(FILLER, "")
    if not number:
        raise zone.error("document_number", "blank")
    return number, optional.strip(FILLER)


def _verify_rest(zone: _Zone) -> None:
    for field in ("date_of_birth", "date_of_expiry", "optional_data"):
        if f"{field}_check" in zone.layout.fields:
            _verify(field, zone.get(field), zone.get(f"{field}_check"))
    if zone.layout.composite:
        data = "".join(zone.span(pos) for pos in zone.layout.composite)
        _verify("composite", data, zone.get("composite_check"))


def _document_code(zone: _Zone) -> str:
    value = zone.get("document_code")
    if not value[0].isalpha():
        raise zone.error("document_code", f"{value!r} does not start with a letter")
    return value.rstrip(FILLER)


def _state(zone: _Zone, field: str) -> str:
    value = zone.get(field)
    code = value.rstrip(FILLER)
    if not code.isalpha():
        raise zone.error(field, f"{value!r} is not a state code of 1 to 3 letters")
    return code


def _sex(zone: _Zone) -> MrzSex:
    value = zone.get("sex")
    if value not in _SEXES:
        raise zone.error("sex", f"{value!r} is not M, F, X or '<'")
    return _SEXES[value]


def _names(zone: _Zone) -> tuple[str, str]:
    value = zone.get("name")
    line, first, _ = zone.layout.fields["name"]
    for offset, char in enumerate(value):
        if char.isdigit():
            raise MrzFormatError(f"line {line}, position {first + offset}: digit {char!r} in name")
    if not value.strip(FILLER):
        raise zone.error("name", "blank")
    surname, _, given = value.partition(FILLER * 2)
    return _words(surname), _words(given)


def _words(value: str) -> str:
    return " ".join(value.replace(FILLER, " ").split())


def _pairs(zone: _Zone, field: str, *, unknown: bool) -> list[int | None]:
    value = zone.get(field)
    parts: list[int | None] = []
    for pair in (value[0:2], value[2:4], value[4:6]):
        if pair.isdigit():
            parts.append(int(pair))
        elif unknown and pair == FILLER * 2:
            parts.append(None)
        else:
            shape = "YYMMDD, '<<' for unknown parts" if unknown else "YYMMDD"
            raise zone.error(field, f"{value!r} is not {shape}")
    return parts


def _calendar(zone: _Zone, field: str, year: int, month: int | None, day: int | None) -> str:
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        raise zone.error(field, f"month {month:02d} does not exist")
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise zone.error(field, f"day {day:02d} does not exist in {year:04d}-{month:02d}") from None


def _birth(zone: _Zone, today: date) -> str | None:
    yy, month, day = _pairs(zone, "date_of_birth", unknown=True)
    if yy is None:
        return None
    year = today.year // 100 * 100 + yy
    if (year, month or 1, day or 1) > (today.year, today.month, today.day):
        year -= 100
    return _calendar(zone, "date_of_birth", year, month, day)


def _expiry(zone: _Zone) -> str:
    yy, month, day = _pairs(zone, "date_of_expiry", unknown=False)
    assert yy is not None  # _pairs refuses fillers when unknown=False
    return _calendar(zone, "date_of_expiry", 2000 + yy, month, day)


def parse_mrz(text: str, *, today: date | None = None) -> Mrz:
    """Parse and verify a machine-readable zone given as its lines joined by newlines.

    ``today`` (default: the current date) decides the century of the birth year.
    Raises :class:`MrzFormatError` for a malformed zone and :class:`MrzCheckDigitError`
    for a check digit that fails; both are :class:`MrzError` (a ``ValueError``).
    """
    lines = _normalise(text)
    zone_format = _detect(lines)
    zone = _Zone(lines, _LAYOUTS[zone_format])
    number, optional = _document_number(zone)
    _verify_rest(zone)
    surname, given_names = _names(zone)
    optional_2 = zone.get("optional_data_2") if zone_format == "TD1" else ""
    return Mrz(
        format=zone_format,
        document_code=_document_code(zone),
        issuing_state=_state(zone, "issuing_state"),
        document_number=number,
        nationality=_state(zone, "nationality"),
        date_of_birth=_birth(zone, today or date.today()),
        date_of_expiry=_expiry(zone),
        sex=_sex(zone),
        surname=surname,
        given_names=given_names,
        optional_data=optional,
        optional_data_2=optional_2.strip(FILLER),
        lines=lines,
    )
