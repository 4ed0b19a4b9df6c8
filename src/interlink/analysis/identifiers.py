"""The identifiers a record holds that another bureau's record may share: document
numbers, phones, e-mail addresses, vehicle VINs, firearm serials, bank accounts (IBAN),
ship IMO numbers, crypto wallets, domains, IP addresses and postal addresses.

Each is brought to one written form (a phone to E.164 with ``phonenumbers``, a document
number to its letters and digits, an address folded and its spacing collapsed), so two
records that write the same identifier differently still share it. Pure functions: no
database, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers

from interlink.records.kinds import fold

__all__ = ["Identifier", "record_identifiers"]

_ALNUM = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True)
class Identifier:
    type: str
    """document, phone, email, vin, serial, iban, imo, wallet, domain, ip, address; and
    born (a person's whole date of birth: candidates for the same person)"""
    value: str
    """The one written form two records are compared by."""
    shown: str
    """As the record wrote it."""


def _compact(text: str) -> str:
    return _ALNUM.sub("", text.upper())


def _phone(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, None)  # international numbers only (+33 ...)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _address(text: str) -> str | None:
    folded = " ".join(fold(text).split())
    return folded if len(folded) >= 10 else None  # "Paris" is a place, not an address


def _made(kind: str, text: Any) -> Identifier | None:
    if not isinstance(text, str) or not text.strip():
        return None
    shown = text.strip()
    if kind == "phone":
        value = _phone(shown)
    elif kind == "email":
        value = shown.lower() if "@" in shown else None
    elif kind == "address":
        value = _address(shown)
    elif kind in ("domain", "ip", "wallet"):
        value = shown.lower()
    elif kind == "born":
        value = shown if len(shown) == 10 else None  # a whole date (1971-03-09) only
    else:  # document, vin, serial, iban, imo: letters and digits only
        value = _compact(shown) or None
        if value is not None and len(value) < 5:  # too short to tell records apart
            value = None
    return Identifier(kind, value[:200], shown[:200]) if value else None


_INDICATORS = {"email": "email", "crypto_wallet": "wallet", "domain": "domain",
               "ipv4": "ip", "ipv6": "ip"}  # fmt: skip


def _raw(kind: str, data: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(identifier type, text) for each identifier a record of ``kind`` writes."""
    if kind in ("persons", "missing-persons"):
        # Not an identifier but where to look for the same person: those born the same
        # day, whom the screening engine then compares (``derive``).
        yield "born", data.get("date_of_birth")
        for document in data.get("identity_documents") or []:
            yield "document", (document or {}).get("number")
        for name, kind_of in (("phones", "phone"), ("emails", "email"), ("addresses", "address")):
            for text in data.get(name) or []:
                yield kind_of, text
    elif kind == "travel-documents":
        yield "document", data.get("number")
    elif kind == "vehicles":
        yield "vin", data.get("vin")
    elif kind == "firearms":
        serial = data.get("serial_number")
        make = str(data.get("make") or "")
        # The same serial from two makers is two guns: the maker is part of it.
        yield "serial", f"{make} {serial}" if serial else None
    elif kind == "assets":
        yield "iban", data.get("iban")
        yield "imo", data.get("imo_number")
        yield "address", data.get("address")
    elif kind == "indicators":
        indicator = _INDICATORS.get(str(data.get("indicator_type")))
        if indicator:
            yield indicator, data.get("value")


def record_identifiers(kind: str, data: Mapping[str, Any]) -> list[Identifier]:
    """The identifiers of a record, each once."""
    found: dict[tuple[str, str], Identifier] = {}
    for type_, text in _raw(kind, data):
        identifier = _made(type_, text)
        if identifier is not None:
            found.setdefault((identifier.type, identifier.value), identifier)
    return list(found.values())
