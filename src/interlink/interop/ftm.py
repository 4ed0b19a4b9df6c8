"""FollowTheMoney (FtM) JSON lines: the entity format of Aleph, OpenSanctions and the ``ftm`` tools.

This module owns the mapping between FtM schemata and Interlink's record kinds, both ways.
Sanctions lists and investigation extracts arrive as FtM; reading them lets a bureau load
persons, documents, vehicles, assets and wallets without hand conversion, and writing them
lets partners load our records into their own FtM tooling. The ``followthemoney`` library
parses and cleans every value, so that we follow its model rather than our guess of it.

FtM has no schema for works of art, firearms or unidentified bodies; those kinds are refused.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import pycountry
from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema

from interlink.interop.base import ExportItem, FormatError, ParsedItem
from interlink.records.kinds.documents import DocumentStatus, DocumentType

__all__ = ["read", "write"]

Data = dict[str, Any]

_SEX = {"male": "M", "female": "F", "other": "U"}
_GENDER = {code: gender for gender, code in _SEX.items()}
_STATUSES = frozenset(status.value for status in DocumentStatus)
_DOCUMENT_TYPES = frozenset(doc_type.value for doc_type in DocumentType)
_READ_KINDS = ("persons", "missing-persons", "travel-documents", "vehicles", "assets", "indicators")
_NAME_FIELDS = ("full_name", "given_name", "family_name", "original_script_name", "sex")
# FtM has no VIN property; the writer puts it in the description, the reader finds it there.
_VIN = re.compile(r"\bVIN:\s*([A-Za-z0-9]+)")

# Asset fields -> FtM properties, read in this order; the first is the one written.
_ASSET_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "registration_number": ("registrationNumber",),
    "jurisdiction": ("country",),
    "address": ("address",),
    "description": ("description",),
    "estimated_value": ("amount",),
    "currency": ("currency",),
}
# asset_type -> (schema written, where its fields differ from _ASSET_FIELDS).
_ASSETS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "vessel": ("Vessel", {"imo_number": ("imoNumber",), "jurisdiction": ("flag", "country")}),
    "bank_account": (
        "BankAccount",
        {
            "name": ("name", "bankName", "iban"),
            "iban": ("iban",),
            "bank_name": ("bankName",),
            "registration_number": ("accountNumber",),
        },
    ),
    "company": ("Company", {"jurisdiction": ("jurisdiction", "country")}),
    "real_estate": (
        "RealEstate",
        {
            "name": ("name", "address"),
            "registration_number": ("registrationNumber", "cadastralCode"),
        },
    ),
    "vehicle": ("Vehicle", {}),
    "other": ("Asset", {}),
}
# Read in this order (is_a); Person is matched before, so LegalEntity means an organisation.
_ASSET_SCHEMATA = (
    ("Vessel", "vessel"),
    ("Airplane", "other"),
    ("Security", "other"),
    ("BankAccount", "bank_account"),
    ("RealEstate", "real_estate"),
    ("LegalEntity", "company"),
)
# Person and missing-person fields -> FtM Person properties, for writing (absent ones skip).
_PERSON_PROPS = {
    "full_name": "name",
    "original_script_name": "name",
    "given_name": "firstName",
    "family_name": "lastName",
    "aliases": "alias",
    "date_of_birth": "birthDate",
    "place_of_birth": "birthPlace",
    "country_of_birth": "birthCountry",
    "nationalities": "nationality",
    "distinguishing_marks": "appearance",
    "physical_description": "appearance",
    "circumstances": "notes",
    "height_cm": "height",
    "weight_kg": "weight",
}
_VEHICLE_PROPS = {
    "plate": "registrationNumber",
    "plate_country": "country",
    "model": "model",
    "make": "type",
    "year": "buildDate",
}
_VEHICLE_NOTES = {
    "vin": "VIN",
    "colour": "colour",
    "date_stolen": "stolen on",
    "place_stolen": "in",
}


# --- reading -----------------------------------------------------------------------------


def _values(proxy: EntityProxy, *props: str) -> list[str]:
    return [value for prop in props for value in proxy.get(prop, quiet=True)]


def _first(proxy: EntityProxy, *props: str) -> str | None:
    return next(iter(_values(proxy, *props)), None)


def _unique(values: Iterable[str], exclude: Iterable[str | None] = ()) -> list[str]:
    skip = set(exclude)
    return [value for value in dict.fromkeys(values) if value not in skip]


def _iso_countries(proxy: EntityProxy, *props: str) -> list[str]:
    # FtM also knows historic and pseudo-countries ("suhh", "zz"); the kinds take ISO only.
    codes = (value.upper() for value in _values(proxy, *props))
    return _unique(c for c in codes if len(c) == 2 and pycountry.countries.get(alpha_2=c))


def _country(proxy: EntityProxy, *props: str) -> str | None:
    return next(iter(_iso_countries(proxy, *props)), None)


def _date(proxy: EntityProxy, *props: str) -> str | None:
    value = _first(proxy, *props)
    return value[:10] if value else None


class _BadValue(ValueError):
    """A property value the kind cannot take (the line becomes an error item)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _number(value: str | None, prop: str, field: str) -> float | None:
    """A numeric property (FtM does not clean amounts, heights, weights) as a float."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise _BadValue(field, f"{prop}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise _BadValue(field, f"{prop}: {value!r} is not a finite number")
    return number


def _non_latin(text: str) -> bool:
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def _person(proxy: EntityProxy) -> Data:
    names = _values(proxy, "name")
    full_name = names[0] if names else None
    script_name = next((name for name in names if _non_latin(name)), None)
    others = [*names[1:], *_values(proxy, "alias", "weakAlias", "previousName")]
    documents = [
        {"number": number, "document_type": doc_type}
        for prop, doc_type in (("passportNumber", "passport"), ("idNumber", "id"))
        for number in _values(proxy, prop)
    ]
    return {
        "full_name": full_name,
        "given_name": _first(proxy, "firstName"),
        "family_name": _first(proxy, "lastName"),
        "original_script_name": script_name,
        "aliases": _unique(others, exclude=(full_name, script_name)),
        "sex": _SEX.get(_first(proxy, "gender") or ""),
        "date_of_birth": _date(proxy, "birthDate"),
        "place_of_birth": _first(proxy, "birthPlace"),
        "country_of_birth": _country(proxy, "birthCountry"),
        "nationalities": _iso_countries(proxy, "nationality", "citizenship"),
        "identity_documents": documents,
        "distinguishing_marks": _first(proxy, "appearance"),
    }


def _missing(proxy: EntityProxy) -> Data:
    """A Person read as a missing person, when the user imports the file as that kind."""
    person = _person(proxy)
    height = _number(_first(proxy, "height"), "height", "height_cm")
    weight = _number(_first(proxy, "weight"), "weight", "weight_kg")
    return {
        **{field: person[field] for field in _NAME_FIELDS},
        "date_of_birth": person["date_of_birth"],
        "nationalities": person["nationalities"],
        "circumstances": _first(proxy, "notes"),
        "physical_description": _first(proxy, "appearance"),
        "height_cm": round(height) if height is not None else None,
        "weight_kg": round(weight) if weight is not None else None,
    }


def _document(proxy: EntityProxy, holders: dict[str, str]) -> Data:
    stated_type = _first(proxy, "type")
    if proxy.schema.is_a("Passport"):
        doc_type = "passport"
    else:
        doc_type = stated_type if stated_type in _DOCUMENT_TYPES else "id_card"
    texts = (text.strip().lower() for text in _values(proxy, "summary", "description", "type"))
    raw_country = _first(proxy, "country")
    return {
        "number": _first(proxy, "number", "passportNumber"),
        "document_type": doc_type,
        # An unknown code is kept (not dropped) so that validation names it.
        "issuing_country": _country(proxy, "country") or (raw_country and raw_country.upper()),
        "status": next((text for text in texts if text in _STATUSES), None),
        "holder_name": next(
            (holders[ref] for ref in _values(proxy, "holder") if ref in holders), None
        ),
        "holder_date_of_birth": _date(proxy, "birthDate"),
        "event_date": _date(proxy, "startDate", "date"),
    }


def _vehicle(proxy: EntityProxy) -> Data:
    year = _first(proxy, "buildDate")
    vin = next((m.group(1) for t in _values(proxy, "description") if (m := _VIN.search(t))), None)
    return {
        "vin": vin,
        "plate": _first(proxy, "registrationNumber"),
        "plate_country": _country(proxy, "country"),
        "make": _first(proxy, "type"),
        "model": _first(proxy, "model"),
        "year": int(year[:4]) if year and year[:4].isdigit() else None,
    }


def _asset_type(schema: Schema) -> str | None:
    if schema.name == "Asset":
        return "other"
    return next((asset_type for name, asset_type in _ASSET_SCHEMATA if schema.is_a(name)), None)


def _asset(proxy: EntityProxy, asset_type: str) -> Data:
    data: Data = {"asset_type": asset_type}
    for field, props in {**_ASSET_FIELDS, **_ASSETS[asset_type][1]}.items():
        data[field] = _country(proxy, *props) if field == "jurisdiction" else _first(proxy, *props)
    if data["estimated_value"] and data["currency"]:
        data["estimated_value"] = _number(data["estimated_value"], "amount", "estimated_value")
    else:
        data["estimated_value"] = data["currency"] = None
    return data


def _wallet(proxy: EntityProxy) -> Data:
    return {
        "indicator_type": "crypto_wallet",
        "value": _first(proxy, "publicKey", "cryptoAddress"),
        "description": _first(proxy, "description"),
    }


def _map(proxy: EntityProxy, holders: dict[str, str], missing: bool) -> tuple[str, Data] | None:
    schema = proxy.schema
    if schema.is_a("Person"):
        return ("missing-persons", _missing(proxy)) if missing else ("persons", _person(proxy))
    if schema.is_a("Identification"):
        return "travel-documents", _document(proxy, holders)
    if asset_type := _asset_type(schema):
        return "assets", _asset(proxy, asset_type)
    if schema.is_a("Vehicle"):
        return "vehicles", _vehicle(proxy)
    if schema.is_a("CryptoWallet"):
        return "indicators", _wallet(proxy)
    return None


def _compact(data: Data) -> Data:
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _load(raw: bytes) -> dict[str, Any]:
    """The entity object of a line; ``ValueError`` if the line is not one."""
    try:
        data = json.loads(raw.strip())
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if not isinstance(data.get("schema"), str):
        raise ValueError("entity has no schema")
    return data


def _item(line: int, data: Data, holders: dict[str, str], missing: bool) -> ParsedItem | None:
    def error(message: str, field: str | None = None) -> ParsedItem:
        source_id = data["id"] if isinstance(data.get("id"), str) else None
        return ParsedItem(line, None, source_id, error=message, error_field=field)

    if model.get(data["schema"]) is None:
        return error(f"unknown FtM schema {data['schema']!r}", "schema")
    try:
        proxy = model.get_proxy(data, cleaned=False)
    except InvalidData as exc:
        return error(f"not a valid FtM entity: {exc}")
    try:
        mapped = _map(proxy, holders, missing)
    except _BadValue as exc:
        return error(str(exc), exc.field)
    if mapped is None:
        return None
    kind, values = mapped
    values = _compact(values)
    if proxy.schema.is_a("Person") and proxy.id:
        holders[proxy.id] = values.get("full_name") or values.get("original_script_name", "")
    return ParsedItem(line=line, kind=kind, source_id=proxy.id, data=values)


def read(stream: IO[bytes], kind: str | None) -> Iterator[ParsedItem]:
    """The records in an FtM JSON lines file, one item per mapped entity or broken line.

    Entities of other schemata (Ownership, Sanction, Address, ...) are skipped silently.
    With ``kind``, only records of that kind are yielded, and every error item (a broken
    line has no kind); ``missing-persons`` reads Person entities as missing persons.
    Document holders are resolved from Person entities earlier in the file.
    """
    if kind is not None and kind not in _READ_KINDS:
        raise FormatError(f"FollowTheMoney has no schema for {kind}")
    holders: dict[str, str] = {}
    first = True
    for line, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            data = _load(raw)
        except ValueError as exc:
            if first:
                raise FormatError(f"not FollowTheMoney JSON lines: line {line}: {exc}") from None
            yield ParsedItem(line=line, kind=None, source_id=None, error=str(exc))
            continue
        first = False
        item = _item(line, data, holders, kind == "missing-persons")
        if item is not None and (kind is None or item.error or item.kind == kind):
            yield item


# --- writing -----------------------------------------------------------------------------


def _entity(schema: str, item: ExportItem, suffix: str = "") -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = f"interlink-{item.id}{suffix}"
    proxy.add("publisher", item.owner)
    proxy.add("modifiedAt", item.updated_at)
    if item.source_id and proxy.schema.get("recordId") is not None:
        proxy.add("recordId", item.source_id)
    return proxy


def _put(proxy: EntityProxy, props: dict[str, str], data: Data) -> None:
    for field, prop in props.items():
        value = data.get(field)
        proxy.add(prop, str(value) if isinstance(value, int | float) else value)


def _write_person(item: ExportItem) -> list[EntityProxy]:
    """A Person from a person or a missing person (FtM has no topic for the missing)."""
    data = item.data
    person = _entity("Person", item)
    if not data.get("full_name"):
        person.add(
            "name", " ".join(filter(None, (data.get("given_name"), data.get("family_name"))))
        )
    _put(person, _PERSON_PROPS, data)
    person.add("gender", _GENDER.get(data.get("sex") or ""))
    for document in data.get("identity_documents", []):
        is_passport = (document.get("document_type") or "").lower() == "passport"
        person.add("passportNumber" if is_passport else "idNumber", document["number"])
    if item.kind == "missing-persons":
        seen = (data.get(key) for key in ("last_seen_date", "last_seen_place", "last_seen_country"))
        last_seen = ", ".join(filter(None, seen))
        person.add("description", f"Reported missing; last seen {last_seen or 'unknown'}")
    return [person]


def _write_document(item: ExportItem) -> list[EntityProxy]:
    data = item.data
    is_passport = data.get("document_type") == "passport"
    document = _entity("Passport" if is_passport else "Identification", item)
    _put(document, {"number": "number", "issuing_country": "country", "status": "summary"}, data)
    _put(document, {"event_date": "date"}, data)
    if is_passport:
        document.add("birthDate", data.get("holder_date_of_birth"))
    else:
        document.add("type", data.get("document_type"))
    if data.get("event_place"):
        document.add("description", f"Event place: {data['event_place']}")
    if not data.get("holder_name"):
        return [document]
    # FtM links a document to its holder entity; written first so readers can resolve it.
    holder = _entity("Person", item, "-holder")
    holder.add("name", data["holder_name"])
    holder.add("birthDate", data.get("holder_date_of_birth"))
    document.add("holder", holder.id)
    return [holder, document]


def _write_vehicle(item: ExportItem) -> list[EntityProxy]:
    data = item.data
    vehicle = _entity("Vehicle", item)
    _put(vehicle, _VEHICLE_PROPS, data)
    vehicle.add("name", " ".join(filter(None, (data.get("make"), data.get("model")))) or None)
    notes = [
        f"{label}: {data[field]}" for field, label in _VEHICLE_NOTES.items() if data.get(field)
    ]
    vehicle.add("description", "; ".join(notes) or None)
    return [vehicle]


def _write_asset(item: ExportItem) -> list[EntityProxy]:
    schema, fields = _ASSETS[item.data["asset_type"]]
    asset = _entity(schema, item)
    props = {field: names[0] for field, names in {**_ASSET_FIELDS, **fields}.items()}
    # The generic Asset schema has no registrationNumber: that field is dropped there.
    _put(asset, {f: p for f, p in props.items() if asset.schema.get(p) is not None}, item.data)
    return [asset]


def _write_indicator(item: ExportItem) -> list[EntityProxy]:
    if item.data.get("indicator_type") != "crypto_wallet":
        return []  # FtM has no schema for domains, URLs, addresses or hashes
    wallet = _entity("CryptoWallet", item)
    _put(wallet, {"value": "publicKey", "description": "description"}, item.data)
    return [wallet]


_WRITERS: dict[str, Callable[[ExportItem], list[EntityProxy]]] = {
    "persons": _write_person,
    "missing-persons": _write_person,
    "travel-documents": _write_document,
    "vehicles": _write_vehicle,
    "assets": _write_asset,
    "indicators": _write_indicator,
}


def write(items: Iterable[ExportItem], stream: IO[bytes], kind: str) -> int:
    """Write the items as FtM JSON lines; return how many records were written.

    A travel document with a holder name becomes two entities (the holder Person, then the
    document). Indicators other than crypto wallets are skipped and not counted.
    """
    writer = _WRITERS.get(kind)
    if writer is None:
        raise FormatError(f"FollowTheMoney has no schema for {kind}")
    count = 0
    for item in items:
        entities = writer(item)
        for proxy in entities:
            line = json.dumps(proxy.to_dict(), ensure_ascii=False) + "\n"
            stream.write(line.encode("utf-8"))
        count += bool(entities)
    return count
