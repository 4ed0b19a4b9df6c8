"""The MRZ parser against the ICAO Doc 9303 specimens, corrupted check digits, malformed zones.

Expectations are read from the specimens as printed in Doc 9303 (Parts 4 to 7), not from
the parser: every field of every format, then each check digit corrupted in turn.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import string
from datetime import date

import pytest

from interlink.matching.mrz import (
    Mrz,
    MrzCheckDigitError,
    MrzError,
    MrzFormatError,
    check_digit,
    parse_mrz,
)

TODAY = date(2025, 6, 1)

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)
TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
MRV_A = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<"
MRV_B = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<"

SPECIMENS = {"TD3": TD3, "TD1": TD1, "TD2": TD2, "MRV-A": MRV_A, "MRV-B": MRV_B}

ANNA = {
    "issuing_state": "UTO",
    "sex": "F",
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "optional_data_2": "",
}
CARD = {
    **ANNA,
    "document_code": "I",
    "document_number": "D23145890",
    "nationality": "UTO",
    "date_of_birth": "1974-08-12",
    "date_of_expiry": "2012-04-15",
    "optional_data": "",
}
VISA = {
    **ANNA,
    "document_code": "V",
    "document_number": "L8988901C",
    "nationality": "XXX",
    "date_of_birth": "1940-09-07",
    "date_of_expiry": "2096-12-10",  # printed 96: expiry years are 20YY by rule
}
EXPECTED = {
    "TD3": {
        **CARD,
        "document_code": "P",
        "document_number": "L898902C3",
        "optional_data": "ZE184226B",
    },
    "TD1": CARD,
    "TD2": CARD,
    "MRV-A": {**VISA, "optional_data": "6ZE184226B"},
    "MRV-B": {**VISA, "optional_data": ""},
}


def _with(text: str, line: int, index: int, char: str) -> str:
    """``text`` with the character at (1-based line, 0-based index) replaced."""
    lines = text.split("\n")
    lines[line - 1] = lines[line - 1][:index] + char + lines[line - 1][index + 1 :]
    return "\n".join(lines)


def _td3(
    number: str = "L898902C3",
    birth: str = "740812",
    expiry: str = "120415",
    personal: str = "ZE184226B<<<<<",
    *,
    state: str = "UTO",
    personal_check: str | None = None,
) -> str:
    """A TD3 zone with correct check digits around the given fields."""
    head = f"{number}{check_digit(number)}{state}{birth}{check_digit(birth)}F"
    tail = f"{expiry}{check_digit(expiry)}{personal}"
    tail += check_digit(personal) if personal_check is None else personal_check
    composite = check_digit(head[:10] + head[13:20] + tail)
    line_1 = f"P<{state}ERIKSSON<<ANNA<MARIA".ljust(44, "<")
    return f"{line_1}\n{head}{tail}{composite}"


def _td1(number_field: str, optional_2: str = "<" * 11) -> str:
    """A TD1 zone with line 1 from position 6 given, and a correct composite."""
    line_1 = f"I<UTO{number_field}".ljust(30, "<")
    line_2 = f"7408122F1204159UTO{optional_2}"
    composite = check_digit(line_1[5:] + line_2[:7] + line_2[8:15] + line_2[18:29])
    return f"{line_1}\n{line_2}{composite}\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"


# -- check digits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digit"),
    [
        ("L898902C3", "6"),
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
        ("D23145890", "7"),
        ("D23145890734", "9"),  # the long document number example of Doc 9303 Part 5
        ("<<<<<<", "0"),
        ("", "0"),
    ],
)
def test_check_digit(value: str, digit: str) -> None:
    assert check_digit(value) == digit


def test_check_digit_refuses_other_characters() -> None:
    with pytest.raises(MrzFormatError, match="'a' cannot appear"):
        check_digit("a")


# -- specimens ---------------------------------------------------------------------------


@pytest.mark.parametrize("zone_format", SPECIMENS)
def test_specimen_parses_to_every_field(zone_format: str) -> None:
    text = SPECIMENS[zone_format]
    assert parse_mrz(text, today=TODAY) == Mrz(
        format=zone_format,  # type: ignore[arg-type]
        lines=tuple(text.split("\n")),
        **EXPECTED[zone_format],  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("zone_format", SPECIMENS)
def test_specimen_tolerates_whitespace_crlf_blank_lines_and_lower_case(zone_format: str) -> None:
    text = SPECIMENS[zone_format]
    messy = "\r\n\r\n  " + "  \r\n\n\t".join(text.lower().split("\n")) + " \n\n"
    assert parse_mrz(messy, today=TODAY) == parse_mrz(text, today=TODAY)


def test_mrz_is_frozen() -> None:
    mrz = parse_mrz(TD3, today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        mrz.surname = "X"  # type: ignore[misc]


# -- check digit failures ----------------------------------------------------------------

CHECK_DIGITS = [
    # (format, line, 0-based index of the check digit, field)
    ("TD3", 2, 9, "document_number"),
    ("TD3", 2, 19, "date_of_birth"),
    ("TD3", 2, 27, "date_of_expiry"),
    ("TD3", 2, 42, "optional_data"),
    ("TD3", 2, 43, "composite"),
    ("TD1", 1, 14, "document_number"),
    ("TD1", 2, 6, "date_of_birth"),
    ("TD1", 2, 14, "date_of_expiry"),
    ("TD1", 2, 29, "composite"),
    ("TD2", 2, 9, "document_number"),
    ("TD2", 2, 19, "date_of_birth"),
    ("TD2", 2, 27, "date_of_expiry"),
    ("TD2", 2, 35, "composite"),
    ("MRV-A", 2, 9, "document_number"),
    ("MRV-A", 2, 19, "date_of_birth"),
    ("MRV-A", 2, 27, "date_of_expiry"),
    ("MRV-B", 2, 9, "document_number"),
    ("MRV-B", 2, 19, "date_of_birth"),
    ("MRV-B", 2, 27, "date_of_expiry"),
]


@pytest.mark.parametrize(("zone_format", "line", "index", "field"), CHECK_DIGITS)
def test_corrupted_check_digit_names_its_field(
    zone_format: str, line: int, index: int, field: str
) -> None:
    text = SPECIMENS[zone_format]
    right = text.split("\n")[line - 1][index]
    wrong = str((int(right) + 1) % 10)
    with pytest.raises(MrzCheckDigitError) as caught:
        parse_mrz(_with(text, line, index, wrong), today=TODAY)
    error = caught.value
    assert (error.field, error.expected, error.found) == (field, right, wrong)
    assert str(error) == f"check digit of {field} is {wrong}, expected {right}"


@pytest.mark.parametrize(
    ("zone_format", "line", "index", "char", "field"),
    [
        ("TD3", 2, 0, "M", "document_number"),  # L -> M in the number itself
        ("TD3", 2, 15, "1", "date_of_birth"),
        ("TD3", 2, 30, "X", "optional_data"),
        ("TD1", 1, 20, "B", "composite"),  # line 1 optional data: only the composite covers it
        # ("B", not "A": A = 10 and "<" = 0 agree modulo 10, which 7-3-1 cannot see)
        ("TD1", 2, 20, "B", "composite"),  # line 2 optional data
        ("TD2", 2, 30, "B", "composite"),
        ("MRV-A", 2, 25, "0", "date_of_expiry"),
    ],
)
def test_corrupted_data_fails_its_check(
    zone_format: str, line: int, index: int, char: str, field: str
) -> None:
    with pytest.raises(MrzCheckDigitError) as caught:
        parse_mrz(_with(SPECIMENS[zone_format], line, index, char), today=TODAY)
    assert caught.value.field == field


def test_filler_check_digit_only_for_an_empty_personal_number() -> None:
    blank = parse_mrz(_td3(personal="<" * 14, personal_check="<"), today=TODAY)
    assert blank.optional_data == ""
    assert parse_mrz(_td3(personal="<" * 14), today=TODAY).optional_data == ""  # check 0
    with pytest.raises(MrzCheckDigitError, match="check digit of optional_data is <, expected 1"):
        parse_mrz(_td3(personal_check="<"), today=TODAY)


# -- long document numbers (TD1, TD2) ----------------------------------------------------


def test_td1_long_document_number_continues_in_optional_data() -> None:
    mrz = parse_mrz(_td1("D23145890<7349<OPT"), today=TODAY)
    assert mrz.document_number == "D23145890734"
    assert mrz.optional_data == "OPT"


def test_td1_long_document_number_with_wrong_check_digit() -> None:
    with pytest.raises(MrzCheckDigitError, match="document_number is 8, expected 9"):
        parse_mrz(_td1("D23145890<7348"), today=TODAY)


def test_filler_in_number_check_position_without_extension_fails() -> None:
    with pytest.raises(MrzCheckDigitError, match="document_number is <, expected 7"):
        parse_mrz(_td1("D23145890<"), today=TODAY)


def test_td2_long_document_number() -> None:
    line_2 = "D23145890<UTO7408122F1204159" + "7349<<<"
    line_2 += check_digit(line_2[:10] + line_2[13:20] + line_2[21:])
    mrz = parse_mrz(f"{TD2.split()[0]}\n{line_2}", today=TODAY)
    assert (mrz.document_number, mrz.optional_data) == ("D23145890734", "")


# -- malformed zones ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "2 or 3 lines, found 0"),
        (TD3.split()[0], "2 or 3 lines, found 1"),
        (TD1 + "\n" + "<" * 30, "2 or 3 lines, found 4"),
        (TD3[:-1], "line 2 has 43 characters, expected 44"),
        (TD2 + "<", "line 2 has 37 characters, expected 36"),
        ("P<UTO" + "<" * 35 + "\n" + "<" * 40, "line 1 has 40 characters"),
        (TD1[:-1], "line 3 has 29 characters; a three-line zone"),
        (_with(TD3, 2, 4, "@"), "line 2, position 5: '@' is not allowed"),
        (_with(TD1, 3, 8, " "), "line 3, position 9: ' ' is not allowed"),
        (_with(TD3, 1, 6, "ß"), "line 1, position 7: 'ß' is not allowed"),
        (_with(TD3, 1, 7, "0"), "line 1, position 8: digit '0' in name"),
        (_with(TD3, 1, 0, "1"), "document_code: '1<' does not start with a letter"),
        (_with(TD3, 2, 20, "Q"), "sex: 'Q' is not M, F, X or '<'"),
        (_with(TD3, 2, 11, "1"), "nationality: 'U1O' is not a state code"),
        (_with(TD3, 1, 2, "<"), "issuing_state: '<TO' is not a state code"),
        (_td3(state="<<<"), "issuing_state: '<<<' is not a state code"),
        (
            _td3(birth="741312"),
            r"date_of_birth: month 13 does not exist \(line 2, positions 14-19\)",
        ),
        (_td3(birth="740231"), "date_of_birth: day 31 does not exist in 1974-02"),
        (_td3(birth="74A812"), "date_of_birth: '74A812' is not YYMMDD"),
        (_td3(expiry="120431"), "date_of_expiry: day 31 does not exist in 2012-04"),
        (_td3(expiry="12<<<<"), "date_of_expiry: '12<<<<' is not YYMMDD"),
        (_td3(number="<<<<<<<<<"), r"document_number: blank \(line 2, positions 1-9\)"),
        ("P<UTO" + "<" * 39 + "\n" + TD3.split()[1], r"name: blank \(line 1, positions 6-44\)"),
    ],
)
def test_malformed_zone(text: str, message: str) -> None:
    with pytest.raises(MrzFormatError, match=message):
        parse_mrz(text, today=TODAY)


def test_errors_are_value_errors() -> None:
    assert issubclass(MrzFormatError, MrzError)
    assert issubclass(MrzCheckDigitError, MrzError)
    assert issubclass(MrzError, ValueError)


# -- dates, states -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "today", "iso"),
    [
        ("740812", date(2025, 6, 1), "1974-08-12"),
        ("200101", date(2025, 6, 1), "2020-01-01"),
        ("250601", date(2025, 6, 1), "2025-06-01"),  # today itself is not in the future
        ("250602", date(2025, 6, 1), "1925-06-02"),
        ("991231", date(2000, 1, 1), "1999-12-31"),
        ("000101", date(2000, 1, 1), "2000-01-01"),
        ("400907", date(2030, 1, 1), "1940-09-07"),
        ("71<<<<", TODAY, "1971"),
        ("7108<<", TODAY, "1971-08"),
        ("71<<15", TODAY, "1971"),  # a day without a month is dropped
        ("25<<<<", TODAY, "2025"),
        ("2507<<", TODAY, "1925-07"),
        ("<<<<<<", TODAY, None),
    ],
)
def test_birth_century_and_unknown_parts(birth: str, today: date, iso: str | None) -> None:
    assert parse_mrz(_td3(birth=birth), today=today).date_of_birth == iso


def test_leap_day_follows_the_chosen_century() -> None:
    assert parse_mrz(_td3(birth="000229"), today=TODAY).date_of_birth == "2000-02-29"
    with pytest.raises(MrzFormatError, match="day 29 does not exist in 1900-02"):
        parse_mrz(_td3(birth="000229"), today=date(1999, 12, 31))


def test_default_today_is_the_current_date() -> None:
    assert parse_mrz(TD3).date_of_birth == "1974-08-12"


def test_german_single_letter_state() -> None:
    text = TD3.replace("UTO", "D<<")  # neither state is covered by the composite
    mrz = parse_mrz(text, today=TODAY)
    assert (mrz.issuing_state, mrz.nationality) == ("D", "D")


@pytest.mark.parametrize(("char", "sex"), [("M", "M"), ("F", "F"), ("X", "U"), ("<", "U")])
def test_sex(char: str, sex: str) -> None:
    assert parse_mrz(_with(TD3, 2, 20, char), today=TODAY).sex == sex


@pytest.mark.parametrize(
    ("name", "surname", "given_names"),
    [
        ("VAN<DER<BERG<<JAN<PIETER", "VAN DER BERG", "JAN PIETER"),
        ("ERIKSSON<<<ANNA<<MARIA", "ERIKSSON", "ANNA MARIA"),
        ("MADONNA", "MADONNA", ""),
    ],
)
def test_names(name: str, surname: str, given_names: str) -> None:
    line_1 = f"I<UTO{name}".ljust(36, "<")  # line 1 is not covered by any check digit
    mrz = parse_mrz(f"{line_1}\n{TD2.split()[1]}", today=TODAY)
    assert (mrz.surname, mrz.given_names) == (surname, given_names)


# -- robustness (hypothesis is not installed: deterministic substitutions instead) -------

_ALPHABET = string.ascii_uppercase + string.digits + "<@a ß\t"


@pytest.mark.parametrize("zone_format", SPECIMENS)
def test_every_single_substitution_is_parsed_or_refused_as_mrz_error(zone_format: str) -> None:
    text = SPECIMENS[zone_format]
    for line, content in enumerate(text.split("\n"), 1):
        for index in range(len(content)):
            for char in _ALPHABET:
                with contextlib.suppress(MrzError):
                    parse_mrz(_with(text, line, index, char), today=TODAY)


def test_random_text_is_parsed_or_refused_as_mrz_error() -> None:
    rng = random.Random(9303)
    shapes = [(30, 30, 30), (36, 36), (44, 44)]
    for _ in range(2000):
        if rng.random() < 0.5:
            text = "".join(rng.choices(string.printable, k=rng.randint(0, 120)))
        else:
            alphabet = string.ascii_uppercase + string.digits + "<" * 20
            lines = ["".join(rng.choices(alphabet, k=width)) for width in rng.choice(shapes)]
            text = "\n".join(lines)
        with contextlib.suppress(MrzError):
            parse_mrz(text, today=TODAY)
