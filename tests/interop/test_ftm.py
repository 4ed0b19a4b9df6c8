"""FollowTheMoney: reading a sample file, export checked by the library, round trip, errors."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model
from pydantic import ValidationError

from interlink.interop import ftm
from interlink.interop.base import ExportItem, FormatError, ParsedItem
from interlink.records.kinds import KINDS
from interlink.records.kinds.persons import MissingPersonData

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "ftm_sample.jsonl"
UPDATED = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
ARABIC_NAME = "علي حسن التكريتي"

# source id -> (line, kind, data) for every record the sample holds.
SAMPLE_RECORDS: dict[str, tuple[int, str, dict[str, Any]]] = {
    "p-ali": (
        1,
        "persons",
        {
            "full_name": "Ali Hassan Al-Tikriti",
            "given_name": "Ali",
            "family_name": "Al-Tikriti",
            "original_script_name": ARABIC_NAME,
            "aliases": ["Abu Hassan", "Ali al-Tikriti", "Abu Ali"],
            "sex": "M",
            "date_of_birth": "1971-03-09",
            "place_of_birth": "Tikrit",
            "country_of_birth": "IQ",
            "nationalities": ["IQ", "JO"],
            "identity_documents": [
                {"number": "A1234567", "document_type": "passport"},
                {"number": "IQ-998877", "document_type": "id"},
            ],
        },
    ),
    "doc-1": (
        3,
        "travel-documents",
        {
            "number": "A1234567",
            "document_type": "passport",
            "issuing_country": "IQ",
            "status": "stolen",
            "holder_name": "Ali Hassan Al-Tikriti",
            "event_date": "2023-11-02",
        },
    ),
    # The holder is defined further down the file: the reader does not look ahead.
    "doc-2": (
        4,
        "travel-documents",
        {"number": "B7654321", "document_type": "passport", "issuing_country": "JO"},
    ),
    "veh-1": (
        5,
        "vehicles",
        {
            "vin": "VF1RJA00X12345678",
            "plate": "AB-123-CD",
            "plate_country": "FR",
            "make": "Renault",
            "model": "Clio",
            "year": 2018,
        },
    ),
    "acct-1": (
        6,
        "assets",
        {
            "asset_type": "bank_account",
            "name": "Commerzbank",
            "iban": "DE89370400440532013000",
            "bank_name": "Commerzbank",
            "registration_number": "0532013000",
        },
    ),
    "co-1": (
        7,
        "assets",
        {
            "asset_type": "company",
            "name": "Tigris Trading FZE",
            "registration_number": "FZE-4411",
            "jurisdiction": "AE",
            "address": "Jebel Ali Free Zone, Dubai",
        },
    ),
    "wallet-1": (
        8,
        "indicators",
        {
            "indicator_type": "crypto_wallet",
            "value": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
            "description": "Collects ransom payments",
        },
    ),
    "p-later": (12, "persons", {"full_name": "Karim Nassar"}),
}


def _read(content: bytes, kind: str | None = None) -> list[ParsedItem]:
    return list(ftm.read(io.BytesIO(content), kind))


def _sample(kind: str | None = None) -> list[ParsedItem]:
    with SAMPLE.open("rb") as stream:
        return list(ftm.read(stream, kind))


def _item(kind: str, data: dict[str, Any], source_id: str | None = None) -> ExportItem:
    stored = KINDS[kind].model_validate(data).model_dump(mode="json", exclude_none=True)
    return ExportItem(uuid.uuid4(), kind, "JO", source_id, stored, UPDATED)


def _export(items: list[ExportItem], kind: str) -> list[dict[str, Any]]:
    stream = io.BytesIO()
    assert ftm.write(items, stream, kind) == len(items)
    return [json.loads(line) for line in stream.getvalue().decode("utf-8").splitlines()]


def _lines(entities: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(entity, ensure_ascii=False) + "\n" for entity in entities).encode()


# --- reading -------------------------------------------------------------------------------


def test_reads_every_mapped_entity_of_the_sample() -> None:
    records = {
        item.source_id: (item.line, item.kind, item.data) for item in _sample() if not item.error
    }
    assert records == SAMPLE_RECORDS


def test_reports_broken_json_and_unknown_schemata_per_line() -> None:
    errors = [
        (item.line, item.source_id, item.error, item.error_field)
        for item in _sample()
        if item.error
    ]
    assert errors == [
        (10, None, "not valid JSON: Expecting ',' delimiter (column 75)", None),
        (11, "ship-1", "unknown FtM schema 'Spaceship'", "schema"),
    ]
    assert all(item.kind is None and not item.data for item in _sample() if item.error)


def test_skips_auxiliary_entities_silently() -> None:
    items = _sample()
    assert 9 not in {item.line for item in items}  # the Ownership
    assert [item.line for item in items] == [1, 3, 4, 5, 6, 7, 8, 10, 11, 12]  # line 2 is blank


def test_kind_filters_records_but_keeps_error_lines() -> None:
    items = _sample("travel-documents")
    assert [(item.line, item.source_id) for item in items] == [
        (3, "doc-1"),
        (4, "doc-2"),
        (10, None),
        (11, "ship-1"),
    ]
    # The holder was resolved although persons were filtered out.
    assert items[0].data["holder_name"] == "Ali Hassan Al-Tikriti"


def test_sample_data_is_accepted_by_the_kind_models() -> None:
    for item in _sample():
        if item.error:
            continue
        if item.source_id == "doc-2":
            with pytest.raises(ValidationError) as caught:
                KINDS[item.kind].model_validate(item.data)
            assert [error["loc"] for error in caught.value.errors()] == [("status",)]
        else:
            assert item.kind is not None
            KINDS[item.kind].model_validate(item.data)


def test_reads_sub_schemata_dates_and_fallbacks() -> None:
    entities = [
        {
            "id": "o",
            "schema": "Organization",
            "properties": {"name": ["Gulf Holding"], "country": ["qa"]},
        },
        {
            "id": "r",
            "schema": "RealEstate",
            "properties": {"name": ["Villa"], "cadastralCode": ["C-77"]},
        },
        {
            "id": "i",
            "schema": "Identification",
            "properties": {
                "number": ["X1"],
                "country": ["zz"],
                "type": ["lost"],
                "date": ["2024-02-03T08:00:00"],
            },
        },
        {
            "id": "s",
            "schema": "Vessel",
            "properties": {"name": ["Ocean Pearl"], "imoNumber": ["IMO 9074729"], "flag": ["pa"]},
        },
        {
            "id": "p",
            "schema": "Person",
            "properties": {"name": ["Ivan"], "gender": ["other"], "birthDate": ["1980"]},
        },
    ]
    data = {item.source_id: item.data for item in _read(_lines(entities))}
    assert data == {
        "o": {"asset_type": "company", "name": "Gulf Holding", "jurisdiction": "QA"},
        "r": {"asset_type": "real_estate", "name": "Villa", "registration_number": "C-77"},
        # A pseudo-country is kept on a required field so that validation names it.
        "i": {
            "number": "X1",
            "document_type": "id_card",
            "issuing_country": "ZZ",
            "status": "lost",
            "event_date": "2024-02-03",
        },
        "s": {
            "asset_type": "vessel",
            "name": "Ocean Pearl",
            "imo_number": "IMO9074729",
            "jurisdiction": "PA",
        },
        "p": {"full_name": "Ivan", "sex": "U", "date_of_birth": "1980"},
    }


@pytest.mark.parametrize(
    "content",
    [
        b"name,date_of_birth\nAli,1971\n",
        b'[{"id": "x", "schema": "Person"}]\n',
        b'{\n  "id": "x",\n  "schema": "Person"\n}\n',
        b'{"type": "bundle", "id": "bundle--1", "objects": []}\n',
    ],
    ids=["csv", "json-array", "pretty-json", "stix-bundle"],
)
def test_a_file_that_is_not_ftm_json_lines_is_refused(content: bytes) -> None:
    with pytest.raises(FormatError, match="not FollowTheMoney JSON lines: line 1"):
        _read(content)


def test_blank_lines_and_byte_order_mark_are_tolerated() -> None:
    content = b"\n\n\xef\xbb\xbf" + _lines(
        [{"id": "p", "schema": "Person", "properties": {"name": ["Ana"]}}]
    )
    assert [(item.line, item.data) for item in _read(content)] == [(3, {"full_name": "Ana"})]
    assert _read(b"") == []


# --- writing -------------------------------------------------------------------------------

PERSON = {
    "full_name": "Ali Hassan Al-Tikriti",
    "given_name": "Ali",
    "family_name": "Al-Tikriti",
    "original_script_name": ARABIC_NAME,
    "aliases": ["Abu Ali"],
    "sex": "M",
    "date_of_birth": "1971-03",
    "place_of_birth": "Tikrit",
    "country_of_birth": "IQ",
    "nationalities": ["IQ", "JO"],
    "identity_documents": [
        {"number": "A1234567", "document_type": "passport", "country": "IQ"},
        {"number": "IQ-998877", "document_type": "id_card"},
    ],
    "distinguishing_marks": "Scar on the left cheek",
}
MISSING = {
    "full_name": "Marie Dubois",
    "sex": "F",
    "date_of_birth": "2009-06-14",
    "nationalities": ["FR"],
    "last_seen_date": "2024-04-30",
    "last_seen_place": "Gare de Lyon, Paris",
    "height_cm": 158,
    "circumstances": "Left school and did not come home",
}
STOLEN_PASSPORT = {
    "number": "P4411223",
    "document_type": "passport",
    "issuing_country": "JO",
    "status": "stolen",
    "holder_name": "Karim Nassar",
    "holder_date_of_birth": "1985-02-11",
    "event_date": "2024-03-01",
    "event_place": "Amman",
}
LOST_ID_CARD = {
    "number": "T22000129",
    "document_type": "id_card",
    "issuing_country": "DE",
    "status": "lost",
}
VEHICLES = [
    {"vin": "WVWZZZ1JZXW000001"},
    {
        "plate": "AB-123-CD",
        "plate_country": "FR",
        "make": "Renault",
        "model": "Clio",
        "colour": "grey",
        "year": 2018,
        "date_stolen": "2024-02-10",
        "place_stolen": "Lyon",
    },
]
ASSETS = [
    {
        "asset_type": "bank_account",
        "name": "Tigris Trading FZE",
        "iban": "DE89370400440532013000",
        "bank_name": "Commerzbank",
        "estimated_value": 125000.0,
        "currency": "EUR",
    },
    {
        "asset_type": "company",
        "name": "Tigris Trading FZE",
        "registration_number": "FZE-4411",
        "jurisdiction": "AE",
        "address": "Jebel Ali Free Zone, Dubai",
    },
    {
        "asset_type": "real_estate",
        "name": "Villa Azur",
        "address": "12 Chemin des Pins, Antibes",
        "registration_number": "AB-0123",
    },
    {"asset_type": "vessel", "name": "Ocean Pearl", "imo_number": "9074729", "jurisdiction": "PA"},
    {
        "asset_type": "other",
        "name": "Diamond necklace",
        "estimated_value": 40000.0,
        "currency": "CHF",
        "description": "Cartier, 1990s",
    },
]
WALLET = {
    "indicator_type": "crypto_wallet",
    "value": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    "description": "Ransom",
}
DOMAIN = {"indicator_type": "domain", "value": "evil.example.com"}


def _check_entities(entities: list[dict[str, Any]]) -> None:
    """Each line is a valid FtM entity whose values the library would not clean further."""
    for entity in entities:
        proxy = model.get_proxy(entity)
        assert proxy.schema.validate(entity) is None  # raises InvalidData when invalid
        assert model.get_proxy(entity, cleaned=False).to_dict() == entity
        assert proxy.id is not None and proxy.id.startswith("interlink-")
        assert proxy.get("publisher") == ["JO"]


def test_writes_persons_and_reads_them_back() -> None:
    item = _item("persons", PERSON, source_id="JO-NCB-17")
    entities = _export([item], "persons")
    _check_entities(entities)
    assert entities[0]["id"] == f"interlink-{item.id}"
    assert "recordId" not in entities[0]["properties"]  # a Person has no such property
    assert entities[0]["properties"]["name"] == ["Ali Hassan Al-Tikriti", ARABIC_NAME]
    [back] = _read(_lines(entities))
    assert (back.kind, back.source_id) == ("persons", f"interlink-{item.id}")
    assert back.data == {
        **{key: value for key, value in PERSON.items() if key != "identity_documents"},
        "identity_documents": [
            {"number": "A1234567", "document_type": "passport"},
            {"number": "IQ-998877", "document_type": "id"},
        ],
    }


def test_writes_missing_persons_as_person_entities() -> None:
    entities = _export([_item("missing-persons", MISSING)], "missing-persons")
    _check_entities(entities)
    properties = entities[0]["properties"]
    assert properties["description"] == [
        "Reported missing; last seen 2024-04-30, Gare de Lyon, Paris"
    ]
    assert properties["notes"] == ["Left school and did not come home"]
    assert "topics" not in properties  # FtM has no topic for missing people
    [back] = _read(_lines(entities), "missing-persons")
    assert back.kind == "missing-persons"
    last_seen = ("last_seen_date", "last_seen_place")  # only in the description text
    assert back.data == {key: value for key, value in MISSING.items() if key not in last_seen}
    MissingPersonData.model_validate(back.data)
    # Without the user's choice of kind, a Person is a person.
    [plain] = _read(_lines(entities))
    assert plain.kind == "persons"
    assert plain.data == {
        "full_name": "Marie Dubois",
        "sex": "F",
        "date_of_birth": "2009-06-14",
        "nationalities": ["FR"],
    }


def test_writes_travel_documents_with_their_holder_first() -> None:
    passport = _item("travel-documents", STOLEN_PASSPORT, source_id="JO-SLTD-77")
    id_card = _item("travel-documents", LOST_ID_CARD)
    entities = _export([passport, id_card], "travel-documents")
    _check_entities(entities)
    assert [entity["schema"] for entity in entities] == ["Person", "Passport", "Identification"]
    assert entities[0]["id"] == f"interlink-{passport.id}-holder"
    assert entities[1]["properties"]["holder"] == [entities[0]["id"]]
    assert entities[1]["properties"]["recordId"] == ["JO-SLTD-77"]
    back = _read(_lines(entities), "travel-documents")
    assert [item.data for item in back] == [
        {key: value for key, value in STOLEN_PASSPORT.items() if key != "event_place"},
        LOST_ID_CARD,
    ]


def test_writes_vehicles_and_reads_them_back() -> None:
    entities = _export([_item("vehicles", vehicle) for vehicle in VEHICLES], "vehicles")
    _check_entities(entities)
    assert entities[1]["properties"]["description"] == [
        "colour: grey; stolen on: 2024-02-10; in: Lyon"
    ]
    back = [item.data for item in _read(_lines(entities))]
    assert back == [
        {"vin": "WVWZZZ1JZXW000001"},
        {
            "plate": "AB-123-CD",
            "plate_country": "FR",
            "make": "Renault",
            "model": "Clio",
            "year": 2018,
        },
    ]


def test_writes_assets_by_type_and_reads_them_back() -> None:
    entities = _export([_item("assets", asset) for asset in ASSETS], "assets")
    _check_entities(entities)
    schemata = [entity["schema"] for entity in entities]
    assert schemata == ["BankAccount", "Company", "RealEstate", "Vessel", "Asset"]
    back = [item.data for item in _read(_lines(entities))]
    assert back[:3] == ASSETS[:3]
    assert back[3] == {**ASSETS[3], "imo_number": "IMO9074729"}  # FtM's form; the kind compacts it
    assert back[4] == ASSETS[4]
    for data in back:
        KINDS["assets"].model_validate(data)


def test_a_vehicle_asset_comes_back_as_a_vehicle() -> None:
    asset = {
        "asset_type": "vehicle",
        "name": "Porsche Cayenne",
        "registration_number": "M-AB-1234",
        "jurisdiction": "DE",
    }
    entities = _export([_item("assets", asset)], "assets")
    _check_entities(entities)
    [back] = _read(_lines(entities))
    assert (back.kind, back.data) == ("vehicles", {"plate": "M-AB-1234", "plate_country": "DE"})


def test_writes_crypto_wallets_only() -> None:
    stream = io.BytesIO()
    written = ftm.write(
        [_item("indicators", WALLET), _item("indicators", DOMAIN)], stream, "indicators"
    )
    assert written == 1
    entities = [json.loads(line) for line in stream.getvalue().splitlines()]
    _check_entities(entities)
    [back] = _read(_lines(entities))
    assert (back.kind, back.data) == ("indicators", WALLET)


def test_output_is_utf8_json_lines() -> None:
    stream = io.BytesIO()
    ftm.write([_item("persons", PERSON)], stream, "persons")
    text = stream.getvalue().decode("utf-8")
    assert ARABIC_NAME in text and text.endswith("\n") and text.count("\n") == 1


@pytest.mark.parametrize("kind", ["artworks", "firearms", "unidentified-bodies"])
def test_kinds_without_an_ftm_schema_are_refused(kind: str) -> None:
    with pytest.raises(FormatError, match=f"FollowTheMoney has no schema for {kind}"):
        ftm.write([], io.BytesIO(), kind)
    with pytest.raises(FormatError, match=f"FollowTheMoney has no schema for {kind}"):
        _read(SAMPLE.read_bytes(), kind)
