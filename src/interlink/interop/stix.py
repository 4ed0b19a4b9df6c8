"""STIX 2.1 bundles of cyber indicators (record kind ``indicators``).

Reading takes every ``indicator`` whose pattern is a single equality comparison on an
observable Interlink knows (domain, URL, IP address, file hash, e-mail address, crypto
wallet), and plain observables (SCOs) of those types; other objects are skipped.
Writing gives one ``indicator`` per record, with the record's UUID as its id so that
re-exports are stable, and the Interlink record id, owner, case and exact (possibly
partial) first/last-seen dates as custom ``x_interlink_*`` properties. Values are not
checked here: the importer validates them.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from typing import IO, Any

import stix2
from stix2.exceptions import STIXError
from stix2.pattern_visitor import create_pattern_object
from stix2.patterns import (
    BasicObjectPathComponent,
    EqualityComparisonExpression,
    ObservationExpression,
    ParentheticalExpression,
    StringConstant,
)
from stix2patterns.exceptions import ParseException

from interlink.interop.base import ExportItem, FormatError, ParsedItem

__all__ = ["read", "write"]

KIND = "indicators"

# (object type, property path) of a pattern comparison -> Interlink indicator type.
_PATTERN_PATHS: dict[tuple[str, tuple[str, ...]], str] = {
    ("domain-name", ("value",)): "domain",
    ("url", ("value",)): "url",
    ("ipv4-addr", ("value",)): "ipv4",
    ("ipv6-addr", ("value",)): "ipv6",
    ("email-addr", ("value",)): "email",
    ("file", ("hashes", "MD5")): "md5",
    ("file", ("hashes", "SHA1")): "sha1",
    ("file", ("hashes", "SHA256")): "sha256",
    ("x-crypto-wallet", ("value",)): "crypto_wallet",
    ("x-crypto-wallet", ("address",)): "crypto_wallet",
    ("x-cryptocurrency-wallet", ("address",)): "crypto_wallet",
    ("x-cryptocurrency-wallet", ("value",)): "crypto_wallet",
    ("cryptocurrency-wallet", ("address",)): "crypto_wallet",
}
# Interlink indicator type -> (object type, property path) written in patterns.
_WRITE_PATHS: dict[str, tuple[str, str]] = {
    "domain": ("domain-name", "value"),
    "url": ("url", "value"),
    "ipv4": ("ipv4-addr", "value"),
    "ipv6": ("ipv6-addr", "value"),
    "email": ("email-addr", "value"),
    "md5": ("file", "hashes.MD5"),
    "sha1": ("file", "hashes.'SHA-1'"),
    "sha256": ("file", "hashes.'SHA-256'"),
    "crypto_wallet": ("x-crypto-wallet", "value"),
}
_VALUE_SCOS = {
    "domain-name": "domain",
    "url": "url",
    "ipv4-addr": "ipv4",
    "ipv6-addr": "ipv6",
    "email-addr": "email",
}
_WALLET_SCOS = ("x-crypto-wallet", "x-cryptocurrency-wallet", "cryptocurrency-wallet")
# Strongest first: a file observable becomes one indicator, on its best hash.
_FILE_HASHES = (("SHA256", "sha256"), ("SHA1", "sha1"), ("MD5", "md5"))
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?")
_ESCAPED = re.compile(r"\\(.)")


# Reading ------------------------------------------------------------------------------


def read(stream: IO[bytes], kind: str | None) -> Iterator[ParsedItem]:
    """One item per indicator or supported observable of the bundle, in bundle order."""
    objects, default_version = _bundle(stream)
    if kind not in (None, KIND):
        return
    for position, obj in enumerate(objects, start=1):
        item = _item(position, obj, default_version)
        if item is not None:
            yield item


def _bundle(stream: IO[bytes]) -> tuple[list[Any], str]:
    """The bundle's objects and the STIX version its objects default to."""
    try:
        document = json.load(stream)
    except ValueError as exc:
        raise FormatError(f"not a JSON document: {exc}") from None
    except RecursionError:
        raise FormatError("not a JSON document: nested too deeply") from None
    if not isinstance(document, dict) or document.get("type") != "bundle":
        raise FormatError('not a STIX bundle (a JSON object with "type": "bundle")')
    objects = document.get("objects", [])
    if not isinstance(objects, list):
        raise FormatError('the STIX bundle\'s "objects" is not a list')
    # Only STIX 2.0 bundles carry a spec_version of their own.
    return objects, "2.0" if document.get("spec_version") == "2.0" else "2.1"


def _item(position: int, obj: Any, default_version: str) -> ParsedItem | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        return _error(position, None, "not a STIX object (no type)", None)
    stix_type = obj["type"]
    source_id = obj["id"] if isinstance(obj.get("id"), str) else None
    version = obj["spec_version"] if obj.get("spec_version") in ("2.0", "2.1") else default_version
    if stix_type == "indicator":
        return _from_indicator(position, obj, source_id, version)
    if stix_type in _VALUE_SCOS or stix_type == "file" or stix_type in _WALLET_SCOS:
        return _from_observable(position, obj, source_id, version)
    return None


def _error(
    position: int, source_id: str | None, message: str, error_field: str | None
) -> ParsedItem:
    return ParsedItem(position, KIND, source_id, error=message, error_field=error_field)


def _stix_error_field(exc: Exception) -> str | None:
    """The property a stix2 error names, if it names one."""
    prop = getattr(exc, "prop_name", None)
    if isinstance(prop, str):
        return prop
    properties = getattr(exc, "properties", None)
    return ", ".join(properties) if properties else None


def _from_indicator(
    position: int, obj: dict[str, Any], source_id: str | None, version: str
) -> ParsedItem:
    try:
        indicator = stix2.parse(obj, allow_custom=True, version=version)
    except (STIXError, ValueError, TypeError) as exc:
        return _error(position, source_id, f"invalid STIX indicator: {exc}", _stix_error_field(exc))
    if indicator.get("pattern_type", "stix") != "stix":
        message = f"unsupported pattern type {indicator['pattern_type']!r} (only 'stix' is read)"
        return _error(position, source_id, message, "pattern_type")
    pattern = indicator["pattern"]
    comparison = _simple_comparison(pattern, version)
    if comparison is None:
        return _error(position, source_id, f"unsupported STIX pattern: {pattern}", "pattern")
    indicator_type, value = comparison
    data = {"indicator_type": indicator_type, "value": value}
    # Read from the object as written: stix2 fills in a missing valid_from with "now".
    data.update(_indicator_extras(obj, indicator_type, value))
    return ParsedItem(position, KIND, source_id, data)


def _simple_comparison(pattern: str, version: str) -> tuple[str, str] | None:
    """(indicator type, value) of ``[type:path = 'value']``; None for anything else."""
    try:
        expression = create_pattern_object(pattern, version=version)
    except (ParseException, ValueError, TypeError):
        # stix2 refuses some valid compound patterns (AND across object types).
        return None
    expression = _unwrap(expression)
    if not isinstance(expression, ObservationExpression):
        return None
    comparison = _unwrap(expression.operand)
    if (
        not isinstance(comparison, EqualityComparisonExpression)
        or comparison.negated
        or not isinstance(comparison.rhs, StringConstant)
    ):
        return None
    path = comparison.lhs.property_path
    if not all(isinstance(part, BasicObjectPathComponent) for part in path):
        return None
    names = tuple(_hash_name(part.property_name) for part in path)
    indicator_type = _PATTERN_PATHS.get((comparison.lhs.object_type_name, names))
    if indicator_type is None:
        return None
    return indicator_type, _unescape(comparison.rhs.value)


def _unwrap(expression: Any) -> Any:
    while isinstance(expression, ParentheticalExpression):
        expression = expression.expression
    return expression


def _hash_name(name: str) -> str:
    """``SHA-256``, ``sha256`` and ``'SHA-256'`` alike become ``SHA256``; others unchanged."""
    folded = name.strip("'").upper().replace("-", "")
    return folded if folded in ("MD5", "SHA1", "SHA256") else name


def _unescape(literal: str) -> str:
    # stix2 keeps the pattern's escapes (\' and \\) in the parsed string constant.
    return _ESCAPED.sub(r"\1", literal)


def _indicator_extras(indicator: dict[str, Any], indicator_type: str, value: str) -> dict[str, Any]:
    first_seen, last_seen = _seen(indicator)
    description = indicator.get("description") or indicator.get("name")
    # A name that only repeats the indicator (as Interlink writes it) describes nothing.
    if description == f"{indicator_type} {value}":
        description = None
    extras = {
        "first_seen": first_seen,
        "last_seen": last_seen,
        "description": description,
        "related_case": indicator.get("x_interlink_related_case"),
    }
    return {key: value for key, value in extras.items() if value is not None}


def _seen(indicator: dict[str, Any]) -> tuple[str | None, str | None]:
    """first_seen and last_seen of an indicator."""
    if "x_interlink_record_id" in indicator:
        # Interlink fills the mandatory valid_from even when first_seen is unknown, so its
        # own exports carry the (possibly partial) dates in x_interlink_* properties.
        first, last = "x_interlink_first_seen", "x_interlink_last_seen"
        return _first(indicator, first), _first(indicator, last)
    first_seen = _first(indicator, "first_seen", "valid_from")
    last_seen = _first(indicator, "last_seen")
    if last_seen is None:
        last_seen = _first(indicator, "valid_until")
        # Feeds set valid_until far ahead (expiry); that is no sighting, and no valid date.
        if last_seen is not None and last_seen > date.today().isoformat():
            last_seen = None
    return first_seen, last_seen


def _first(obj: dict[str, Any], *names: str) -> str | None:
    """The date (YYYY[-MM[-DD]]) of the first of ``names`` the object has.

    STIX timestamps are UTC, so their date part is the UTC date.
    """
    for name in names:
        value = obj.get(name)
        if isinstance(value, str) and (match := _DATE.match(value.strip())):
            return match.group()
    return None


def _from_observable(
    position: int, obj: dict[str, Any], source_id: str | None, version: str
) -> ParsedItem:
    try:
        # A dict, as it is, for the custom wallet types.
        observable = stix2.parse(obj, allow_custom=True, version=version)
    except (STIXError, ValueError, TypeError) as exc:
        message = f"invalid STIX {obj['type']} object: {exc}"
        return _error(position, source_id, message, _stix_error_field(exc))
    found = _observable_value(obj["type"], observable)
    if found is None:
        message = f"{obj['type']} object without a value Interlink can hold"
        error_field = "hashes" if obj["type"] == "file" else "value"
        return _error(position, source_id, message, error_field)
    indicator_type, value = found
    data: dict[str, Any] = {"indicator_type": indicator_type, "value": value}
    if isinstance(observable.get("x_interlink_related_case"), str):
        data["related_case"] = observable["x_interlink_related_case"]
    return ParsedItem(position, KIND, source_id, data)


def _observable_value(stix_type: str, observable: Any) -> tuple[str, str] | None:
    if stix_type in _VALUE_SCOS:
        value = observable.get("value")
        return (_VALUE_SCOS[stix_type], value) if isinstance(value, str) else None
    if stix_type in _WALLET_SCOS:
        value = observable.get("address") or observable.get("value")
        return ("crypto_wallet", value) if isinstance(value, str) else None
    hashes = {_hash_name(name): value for name, value in (observable.get("hashes") or {}).items()}
    for name, indicator_type in _FILE_HASHES:
        if isinstance(hashes.get(name), str):
            return indicator_type, hashes[name]
    return None


# Writing ------------------------------------------------------------------------------


def write(items: Iterable[ExportItem], stream: IO[bytes], kind: str) -> int:
    """One STIX bundle with an indicator per item; returns the number of indicators."""
    if kind != KIND:
        raise FormatError(f"STIX carries indicators, not {kind}")
    indicators = [_indicator(item) for item in items]
    bundle = stix2.Bundle(objects=indicators, allow_custom=True)
    stream.write(bundle.serialize(pretty=True).encode("utf-8"))
    return len(indicators)


def _pattern(indicator_type: str, value: str) -> str:
    """The STIX pattern matching ``value`` of ``indicator_type``."""
    if indicator_type not in _WRITE_PATHS:
        raise FormatError(f"indicator type {indicator_type!r} has no STIX pattern")
    object_type, path = _WRITE_PATHS[indicator_type]
    literal = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"[{object_type}:{path} = '{literal}']"


def _indicator(item: ExportItem) -> stix2.Indicator:
    data = item.data
    indicator_type, value = data["indicator_type"], data["value"]
    updated = _utc(item.updated_at)
    valid_from, valid_until = _validity(data.get("first_seen"), data.get("last_seen"), updated)
    custom = {
        "x_interlink_record_id": str(item.id),
        "x_interlink_owner": item.owner,
        "x_interlink_related_case": data.get("related_case"),
        "x_interlink_first_seen": data.get("first_seen"),
        "x_interlink_last_seen": data.get("last_seen"),
    }
    optional = {"description": data.get("description"), "valid_until": valid_until}
    return stix2.Indicator(
        id=f"indicator--{item.id}",
        created=updated,
        modified=updated,
        name=f"{indicator_type} {value}",
        pattern=_pattern(indicator_type, value),
        pattern_type="stix",
        valid_from=valid_from,
        allow_custom=True,
        **{key: value for key, value in {**optional, **custom}.items() if value is not None},
    )


def _utc(moment: datetime) -> datetime:
    # Stored timestamps are UTC; naive ones (SQLite) lost only the zone, not the offset.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _validity(
    first_seen: str | None, last_seen: str | None, updated: datetime
) -> tuple[datetime, datetime | None]:
    """valid_from and valid_until: the start of first_seen and the end of last_seen."""
    valid_from = _period_start(first_seen) if first_seen else updated
    if not last_seen:
        return valid_from, None
    valid_until = _period_end(last_seen)
    # STIX wants valid_until after valid_from; updated_at may be later than last_seen.
    if valid_from >= valid_until:
        valid_from = _period_start(last_seen)
    return valid_from, valid_until


def _period_start(partial: str) -> datetime:
    day = date.fromisoformat((partial + "-01-01")[:10])
    return datetime.combine(day, time(), UTC)


def _period_end(partial: str) -> datetime:
    start = _period_start(partial).date()
    if len(partial) == len("YYYY"):
        last = date(start.year, 12, 31)
    elif len(partial) == len("YYYY-MM"):
        last = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    else:
        last = start
    return datetime.combine(last, time(23, 59, 59), UTC)
