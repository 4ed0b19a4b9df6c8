# ruff: noqa: RUF001 (letters of other scripts, on purpose)
"""Hypothesis strategies for the text parsers' input (MRZ zones, dates, identifiers,
names in many scripts) and the building blocks of every input strategy: odd strings,
JSON values, deep nesting, huge numbers, ``mostly``. Exchange files are in
``file_strategies``.

Near-valid input is what finds bugs: pure noise is refused at the first byte, while a
zone whose check digits hold reaches the date and name decoding behind them. Shared by
``test_parsers_property.py`` and ``bench/fuzz_parsers.py``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from hypothesis import strategies as st

from interlink.matching.normalise import HONORIFICS, PARTICLES

__all__ = [
    "TODAY",
    "BuiltMrz",
    "date_texts",
    "huge",
    "identifier_texts",
    "json_values",
    "mostly",
    "mrz_check",
    "mrz_texts",
    "names",
    "nested",
    "text",
    "valid_mrz",
    "with_layout_noise",
]

T = TypeVar("T")
TODAY = date(2025, 6, 1)
"""The date MRZ birth centuries are decided against."""

# Odd things that break parsers written for tidy input.
_TRICKY = [
    "", " ", "\x00", "\ufeff", "\u200b", "\r\n", "\u2028", "\\", "'", '"', ",", ";", "<", "&",
    "]]>", "{", "[", "nan", "inf", "1e309", "-0", "²³⁴⁵", "١٩٧١", "𝟙𝟡𝟟𝟙", "\udcff", "ﬁ", "ǅ",
]  # fmt: skip
tricky = st.sampled_from(_TRICKY)
text = st.one_of(st.text(max_size=40), tricky, st.lists(tricky, max_size=4).map("".join))


def mostly(good: st.SearchStrategy[T], *odd: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """``good`` six times in seven, else one of ``odd``: input that is near-valid most of
    the time gets past a parser's first check and reaches the code behind it."""
    return st.integers(0, 6).flatmap(lambda n: good if n else st.one_of(*odd))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
nested = st.integers(1, 5000).map(lambda depth: "[" * depth + "]" * depth)
"""JSON nested deeper than Python's recursion limit: small input, deep parse."""
huge = st.integers(4301, 6000).map(lambda digits: "9" * digits)
"""A JSON number longer than Python reads into an int (4,300 digits)."""


# --- MRZ ---------------------------------------------------------------------------------

_LETTERS = string.ascii_uppercase
_ALNUM = string.ascii_uppercase + string.digits
_MRZ_CHARS = _ALNUM + "<"
# Check digits per format: (line, position) of the digit and the (line, start, end) spans
# it covers, 0-based and end-exclusive; the composite last (it covers the other digits).
_Span = tuple[int, int, int]
_Check = tuple[tuple[int, int], tuple[_Span, ...]]
_TWO_LINE: list[_Check] = [
    ((1, 9), ((1, 0, 9),)),
    ((1, 19), ((1, 13, 19),)),
    ((1, 27), ((1, 21, 27),)),
]


def _composite(width: int) -> _Check:
    return (1, width - 1), ((1, 0, 10), (1, 13, 20), (1, 21, width - 1))


_CHECKS: dict[str, list[_Check]] = {
    "TD1": [
        ((0, 14), ((0, 5, 14),)),
        ((1, 6), ((1, 0, 6),)),
        ((1, 14), ((1, 8, 14),)),
        ((1, 29), ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29))),
    ],
    "TD2": [*_TWO_LINE, _composite(36)],
    "TD3": [*_TWO_LINE, ((1, 42), ((1, 28, 42),)), _composite(44)],
    "MRV-A": _TWO_LINE,
    "MRV-B": _TWO_LINE,
}
_WIDTHS = {
    "TD1": (30, 30, 30),
    "TD2": (36, 36),
    "TD3": (44, 44),
    "MRV-A": (44, 44),
    "MRV-B": (36, 36),
}


def mrz_check(value: str) -> str:
    """Doc 9303 check digit, written here again so that tests do not trust the parser's."""
    weights = (7, 3, 1)
    values = [0 if c == "<" else int(c) if c.isdigit() else ord(c) - 55 for c in value]
    return str(sum(v * weights[i % 3] for i, v in enumerate(values)) % 10)


def _rechecked(lines: list[str], zone_format: str) -> str:
    """The zone with every check digit made to hold."""
    rows = [list(line) for line in lines]
    for (line, position), spans in _CHECKS[zone_format]:
        covered = "".join("".join(rows[n][a:b]) for n, a, b in spans)
        rows[line][position] = mrz_check(covered)
    return "\n".join("".join(row) for row in rows)


@dataclass(frozen=True)
class BuiltMrz:
    text: str
    expected: dict[str, str]
    """The fields of ``interlink.matching.mrz.Mrz`` the zone was built from."""


_words = st.lists(st.text(_LETTERS, min_size=1, max_size=8), min_size=1, max_size=3)
_states = st.text(_LETTERS, min_size=1, max_size=3)


def _pad(value: str, width: int) -> str:
    return value.ljust(width, "<")[:width]


@st.composite
def valid_mrz(draw: st.DrawFn) -> BuiltMrz:
    """A zone of any format whose check digits hold, and the fields it holds."""
    zone_format = draw(st.sampled_from(list(_CHECKS)))
    widths = _WIDTHS[zone_format]
    first = (
        "V" if zone_format.startswith("MRV") else draw(st.sampled_from(_LETTERS.replace("V", "")))
    )
    code = first + draw(st.sampled_from(_LETTERS + "<"))
    state, nationality = draw(_states), draw(_states)
    number = draw(st.text(_ALNUM, min_size=1, max_size=9))
    born = draw(st.dates(date(TODAY.year - 100, TODAY.month, TODAY.day + 1), TODAY))
    expires = draw(st.dates(date(2000, 1, 1), date(2099, 12, 31)))
    sex = draw(st.sampled_from("MFX<"))
    surname, given = draw(_words), draw(_words | st.just([]))
    name_width = 30 if zone_format == "TD1" else widths[0] - 5
    while len(name := "<".join(surname) + "<<" * bool(given) + "<".join(given)) > name_width:
        (given or surname).pop()
    optional_width = {"TD1": 15, "TD2": 7, "TD3": 14, "MRV-A": 16, "MRV-B": 8}[zone_format]
    optional = draw(st.text(_MRZ_CHARS, max_size=optional_width))
    optional_2 = draw(st.text(_MRZ_CHARS, max_size=11)) if zone_format == "TD1" else ""
    dates = (born.strftime("%y%m%d") + "0" + sex, expires.strftime("%y%m%d") + "0")
    if zone_format == "TD1":
        lines = [
            code + _pad(state, 3) + _pad(number, 9) + "0" + _pad(optional, 15),
            dates[0] + dates[1] + _pad(nationality, 3) + _pad(optional_2, 11) + "0",
            _pad(name, 30),
        ]
    else:
        tail = _pad(optional, optional_width) + "00"[: widths[0] - 28 - optional_width]
        lines = [
            code + _pad(state, 3) + _pad(name, widths[0] - 5),
            _pad(number, 9) + "0" + _pad(nationality, 3) + dates[0] + dates[1] + tail,
        ]
    expected = {
        "format": zone_format,
        "document_code": code.rstrip("<"),
        "issuing_state": state,
        "document_number": number,
        "nationality": nationality,
        "date_of_birth": born.isoformat(),
        "date_of_expiry": expires.isoformat(),
        "sex": {"X": "U", "<": "U"}.get(sex, sex),
        "surname": " ".join(surname),
        "given_names": " ".join(given),
        "optional_data": optional.strip("<"),
        "optional_data_2": optional_2.strip("<"),
    }
    return BuiltMrz(_rechecked(lines, zone_format), expected)


@st.composite
def with_layout_noise(draw: st.DrawFn, zone: str) -> str:
    """The same zone as people paste it: lower case, spaces, CRLF, blank lines."""
    lines = zone.split("\n")
    if draw(st.booleans()):
        lines = [line.lower() for line in lines]
    spaces = st.sampled_from(["", " ", "\t", "  "])
    lines = [draw(spaces) + line + draw(spaces) for line in lines]
    return draw(st.sampled_from(["\n", "\r\n", "\n\n", "\n \n"])).join(lines)


@st.composite
def _random_zone(draw: st.DrawFn) -> str:
    """Lines of a format's widths, random characters, check digits made to hold: reaches
    the date, name, sex and state decoding behind the check digits."""
    zone_format = draw(st.sampled_from(list(_CHECKS)))
    lines = [draw(st.text(_MRZ_CHARS, min_size=w, max_size=w)) for w in _WIDTHS[zone_format]]
    if zone_format.startswith("MRV"):
        lines[0] = "V" + lines[0][1:]
    return _rechecked(lines, zone_format)


@st.composite
def _corrupted(draw: st.DrawFn, zone: st.SearchStrategy[str]) -> str:
    value = list(draw(zone))
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(value) - 1))
        value[index] = draw(st.sampled_from(_MRZ_CHARS) | st.characters())
    return "".join(value)


def mrz_texts() -> st.SearchStrategy[str]:
    valid = valid_mrz().map(lambda built: built.text)
    return st.one_of(
        valid,
        valid.flatmap(with_layout_noise),
        _random_zone(),
        _corrupted(valid | _random_zone()),
        st.text(max_size=100),
        st.lists(st.text(_MRZ_CHARS, max_size=46), max_size=4).map("\n".join),
    )


# --- dates, identifiers --------------------------------------------------------------------


def date_texts() -> st.SearchStrategy[str]:
    """Dates written every way forms and people write them, and some that are no dates."""
    digits = st.text(st.characters(categories=["Nd"]), min_size=1, max_size=4)
    part = st.integers(0, 99).map(str) | st.integers(0, 99).map("{:02d}".format) | digits
    year = st.integers(0, 9999).map("{:04d}".format) | digits
    separated = st.tuples(
        st.sampled_from(["", " ", "\t", "\n"]),
        year,
        st.lists(st.tuples(st.sampled_from("-/. "), part), max_size=3),
        st.sampled_from(["", " ", "\n", "T00:00:00Z", "x"]),
    ).map(lambda p: p[0] + p[1] + "".join(sep + value for sep, value in p[2]) + p[3])
    return st.one_of(st.dates().map(date.isoformat), separated, text)


def identifier_texts() -> st.SearchStrategy[str]:
    """Document numbers, VINs and serials, typed with separators, look-alikes, any case."""
    alphabet = string.ascii_letters + string.digits + " -./_OQI"
    vin = st.text(_ALNUM + "abcioq-. ", min_size=17, max_size=17)
    return st.one_of(st.text(alphabet, max_size=20), vin, vin.map(lambda v: "1" + v[1:]), text)


# --- names ---------------------------------------------------------------------------------


def _span(first: int, last: int) -> str:
    return "".join(map(chr, range(first, last + 1)))


_SCRIPTS = {
    "latin": string.ascii_letters + "éèçñøłđæœßıþðüöäåšžčćğşİÆØÅ",
    "arabic": _span(0x0621, 0x064A) + _span(0x064B, 0x0652) + "یکگپچژٹڈڑںےہھۀ\u0640",
    "cyrillic": _span(0x0410, 0x044F) + "ёіїєґЁІЇ",
    "greek": _span(0x0391, 0x03A9) + _span(0x03AC, 0x03CE),
    "hebrew": _span(0x05D0, 0x05EA) + _span(0x05B0, 0x05BC),
    "han": "王李张刘陈杨黄赵吴周毛泽东伟欧阳司马诸葛",
    "kana": _span(0x3041, 0x3096) + _span(0x30A1, 0x30FA) + "ー",
    "hangul": "김이박최정민준서연" + _span(0xAC00, 0xAC40) + _span(0x1100, 0x1112),
    "devanagari": _span(0x0905, 0x0939) + _span(0x093E, 0x094D) + "\u0325",
    "thai": _span(0x0E01, 0x0E2E) + _span(0x0E30, 0x0E3A),
    "marks": _span(0x0300, 0x036F) + "'’ʿʾ`´\u200d\u00ad",
}
_NAME_WORDS = [*sorted(HONORIFICS | PARTICLES), "abd", "abdul", "allah", "ullah", "uddin", "ul"]
_word = st.one_of(
    *(st.text(alphabet, min_size=1, max_size=10) for alphabet in _SCRIPTS.values()),
    st.sampled_from(_NAME_WORDS),
)


def names() -> st.SearchStrategy[str]:
    """Names in many scripts, with titles, particles, compounds and odd separators."""
    separator = st.sampled_from([" ", "-", "'", "  ", ". ", "’", ",", "\t", "\u3000", "_"])
    structured = st.lists(st.tuples(_word, separator), min_size=1, max_size=6).map(
        lambda parts: "".join(word + sep for word, sep in parts)
    )
    return st.one_of(structured, st.text(max_size=60), text)
