"""Property-based tests of every parser: none may crash or hang.

Each parser of ``targets.TARGETS`` (MRZ, dates, names, identifiers, CSV, FollowTheMoney,
STIX, PFIF, format guessing, manifests, the link graph's identifiers) gets near-valid
generated input, random text or bytes, and mutated real samples; it must answer or give
its documented refusal within a time limit. Where a parser has a real property, that is
checked too: a built MRZ parses back to its fields, normalisation is idempotent, a date
written out again parses to itself, CSV/STIX/PFIF exports read back to what was written,
XML with a DTD is refused before any entity is expanded. The last section replays each
crash that ``bench/fuzz_parsers.py`` found, now a refusal that names the field or line.

Bounded for CI: at most 100 examples a test, no example database (nothing written to
the repository), a 2 s deadline per example and a 10 s alarm that fails a real hang.
"""

from __future__ import annotations

import contextlib
import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, note, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from interlink.analysis.identifiers import record_identifiers
from interlink.core.errors import InvalidInput
from interlink.interop import csv_format, ftm, pfif, stix
from interlink.interop.base import ExportItem, FormatError, ParsedItem
from interlink.interop.formats import FORMATS, guess_format
from interlink.matching.dates import PartialDate, compare_dates, parse_partial_date
from interlink.matching.identifiers import (
    compact_identifier,
    compare_identifiers,
    document_number_key,
    vin_warnings,
)
from interlink.matching.mrz import MrzCheckDigitError, parse_mrz
from interlink.matching.names import compare_names, name_forms
from interlink.matching.normalise import name_tokens, normalise_name
from interlink.matching.transliterate import MAX_VARIANTS, latin_variants
from interlink.records.kinds import KINDS
from interlink.records.kinds.indicators import IndicatorData
from interlink.screening.manifest import read_manifest
from tests.robustness import file_strategies as fs
from tests.robustness import strategies as s
from tests.robustness.targets import INTEROP_DATA, TARGETS, Hang, mutate, time_limit

BOUND = settings(
    max_examples=100,
    deadline=timedelta(seconds=2),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HANG_SECONDS = 10
UPDATED = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Run every sample once: libraries load tables lazily (FtM's territory names take
    about 2.5 s the first time), which must not count against the deadline."""
    for target in TARGETS.values():
        for seed in target.seeds()[:5]:
            with contextlib.suppress(*target.refusal):
                target.run(seed)


@cache
def _strategy(name: str) -> st.SearchStrategy[Any]:
    return TARGETS[name].inputs()


def _items(result: object) -> Iterator[ParsedItem]:
    if isinstance(result, ParsedItem):
        yield result
    elif isinstance(result, list | tuple):
        for part in result:
            yield from _items(part)


def attempt(name: str, value: Any) -> object:
    """What parser ``name`` makes of ``value``: its answer, or None when it refuses as
    documented. Any other exception, or running over the time limit, fails the test."""
    target = TARGETS[name]
    note(f"{name} input: {value!r}")
    try:
        with time_limit(HANG_SECONDS):
            result = target.run(value)
    except target.refusal as exc:
        assert str(exc), "a refusal says why"
        return None
    except Hang:
        raise AssertionError(f"{name} took over {HANG_SECONDS} s") from None
    for item in _items(result):  # what readers yield: an item per record or bad line
        assert item.line >= 1
        assert item.error is None or (isinstance(item.error, str) and item.error)
        assert isinstance(item.data, dict)
    return result


# --- none may crash or hang ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(TARGETS))
@BOUND
@given(data=st.data())
def test_generated_input_is_parsed_or_refused(name: str, data: st.DataObject) -> None:
    attempt(name, data.draw(_strategy(name), label="input"))


@pytest.mark.parametrize("name", ["mrz", "dates", "names", "identifiers"])
@BOUND
@given(text=st.text(max_size=200))
def test_random_text_is_parsed_or_refused(name: str, text: str) -> None:
    attempt(name, text)


@pytest.mark.parametrize("name", ["csv", "ftm", "stix", "pfif", "manifest", "guess_format"])
@BOUND
@given(content=st.binary(max_size=2000), kind=st.sampled_from(list(KINDS)))
def test_random_bytes_are_parsed_or_refused(name: str, content: bytes, kind: str) -> None:
    attempt(name, {"csv": (content, kind), "guess_format": (content, "f.json")}.get(name, content))


@pytest.mark.parametrize("name", [name for name, target in TARGETS.items() if target.seeds()])
@BOUND
@given(data=st.data(), rng=st.randoms(use_true_random=True))
def test_mutated_samples_are_parsed_or_refused(name: str, data: st.DataObject, rng: Any) -> None:
    sample = data.draw(st.sampled_from(TARGETS[name].seeds()), label="sample")
    attempt(name, mutate(sample, rng))


# --- MRZ -----------------------------------------------------------------------------------


@BOUND
@given(s.valid_mrz())
def test_a_built_zone_parses_back_to_its_fields(built: s.BuiltMrz) -> None:
    mrz = parse_mrz(built.text, today=s.TODAY)

    assert {field: getattr(mrz, field) for field in built.expected} == built.expected


@BOUND
@given(
    s.valid_mrz().flatmap(lambda built: st.tuples(st.just(built), s.with_layout_noise(built.text)))
)
def test_a_pasted_zone_parses_like_the_clean_one(pair: tuple[s.BuiltMrz, str]) -> None:
    built, pasted = pair

    assert parse_mrz(pasted, today=s.TODAY) == parse_mrz(built.text, today=s.TODAY)


@BOUND
@given(s.valid_mrz(), st.integers(1, 9))
def test_a_wrong_document_number_check_digit_is_named(built: s.BuiltMrz, shift: int) -> None:
    lines = built.text.split("\n")
    line, index = (0, 14) if built.expected["format"] == "TD1" else (1, 9)
    wrong = str((int(lines[line][index]) + shift) % 10)
    lines[line] = lines[line][:index] + wrong + lines[line][index + 1 :]

    with pytest.raises(MrzCheckDigitError) as refused:
        parse_mrz("\n".join(lines), today=s.TODAY)

    assert (refused.value.field, refused.value.found) == ("document_number", wrong)


# --- dates ---------------------------------------------------------------------------------


def _written(parsed: PartialDate) -> str:
    parts = [f"{parsed.year:04d}", *(f"{p:02d}" for p in (parsed.month, parsed.day) if p)]
    return "-".join(parts)


@BOUND
@given(s.date_texts())
def test_a_parsed_date_written_out_parses_to_the_same_date(text: str) -> None:
    parsed = parse_partial_date(text)
    assume(parsed is not None)
    assert parsed is not None

    assert parse_partial_date(_written(parsed)) == parsed


@BOUND
@given(st.dates())
def test_a_calendar_date_parses_to_itself(day: date) -> None:
    assert parse_partial_date(day.isoformat()) == PartialDate(day.year, day.month, day.day)


@BOUND
@given(s.date_texts(), s.date_texts())
def test_date_comparison_is_symmetric_and_bounded(left: str, right: str) -> None:
    forward, backward = compare_dates(left, right), compare_dates(right, left)

    assert (forward is None) == (backward is None)
    if forward is not None and backward is not None:
        assert forward.score == backward.score
        assert 0.0 <= forward.score <= 1.0
    same = compare_dates(left, left)
    assert same is None or same.score == 1.0


# --- names, identifiers --------------------------------------------------------------------


@BOUND
@given(s.names())
def test_name_normalisation_is_idempotent(name: str) -> None:
    once = normalise_name(name)

    assert normalise_name(once) == once
    assert once == " ".join(once.split())
    assert name_tokens(once) == name_tokens(name)


@BOUND
@given(s.names())
def test_latin_variants_are_few_distinct_and_ascii(name: str) -> None:
    variants = latin_variants(name)
    keys = [normalise_name(variant) for variant in variants]

    assert 1 <= len(variants) <= MAX_VARIANTS
    assert all(key.isascii() for key in keys)
    assert len(set(keys)) == len(keys)


@BOUND
@given(s.names())
def test_a_name_agrees_fully_with_itself(name: str) -> None:
    forms = name_forms([name])
    match = compare_names(forms, forms)

    assert (match is None) == (not forms)
    assert match is None or match.score == 1.0


@BOUND
@given(s.identifier_texts())
def test_identifier_keys_are_stable(text: str) -> None:
    compact = compact_identifier(text)
    key, _ = document_number_key(text)

    assert compact_identifier(compact) == compact
    assert document_number_key(key)[0] == key
    assert not key or compare_identifiers(text, text).score == 1.0
    assert all(isinstance(warning, str) and warning for warning in vin_warnings(text))


IDENTIFIER_TYPES = {
    *("document", "phone", "email", "vin", "serial", "iban", "imo", "wallet", "domain"),
    *("ip", "address", "born"),
}


@BOUND
@given(fs.record_data())
def test_record_identifiers_are_unique_and_bounded(record: tuple[str, dict[str, Any]]) -> None:
    found = record_identifiers(*record)

    assert len({(i.type, i.value) for i in found}) == len(found)
    for identifier in found:
        assert identifier.type in IDENTIFIER_TYPES
        assert 0 < len(identifier.value) <= 200 and len(identifier.shown) <= 200
        assert identifier.type != "phone" or re.fullmatch(r"\+[0-9]+", identifier.value)


@BOUND
@given(fs.csv_files())
@example((b"id,links\np1," + b"9" * 5000 + b"\n", "persons"))  # named no column before
def test_csv_errors_name_a_column_of_the_kind(file: tuple[bytes, str | None]) -> None:
    kind = file[1]
    result = attempt("csv", file)
    for item in _items(result):
        if item.error_field is not None:
            assert kind is not None and item.error_field in csv_format.columns(kind)
            assert item.error is not None and item.error.startswith(f"{item.error_field}: ")


@BOUND
@given(fs.guessable_files())
def test_a_guessed_format_is_a_known_one(file: tuple[bytes, str]) -> None:
    guessed = attempt("guess_format", file)

    assert guessed is None or guessed in FORMATS


# --- exports read back ---------------------------------------------------------------------

_cell = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=20)
_cell = _cell.map(str.strip).filter(bool)


@st.composite
def _csv_items(draw: st.DrawFn) -> tuple[str, list[ExportItem]]:
    kind = draw(st.sampled_from(list(KINDS)))
    values = {
        "scalar": _cell,
        "list": st.lists(_cell.filter(lambda cell: ";" not in cell), min_size=1, max_size=3),
        "json": st.lists(st.dictionaries(_cell, _cell, max_size=2), max_size=2),
    }
    shapes = csv_format._fields(KINDS[kind])
    items = []
    for _ in range(draw(st.integers(1, 3))):
        chosen = draw(st.lists(st.sampled_from(list(shapes)), unique=True))
        data = {column: draw(values[shapes[column]]) for column in chosen}
        items.append(ExportItem(uuid.uuid4(), kind, "FR", draw(_cell), data, UPDATED))
    return kind, items


@BOUND
@given(_csv_items())
def test_a_csv_export_reads_back(exported: tuple[str, list[ExportItem]]) -> None:
    kind, items = exported
    stream = io.BytesIO()
    csv_format.write(items, stream, kind)

    parsed = list(csv_format.read(io.BytesIO(stream.getvalue()), kind))

    assert [(p.source_id, p.data, p.error) for p in parsed] == [
        (item.source_id, item.data, None) for item in items
    ]


_printable = st.characters(blacklist_categories=["Cs", "Cc", "Zs", "Zl", "Zp"])
_host = st.from_regex(r"[a-z0-9]{1,12}(\.[a-z0-9]{1,12}){0,2}\.[a-z]{2,6}", fullmatch=True)
_INDICATOR_VALUES = {
    "domain": _host,
    "url": st.tuples(st.sampled_from(["http://", "https://", "ftp://"]), _host, st.text()).map(
        lambda parts: f"{parts[0]}{parts[1]}/{parts[2]}"
    ),
    "email": st.tuples(st.text(_printable.filter(lambda c: c != "@"), min_size=1), _host).map(
        "@".join
    ),
    "ipv4": st.ip_addresses(v=4).map(str),
    "ipv6": st.ip_addresses(v=6).map(str),
    "md5": st.text("0123456789abcdefABCDEF", min_size=32, max_size=32),
    "sha1": st.text("0123456789abcdef", min_size=40, max_size=40),
    "sha256": st.text("0123456789abcdef", min_size=64, max_size=64),
    "crypto_wallet": st.from_regex(r"[A-Za-z0-9]{20,60}", fullmatch=True),
}


@BOUND
@given(
    st.sampled_from(sorted(_INDICATOR_VALUES)).flatmap(
        lambda kind: st.tuples(st.just(kind), _INDICATOR_VALUES[kind])
    )
)
def test_a_stix_export_reads_back(indicator: tuple[str, str]) -> None:
    try:
        record = IndicatorData(indicator_type=indicator[0], value=indicator[1])
    except ValidationError:
        assume(False)
    data = record.model_dump(mode="json", exclude_none=True)
    stream = io.BytesIO()
    item = ExportItem(uuid.uuid4(), "indicators", "FR", None, data, UPDATED)
    stix.write([item], stream, "indicators")

    (parsed,) = stix.read(io.BytesIO(stream.getvalue()), None)

    assert (parsed.error, parsed.data) == (None, data)


_xml_text = st.text(st.characters(blacklist_categories=["Cs", "Cc", "Cn"]), max_size=30)
_xml_text = _xml_text.map(str.strip).filter(bool)


@BOUND
@given(st.lists(st.tuples(_xml_text, _xml_text, _xml_text), min_size=1, max_size=3))
def test_a_pfif_export_reads_back(people: list[tuple[str, str, str]]) -> None:
    items = [
        ExportItem(
            uuid.uuid4(),
            "missing-persons",
            "FR",
            None,
            {"full_name": name, "last_seen_place": place, "circumstances": circumstances},
            UPDATED,
        )
        for name, place, circumstances in people
    ]
    stream = io.BytesIO()
    pfif.write(items, stream, "missing-persons")

    parsed = list(pfif.read(io.BytesIO(stream.getvalue()), None))

    assert [
        (p.data["full_name"], p.data["last_seen_place"], p.data["circumstances"]) for p in parsed
    ] == people


# --- hostile XML ---------------------------------------------------------------------------


@pytest.mark.parametrize("sample", ["billion-laughs.xml", "xxe.xml"])
def test_hostile_xml_samples_are_refused_unexpanded(sample: str) -> None:
    with time_limit(2), pytest.raises(FormatError, match="refused XML"):
        list(pfif.read(io.BytesIO((INTEROP_DATA / sample).read_bytes()), None))


_SECRET = "interlink-secret-marker"


@st.composite
def _hostile_documents(draw: st.DrawFn, secret: Path) -> str:
    """A PFIF document whose DTD expands entities exponentially, reads a local file,
    loads an external DTD or uses parameter entities."""
    width, depth = draw(st.integers(2, 12)), draw(st.integers(1, 9))
    name = draw(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True))
    laughs = [f'<!ENTITY {name}0 "lol">'] + [
        f'<!ENTITY {name}{level} "{f"&{name}{level - 1};" * width}">' for level in range(1, depth)
    ]
    declarations = draw(
        st.sampled_from(
            [
                "".join(laughs),
                f'<!ENTITY {name} SYSTEM "file://{secret}">',
                f'<!ENTITY {name} PUBLIC "-//X//EN" "file://{secret}">',
                f'<!ENTITY % {name} SYSTEM "file://{secret}"> %{name};',
            ]
        )
    )
    use = f"{name}{depth - 1}" if declarations.startswith(f"<!ENTITY {name}0") else name
    doctype = draw(
        st.sampled_from(
            [f"<!DOCTYPE pfif [{declarations}]>", f'<!DOCTYPE pfif SYSTEM "file://{secret}">']
        )
    )
    return (
        draw(st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8"?>\n']))
        + doctype
        + '<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person>'
        + f"<pfif:full_name>&{use};</pfif:full_name></pfif:person></pfif:pfif>"
    )


def test_xml_with_entities_or_a_dtd_is_refused_before_expansion(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(_SECRET)

    @BOUND
    @given(_hostile_documents(secret))
    def refused(document: str) -> None:
        with time_limit(2), pytest.raises(FormatError, match="refused XML") as refusal:
            list(pfif.read(io.BytesIO(document.encode()), None))
        assert _SECRET not in str(refusal.value)

    refused()


# --- regressions: what the fuzzer found ----------------------------------------------------


def _read(module: Any, content: bytes, kind: str | None = None) -> list[ParsedItem]:
    return list(module.read(io.BytesIO(content), kind))


DEEP = "[" * 5000 + "]" * 5000


def test_vin_with_lower_case_or_punctuation_is_a_warning_not_a_key_error() -> None:
    # KeyError: 'a' in the check-digit sum (region 1 VINs) before the fix.
    assert vin_warnings("1hgcm82633a004352") == [
        "VIN contains 'a', 'c', 'g', 'h', 'm'; ISO 3779 VINs have capital letters and digits only"
    ]
    assert vin_warnings("1HGCM82633A00435.")[0].startswith("VIN contains '.'")
    assert vin_warnings("1HGCM82633A004352") == []


def test_csv_cell_of_deeply_nested_json_is_an_error_naming_the_column() -> None:
    # RecursionError out of the reader (a 500) before the fix.
    content = f'id,identity_documents\np1,"{DEEP}"\np2,[]\n'.encode()

    first, second = _read(csv_format, content, "persons")

    assert (first.line, first.source_id, first.error_field) == (2, "p1", "identity_documents")
    assert first.error == "identity_documents: not JSON (nested too deeply)"
    assert (second.error, second.data) == (None, {"identity_documents": []})


def test_csv_cell_with_a_number_too_long_to_read_names_the_column() -> None:
    # The error named the column "Exceeds the limit (4300 digits) for integer string
    # conversion" (Python's message, cut at its colon) before the fix.
    content = b"id,links\np1," + b"9" * 5000 + b"\n"

    (item,) = _read(csv_format, content, "persons")

    assert (item.line, item.source_id, item.error_field) == (2, "p1", "links")
    assert item.error == "links: not JSON (a number too long to read)"


def test_ftm_line_of_deeply_nested_json_is_refused_by_line() -> None:
    # RecursionError out of the reader before the fix.
    with pytest.raises(FormatError, match="line 1: not valid JSON: nested too deeply"):
        _read(ftm, DEEP.encode())
    person = b'{"id": "p", "schema": "Person", "properties": {"name": ["Ali"]}}\n'

    _, broken = _read(ftm, person + DEEP.encode())

    assert (broken.line, broken.error) == (2, "not valid JSON: nested too deeply")


@pytest.mark.parametrize(
    ("schema", "properties", "field", "message"),
    [
        ("Person", {"height": ["1,80"]}, "height_cm", "height: '1,80' is not a number"),
        ("Person", {"weight": ["nan"]}, "weight_kg", "weight: 'nan' is not a finite number"),
        ("Person", {"height": ["1e309"]}, "height_cm", "height: '1e309' is not a finite number"),
        ("Vessel", {"amount": ["x"], "currency": ["EUR"]}, "estimated_value", "amount: 'x' is not"),
    ],
)
def test_ftm_numbers_that_are_none_are_errors_naming_the_field(
    schema: str, properties: dict[str, list[str]], field: str, message: str
) -> None:
    # ValueError / OverflowError out of float() and round() before the fix.
    line = f'{{"id": "e1", "schema": "{schema}", "properties": {properties}}}'.replace("'", '"')

    (item,) = _read(ftm, line.encode(), "missing-persons" if schema == "Person" else None)

    assert (item.line, item.source_id, item.error_field) == (1, "e1", field)
    assert item.error is not None and item.error.startswith(message)


def test_stix_document_of_deeply_nested_json_is_refused() -> None:
    # RecursionError out of json.load before the fix.
    with pytest.raises(FormatError, match="nested too deeply"):
        _read(stix, DEEP.encode())


def test_pfif_declaring_an_unknown_encoding_is_refused() -> None:
    # LookupError out of expat before the fix.
    content = b'<?xml version="1.0" encoding="nonsense"?><pfif:pfif xmlns:pfif="x"/>'

    with pytest.raises(FormatError, match="unknown encoding 'nonsense'"):
        _read(pfif, content)


def test_json_file_of_deeply_nested_json_is_guessed_stix_then_refused(tmp_path: Path) -> None:
    # RecursionError out of guess_format before the fix.
    path = tmp_path / "deep.json"
    path.write_text('{"a": ' + DEEP + "}")

    assert guess_format(path) == "stix"
    with pytest.raises(FormatError, match="nested too deeply"):
        _read(stix, path.read_bytes())


@pytest.mark.parametrize(
    "content",
    [b"id,name\nt1,Al\xf9 Hassan\n", b"id,na\xdbme\n", b"id,name\n" + b"t,A\n" * 5000 + b"\xff"],
)
def test_manifest_that_is_not_utf8_is_refused_as_invalid_input(content: bytes) -> None:
    # UnicodeDecodeError out of read_manifest (the command line's traceback) before the fix.
    stream = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")

    with pytest.raises(InvalidInput) as refused:
        read_manifest(stream)

    assert refused.value.errors is not None
    assert refused.value.errors[0]["message"].startswith("the file is not UTF-8 text")
