"""PFIF: round trip, a sample file with notes, hostile XML refused, per-person errors."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from interlink.interop import pfif
from interlink.interop.base import ExportItem, FormatError, ParsedItem
from interlink.records.kinds.persons import MissingPersonData

DATA = Path(__file__).parent / "data"
NS = "{http://zesty.ca/pfif/1.4}"
UPDATED = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
CARRIED = (
    "full_name",
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "physical_description",
    "last_seen_place",
    "last_seen_date",
    "circumstances",
)


def _item(source_id: str | None = None, owner: str = "FR", **fields: Any) -> ExportItem:
    record = MissingPersonData.model_validate(fields)
    data = record.model_dump(mode="json", exclude_none=True)
    return ExportItem(uuid.uuid4(), "missing-persons", owner, source_id, data, UPDATED)


def _export(items: list[ExportItem], **options: Any) -> bytes:
    stream = io.BytesIO()
    assert pfif.write(items, stream, "missing-persons", **options) == len(items)
    return stream.getvalue()


def _read(content: bytes, kind: str | None = None) -> list[ParsedItem]:
    return list(pfif.read(io.BytesIO(content), kind))


def test_round_trip() -> None:
    items = [
        _item(
            given_name="Jeanne",
            family_name="Dupont",
            sex="F",
            date_of_birth="1990-04",
            physical_description="1.70 m, red coat",
            last_seen_place="Gare de Lyon, Paris",
            last_seen_date="2024-02-03",
            circumstances="Left for work & did not arrive <at all>.",
        ),
        _item(source_id="finder.example.org/person.9", full_name="Hans Müller", sex="M"),
        _item(full_name="Ana Silva", date_of_birth="1961", last_seen_place="Porto"),
    ]

    parsed = _read(_export(items))

    assert [item.line for item in parsed] == [1, 2, 3]
    for item, back in zip(items, parsed, strict=True):
        assert back.error is None
        assert back.kind == "missing-persons"
        original = MissingPersonData.model_validate(item.data)
        again = MissingPersonData.model_validate(back.data)
        for name in CARRIED:
            if name != "last_seen_date" or original.last_seen_date:
                assert getattr(again, name) == getattr(original, name), name
    assert parsed[0].source_id == f"interlink.example/{items[0].id}"
    assert parsed[1].source_id == "finder.example.org/person.9"


def test_written_document() -> None:
    item = _item(full_name="Ana Silva", sex="U", last_seen_place="Porto", circumstances="Gone")

    content = _export([item], domain="bureau.example")

    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<pfif:pfif ')
    root = ET.fromstring(content)
    assert root.tag == f"{NS}pfif"
    person = root.find(f"{NS}person")
    assert person is not None
    fields = {child.tag.removeprefix(NS): child.text for child in person if len(child) == 0}
    assert fields == {
        "person_record_id": f"bureau.example/{item.id}",
        "entry_date": "2024-05-01T12:30:15Z",
        "author_name": "FR",
        "source_date": "2024-05-01T12:30:15Z",
        "full_name": "Ana Silva",
    }  # sex "U" (unknown) is not PFIF's "other": left out
    note = person.find(f"{NS}note")
    assert note is not None
    assert note.findtext(f"{NS}note_record_id") == f"bureau.example/{item.id}.last-seen"
    assert note.findtext(f"{NS}person_record_id") == f"bureau.example/{item.id}"
    assert note.findtext(f"{NS}last_known_location") == "Porto"
    assert note.findtext(f"{NS}text") == "Gone"


def test_a_name_only_in_its_own_script_is_the_full_name() -> None:
    item = _item(original_script_name="Анна Петрова")

    (parsed,) = _read(_export([item]))

    assert parsed.data == {"full_name": "Анна Петрова"}


def test_no_last_seen_data_no_note() -> None:
    root = ET.fromstring(_export([_item(full_name="Ana Silva")]))

    assert root.find(f"{NS}person/{NS}note") is None


def test_characters_xml_cannot_carry_are_dropped() -> None:
    item = _item(full_name="Ana Silva", last_seen_place="Porto", circumstances="bell\x07 nul\x00")

    (parsed,) = _read(_export([item]))

    assert parsed.data["circumstances"] == "bell nul"


def test_sample_file() -> None:
    first, second = _read((DATA / "missing.pfif.xml").read_bytes())

    assert first.line == 1
    assert first.source_id == "finder.example.org/person.1001"
    # The top-level note of 2024-02-04 is later than the nested one of 2024-02-03; the
    # note of 2024-02-07 has no location. Home city/country and age are not last-seen data.
    assert first.data == {
        "full_name": "Anna Nowak",
        "given_name": "Anna",
        "family_name": "Nowak",
        "sex": "F",
        "date_of_birth": "1987-06-14",
        "physical_description": "1.65 m, short dark hair, green parka",
        "last_seen_place": "Vienna Hauptbahnhof",
        "last_seen_date": "2024-02-04",
        "circumstances": "Seen leaving the night train from Krakow.",
    }
    assert second.line == 2
    assert second.data == {"full_name": "Jan Kowalski", "sex": "M", "date_of_birth": "1950"}
    for item in (first, second):
        MissingPersonData.model_validate(item.data)


def test_nameless_person_is_an_error_and_the_others_are_read() -> None:
    sara, nameless, luca = _read((DATA / "nameless.pfif.xml").read_bytes())

    assert nameless.line == 2
    assert nameless.error_field == "full_name"
    assert nameless.error is not None and "name" in nameless.error
    assert nameless.source_id == "finder.example.org/person.2002"
    # PFIF 1.3 names and "other" map to their PFIF 1.4 meanings.
    assert sara.error is None
    assert sara.data == {
        "given_name": "Sara",
        "family_name": "Rossi",
        "sex": "U",
        "physical_description": "Wears glasses",
    }
    assert MissingPersonData.model_validate(sara.data).full_name == "Sara Rossi"
    assert luca.data == {"full_name": "Luca Bianchi"}


@pytest.mark.parametrize("name", ["billion-laughs.xml", "xxe.xml"])
def test_hostile_documents_are_refused(name: str) -> None:
    with pytest.raises(FormatError, match="refused XML"):
        _read((DATA / name).read_bytes())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<pfif:pfif xmlns:pfif='http://zesty.ca/pfif/1.4'><pfif:person>", "not an XML"),
        (b"not xml at all", "not an XML"),
        (b"<pfif:pfif xmlns:pfif='http://zesty.ca/pfif/1.4'>&undefined;</pfif:pfif>", "XML"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "not a PFIF document"),
        (b"<pfif xmlns='http://zesty.ca/pfif/9.9'/>", "not a PFIF document"),
    ],
)
def test_not_pfif(content: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        _read(content)


def test_another_kind_reads_nothing() -> None:
    assert _read((DATA / "missing.pfif.xml").read_bytes(), kind="persons") == []


def test_write_refuses_other_kinds() -> None:
    with pytest.raises(FormatError, match="missing persons"):
        pfif.write([], io.BytesIO(), "persons")


def test_write_nothing_is_an_empty_document() -> None:
    assert _read(_export([])) == []


_DECLARED = (
    "<?xml version='1.0' encoding='{}'?>"
    "<pfif:pfif xmlns:pfif='http://zesty.ca/pfif/1.4'><pfif:person>"
    "<pfif:person_record_id>x.example/1</pfif:person_record_id>"
    "<pfif:full_name>Zoe Adler</pfif:full_name></pfif:person></pfif:pfif>"
)


@pytest.mark.parametrize(
    ("declared", "codec"),
    [
        ("UTF-7", "utf-7"),  # once a ValueError out of expat: a traceback
        ("Shift_JIS", "shift_jis"),
        ("windows-1252", "cp1252"),
        ("Big5", "big5"),
        ("x-nonsense", "utf-8"),
    ],
)
def test_encodings_other_than_utf8_utf16_ascii_latin1_are_refused(
    declared: str, codec: str
) -> None:
    with pytest.raises(FormatError, match=f"encoding '{declared}'.*UTF-8"):
        _read(_DECLARED.format(declared).encode(codec))


@pytest.mark.parametrize(
    ("declared", "content"),
    [
        ("UTF-8", _DECLARED.format("UTF-8").encode()),
        ("utf8", _DECLARED.format("utf8").encode()),
        ("UTF-16", _DECLARED.format("UTF-16").encode("utf-16")),
        ("UTF-16LE", _DECLARED.format("UTF-16LE").encode("utf-16-le")),
        ("US-ASCII", _DECLARED.format("US-ASCII").encode("ascii")),
        ("ISO-8859-1", _DECLARED.format("ISO-8859-1").encode("latin-1")),
        ("none", b"\xef\xbb\xbf" + _DECLARED.format("").replace(" encoding=''", "").encode()),
    ],
)
def test_utf8_utf16_ascii_and_latin1_are_read(declared: str, content: bytes) -> None:
    (item,) = _read(content)
    assert item.error is None and item.data == {"full_name": "Zoe Adler"}, declared
