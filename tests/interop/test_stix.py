"""STIX 2.1: export validated by the stix2 library, round trip, pattern mapping, errors."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import stix2

from interlink.interop import stix
from interlink.interop.base import ExportItem, FormatError, ParsedItem
from interlink.records.kinds.indicators import IndicatorData, IndicatorType

DATA = Path(__file__).parent / "data"
UPDATED = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

EXAMPLES: dict[str, dict[str, Any]] = {
    "domain": {"value": "evil.example.com", "first_seen": "2024-01-02", "last_seen": "2024-03-04"},
    "url": {"value": "https://x.example/it's\\here", "description": "Phishing page"},
    "ipv4": {"value": "192.0.2.1", "first_seen": "2023", "last_seen": "2024-02"},
    "ipv6": {"value": "2001:db8::1", "last_seen": "2024-04-30"},
    "md5": {"value": MD5, "related_case": "FR-2024-7"},
    "sha1": {"value": SHA1, "first_seen": "2024-01"},
    "sha256": {"value": SHA256.upper()},
    "email": {"value": "scam@example.org", "first_seen": "2024-04-01", "last_seen": "2024-04-01"},
    "crypto_wallet": {"value": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"},
}


def _record(indicator_type: str, **fields: Any) -> IndicatorData:
    return IndicatorData.model_validate({"indicator_type": indicator_type, **fields})


def _item(record: IndicatorData, owner: str = "FR") -> ExportItem:
    data = record.model_dump(mode="json", exclude_none=True)
    return ExportItem(uuid.uuid4(), "indicators", owner, None, data, UPDATED)


def _export(items: list[ExportItem]) -> bytes:
    stream = io.BytesIO()
    assert stix.write(items, stream, "indicators") == len(items)
    return stream.getvalue()


def _read(content: bytes | dict[str, Any], kind: str | None = None) -> list[ParsedItem]:
    raw = json.dumps(content).encode() if isinstance(content, dict) else content
    return list(stix.read(io.BytesIO(raw), kind))


def _bundle(*objects: Any) -> dict[str, Any]:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}


def _indicator(pattern: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2024-01-10T08:00:00.000Z",
        "modified": "2024-01-10T08:00:00.000Z",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2024-01-09T13:45:00Z",
        **extra,
    }


def test_examples_cover_every_indicator_type() -> None:
    assert set(EXAMPLES) == {member.value for member in IndicatorType}


def test_export_is_a_valid_stix_bundle() -> None:
    items = [_item(_record(kind, **fields)) for kind, fields in EXAMPLES.items()]

    bundle = stix2.parse(_export(items).decode("utf-8"), allow_custom=True)

    assert isinstance(bundle, stix2.v21.Bundle)
    assert len(bundle.objects) == len(items)
    for item, indicator in zip(items, bundle.objects, strict=True):
        assert isinstance(indicator, stix2.v21.Indicator)
        assert indicator.id == f"indicator--{item.id}"
        assert indicator.pattern_type == "stix"
        assert indicator.x_interlink_record_id == str(item.id)
        assert indicator.x_interlink_owner == "FR"
    assert bundle.objects[4].x_interlink_related_case == "FR-2024-7"
    assert bundle.objects[0].pattern == "[domain-name:value = 'evil.example.com']"
    assert bundle.objects[1].pattern == "[url:value = 'https://x.example/it\\'s\\\\here']"
    assert bundle.objects[6].pattern.startswith("[file:hashes.'SHA-256' = ")


def test_export_dates() -> None:
    items = [_item(_record(kind, **fields)) for kind, fields in EXAMPLES.items()]
    domain, url, ipv4, ipv6 = stix2.parse(_export(items), allow_custom=True).objects[:4]

    assert domain.valid_from == datetime(2024, 1, 2, tzinfo=UTC)
    assert domain.valid_until == datetime(2024, 3, 4, 23, 59, 59, tzinfo=UTC)
    assert url.valid_from == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)  # updated_at
    assert "valid_until" not in url
    assert ipv4.valid_from == datetime(2023, 1, 1, tzinfo=UTC)
    assert ipv4.valid_until == datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)
    # No first_seen and a last_seen before updated_at: valid_from must stay before it.
    assert ipv6.valid_from == datetime(2024, 4, 30, tzinfo=UTC)


def test_export_is_stable() -> None:
    items = [_item(_record(kind, **fields)) for kind, fields in EXAMPLES.items()]

    first, second = json.loads(_export(items)), json.loads(_export(items))

    assert first["objects"] == second["objects"]


def test_round_trip() -> None:
    records = [_record(kind, **fields) for kind, fields in EXAMPLES.items()]
    items = [_item(record) for record in records]

    parsed = _read(_export(items))

    assert [item.source_id for item in parsed] == [f"indicator--{item.id}" for item in items]
    assert [item.line for item in parsed] == list(range(1, len(items) + 1))
    for record, item in zip(records, parsed, strict=True):
        assert item.error is None
        assert item.kind == "indicators"
        assert IndicatorData.model_validate(item.data) == record


def test_round_trip_without_dates_invents_none() -> None:
    parsed = _read(_export([_item(_record("domain", value="quiet.example.com"))]))

    assert parsed[0].data == {"indicator_type": "domain", "value": "quiet.example.com"}


def test_sample_bundle() -> None:
    parsed = _read((DATA / "indicators.stix.json").read_bytes())

    assert [item.line for item in parsed] == [2, 3, 4, 5, 6, 7]  # identity, relationship skipped
    url, sha256, compound, md5, wallet, domain = parsed
    assert url.source_id == "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
    assert url.data == {
        "indicator_type": "url",
        "value": "https://login.example.net/verify?id=1",
        "first_seen": "2024-01-09",
        "last_seen": "2024-01-20",
        "description": "Phishing kit landing page",
        "related_case": "FR-2024-0042",
    }
    assert sha256.data["indicator_type"] == "sha256"
    assert sha256.data["description"] == "Dropper seen in the January campaign"
    assert compound.error is not None
    assert compound.error.startswith("unsupported STIX pattern: ")
    assert compound.error_field == "pattern"
    assert compound.source_id == "indicator--0f4b7a52-5a47-4a36-a4b9-1d3a5f0b1c2e"
    # first_seen / last_seen, when present, say more than valid_from.
    assert (md5.data["first_seen"], md5.data["last_seen"]) == ("2023-12-24", "2024-01-02")
    assert wallet.data["indicator_type"] == "crypto_wallet"
    assert domain.source_id == "domain-name--3c10e5a3-9d2b-5a0b-9a64-3d6e1a1b2f01"
    assert domain.data == {"indicator_type": "domain", "value": "malware-drop.example.com"}
    for item in (url, sha256, md5, wallet, domain):
        IndicatorData.model_validate(item.data)


@pytest.mark.parametrize(
    ("pattern", "indicator_type", "value"),
    [
        ("[domain-name:value = 'example.com']", "domain", "example.com"),
        ("[url:value = 'http://a.example/x']", "url", "http://a.example/x"),
        ("[ipv4-addr:value = '198.51.100.7']", "ipv4", "198.51.100.7"),
        ("[ipv6-addr:value = '2001:db8::2']", "ipv6", "2001:db8::2"),
        ("[email-addr:value = 'a@example.org']", "email", "a@example.org"),
        (f"[file:hashes.MD5 = '{MD5}']", "md5", MD5),
        (f"[file:hashes.'MD5' = '{MD5}']", "md5", MD5),
        (f"[file:hashes.'SHA-1' = '{SHA1}']", "sha1", SHA1),
        (f"[file:hashes.SHA1 = '{SHA1}']", "sha1", SHA1),
        (f"[file:hashes.'SHA-256' = '{SHA256}']", "sha256", SHA256),
        (f"[file:hashes.SHA256 = '{SHA256}']", "sha256", SHA256),
        ("[x-crypto-wallet:value = 'w1']", "crypto_wallet", "w1"),
        ("[x-cryptocurrency-wallet:address = 'w2']", "crypto_wallet", "w2"),
        ("([domain-name:value = 'paren.example'])", "domain", "paren.example"),
        ("[url:value = 'http://q.example/\\'\\\\']", "url", "http://q.example/'\\"),
    ],
)
def test_simple_patterns(pattern: str, indicator_type: str, value: str) -> None:
    (item,) = _read(_bundle(_indicator(pattern)))

    assert item.error is None
    assert item.data["indicator_type"] == indicator_type
    assert item.data["value"] == value


@pytest.mark.parametrize(
    "pattern",
    [
        "[ipv4-addr:value = '198.51.100.7' OR ipv4-addr:value = '198.51.100.8']",
        "[ipv4-addr:value = '198.51.100.7'] OR [ipv4-addr:value = '198.51.100.8']",
        "[ipv4-addr:value = '198.51.100.7'] WITHIN 60 SECONDS",
        "[ipv4-addr:value != '198.51.100.7']",
        "[domain-name:value MATCHES '^evil']",
        "[file:name = 'dropper.exe']",
        f"[file:hashes.'SHA-512' = '{'0' * 128}']",
        "[network-traffic:dst_port = 443]",
    ],
)
def test_unsupported_patterns_are_reported(pattern: str) -> None:
    (item,) = _read(_bundle(_indicator(pattern)))

    assert item.error == f"unsupported STIX pattern: {pattern}"
    assert item.error_field == "pattern"


def test_other_pattern_languages_are_reported() -> None:
    (item,) = _read(_bundle(_indicator("rule x { condition: true }", pattern_type="yara")))

    assert item.error_field == "pattern_type"
    assert item.error is not None and "yara" in item.error


def test_invalid_objects_are_reported_and_the_rest_read() -> None:
    broken = _indicator("[domain-name:value = 'a.example'")  # unbalanced bracket
    bad_date = _indicator("[domain-name:value = 'b.example']", valid_from="yesterday")
    good = _indicator("[domain-name:value = 'c.example']")

    bad_pattern, wrong_date, ok, not_object = _read(
        _bundle(broken, bad_date, good, "not an object")
    )

    assert bad_pattern.error is not None and bad_pattern.error_field == "pattern"
    assert wrong_date.error is not None and wrong_date.error_field == "valid_from"
    assert ok.error is None and ok.data["value"] == "c.example"
    assert not_object.error is not None and not_object.line == 4


def test_missing_valid_from_invents_no_first_seen() -> None:
    indicator = _indicator("[domain-name:value = 'b.example']")
    del indicator["valid_from"]

    (item,) = _read(_bundle(indicator))

    assert item.data == {"indicator_type": "domain", "value": "b.example"}


def test_observables() -> None:
    file_object = {
        "type": "file",
        "spec_version": "2.1",
        "id": "file--4b2a4e8a-7f0c-5d1a-9f6d-0e2c1b3a4d5e",
        "hashes": {"MD5": "d41d8cd98f00b204e9800998ecf8427e", "SHA-256": "e3b0" + "0" * 60},
    }
    address = {"type": "ipv6-addr", "id": "ipv6-addr--1b2a4e8a-7f0c-5d1a-9f6d-0e2c1b3a4d5e"}
    address["value"] = "2001:db8::3"
    unhashed = {
        "type": "file",
        "id": "file--5b2a4e8a-7f0c-5d1a-9f6d-0e2c1b3a4d5e",
        "name": "notes.txt",
    }

    sha256, ipv6, nothing = _read(_bundle(file_object, address, unhashed))

    assert sha256.data == {"indicator_type": "sha256", "value": "e3b0" + "0" * 60}
    assert sha256.source_id == file_object["id"]
    assert ipv6.data == {"indicator_type": "ipv6", "value": "2001:db8::3"}
    assert nothing.error_field == "hashes"


def test_valid_until_in_the_future_is_no_last_seen() -> None:
    (item,) = _read(
        _bundle(_indicator("[url:value = 'http://x.example']", valid_until="2099-12-31T00:00:00Z"))
    )

    assert "last_seen" not in item.data


def test_another_kind_reads_nothing() -> None:
    assert _read((DATA / "indicators.stix.json").read_bytes(), kind="persons") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not a JSON document"),
        (b"\xff\xfe\x00garbage", "not a JSON document"),
        (b'{"type": "indicator", "id": "indicator--1"}', "not a STIX bundle"),
        (b"[1, 2]", "not a STIX bundle"),
        (b'{"type": "bundle", "objects": {}}', "is not a list"),
    ],
)
def test_not_a_bundle(content: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        _read(content)


def test_write_refuses_other_kinds() -> None:
    with pytest.raises(FormatError, match="indicators"):
        stix.write([], io.BytesIO(), "persons")


def test_write_nothing_is_an_empty_bundle() -> None:
    stream = io.BytesIO()

    assert stix.write([], stream, "indicators") == 0
    assert _read(stream.getvalue()) == []
