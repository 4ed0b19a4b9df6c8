"""Dates, identifiers, nationality and sex as screening compares them."""

from __future__ import annotations

import pytest

from interlink.matching.attributes import compare_countries, compare_sex
from interlink.matching.dates import PartialDate, compare_dates, parse_partial_date
from interlink.matching.identifiers import (
    compact_identifier,
    compare_identifiers,
    document_number_key,
    vin_warnings,
)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("1971", PartialDate(1971)),
        ("1971-03", PartialDate(1971, 3)),
        ("1971-03-09", PartialDate(1971, 3, 9)),
        ("1971/3/9", PartialDate(1971, 3, 9)),
        ("1971-13", None),
        ("09.03.1971", None),
        ("", None),
        (None, None),
    ],
)
def test_partial_dates_parse(text: str | None, parsed: PartialDate | None) -> None:
    assert parse_partial_date(text) == parsed


@pytest.mark.parametrize(
    ("query", "record", "score", "reason"),
    [
        ("1971-03-09", "1971-03-09", 1.0, "same date"),
        ("1971", "1971", 1.0, "same (partial) date"),
        ("1971", "1971-03-09", 0.9, "consistent"),
        ("1971-03", "1971-03-09", 0.9, "consistent"),
        ("1971-03-09", "1971-09-03", 0.8, "day and month swapped"),
        ("1971-03-09", "1971-03-08", 0.7, "one digit differs"),
        ("1971-03-09", "1917-03-09", 0.65, "adjacent digits transposed"),
        ("1971", "1972-05-01", 0.4, "years one apart"),
        ("1971-03-09", "1985-11-20", 0.0, "different"),
        ("1971-04", "1971-03-09", 0.0, "different"),
    ],
)
def test_dates_compare_with_reasons(query: str, record: str, score: float, reason: str) -> None:
    match = compare_dates(query, record)
    assert match is not None
    assert match.score == score and reason in match.reason


def test_missing_dates_are_no_evidence() -> None:
    assert compare_dates(None, "1971") is None
    assert compare_dates("1971", "sometime") is None


@pytest.mark.parametrize(
    ("query", "record", "score"),
    [
        ("15AB12345", "15 ab-12345", 1.0),
        ("AB1O2345", "AB102345", 0.97),
        ("15AB12345", "15AB12346", 0.75),
        ("15AB12345", "99ZZ00000", 0.0),
        ("A123", "A124", 0.0),  # too short for a near match
        ("", "15AB12345", 0.0),
    ],
)
def test_identifiers_compare(query: str, record: str, score: float) -> None:
    assert compare_identifiers(query, record).score == score


def test_identifier_normalisation() -> None:
    assert compact_identifier(" 15 ab-123.45/") == "15AB12345"
    assert document_number_key("xI 000 003") == ("X1000003", True)
    assert document_number_key("ABCDEF") == ("ABCDEF", False)  # letters only: nothing to confuse


def test_vin_check_digit() -> None:
    assert vin_warnings("1M8GDM9AXKP042788") == []
    assert vin_warnings("1M8GDM9A1KP042788") == ["VIN check digit is '1', expected 'X'"]
    assert vin_warnings("WVWZZZ1JZXW000001") == []  # Europe: no check digit to verify
    assert "17" in vin_warnings("ABC123")[0]


def test_countries_and_sex() -> None:
    agree = compare_countries(["fr", "DE"], ["DE"])
    assert agree is not None and agree.agrees and "DE" in agree.reason
    conflict = compare_countries(["FR"], ["IQ"])
    assert conflict is not None and not conflict.agrees
    assert compare_countries([], ["FR"]) is None
    assert compare_sex("M", "m") == compare_sex("M", "M")
    sex_conflict = compare_sex("M", "F")
    assert sex_conflict is not None and not sex_conflict.agrees
    assert compare_sex("U", "F") is None and compare_sex(None, "F") is None
