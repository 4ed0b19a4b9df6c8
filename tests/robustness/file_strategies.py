"""Hypothesis strategies for files: CSV with a kind's real header, FollowTheMoney entity
lines, STIX bundles with patterns from the grammar, PFIF documents, traveller manifests;
record data as the link graph reads it; files whose format is guessed from name and bytes.

Each is near-valid most of the time (``mostly``) and broken now and then: a bad byte,
an unknown column, a line nested too deep or holding a number too long to read.
"""

from __future__ import annotations

import csv
import io
import json
import string
import uuid
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import strategies as st

from interlink.interop.csv_format import _fields, columns
from interlink.records.kinds import KINDS
from interlink.screening.manifest import MANIFEST_COLUMNS
from tests.robustness.strategies import (
    date_texts,
    huge,
    identifier_texts,
    json_values,
    mostly,
    names,
    nested,
    text,
)

__all__ = [
    "csv_files",
    "ftm_files",
    "guessable_files",
    "manifests",
    "pfif_documents",
    "record_data",
    "stix_bundles",
    "stix_patterns",
]


# --- files: CSV, FollowTheMoney, STIX, PFIF, manifests ----------------------------------------


def _csv_bytes(rows: list[list[str]], bom: bool, tail: bytes) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return ("\ufeff" * bom).encode() + out.getvalue().encode("utf-8", "surrogatepass") + tail


_tails = mostly(st.just(b""), st.sampled_from([b"\xff\xfe", b"\x00", b'"unclosed', b"\r"]))


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """A kind's CSV file: its real header (a subset, any order, now and then an unknown
    or missing column) and random cells, JSON ones included; with the kind chosen."""
    kind = draw(st.sampled_from(list(KINDS)))
    known = columns(kind)
    header = draw(st.lists(st.sampled_from(known[1:]), unique=True, max_size=len(known)))
    header = ["id", *header] if draw(st.integers(0, 9)) else header
    header += draw(
        mostly(st.just([]), st.sampled_from(["record_id", "owner", "bogus", ""]).map(lambda c: [c]))
    )
    header = draw(st.permutations(header))
    json_cell = st.one_of(
        json_values.map(json.dumps), nested, huge, st.just('[{"number": "A1"}]'), text
    )
    cells = {"json": json_cell, "list": st.lists(text, max_size=3).map(";".join)}
    rows = [
        [draw(cells.get(_shape(kind, column), text)) for column in header]
        + draw(st.lists(text, max_size=1))
        for _ in range(draw(st.integers(0, 4)))
    ]
    chosen = draw(mostly(st.just(kind), st.sampled_from([None, "nonsense"])))
    return _csv_bytes([header, *rows], draw(st.booleans()), draw(_tails)), chosen


def _shape(kind: str, column: str) -> str:
    return _fields(KINDS[kind]).get(column, "scalar")


_FTM_SCHEMATA = [
    "Person", "Passport", "Identification", "Vehicle", "CryptoWallet", "Vessel", "BankAccount",
    "Company", "RealEstate", "Asset", "Airplane", "Security", "Organization", "LegalEntity",
    "Ownership", "Address", "Thing", "Nope",
]  # fmt: skip
_FTM_PROPS = [
    "name", "alias", "weakAlias", "previousName", "firstName", "lastName", "gender", "birthDate",
    "birthPlace", "birthCountry", "nationality", "citizenship", "passportNumber", "idNumber",
    "appearance", "notes", "height", "weight", "number", "type", "summary", "description",
    "country", "holder", "startDate", "date", "buildDate", "registrationNumber", "model",
    "publicKey", "cryptoAddress", "imoNumber", "flag", "bankName", "iban", "accountNumber",
    "jurisdiction", "address", "cadastralCode", "amount", "currency", "bogus",
]  # fmt: skip
_ftm_value = st.one_of(
    text,
    st.sampled_from(["1e309", "nan", "inf", "-1", "180.5", "²³⁴⁵", "١٩٧١", "1971-03-09", "fr"]),
    st.sampled_from(["male", "female", "stolen", "passport", "VIN: 1HGCM82633A004352"]),
    st.integers().map(str),
)


@st.composite
def _ftm_entity(draw: st.DrawFn) -> Any:
    properties = draw(
        mostly(
            st.dictionaries(st.sampled_from(_FTM_PROPS), st.lists(_ftm_value, max_size=3)),
            json_values,
        )
    )
    entity = {
        "id": draw(text | st.integers() | st.none()),
        "schema": draw(mostly(st.sampled_from(_FTM_SCHEMATA), json_values)),
        "properties": properties,
    }
    return draw(mostly(st.just(entity), json_values))


@st.composite
def ftm_files(draw: st.DrawFn) -> bytes:
    """FtM JSON lines: entities of the schemata the reader maps, random properties and
    values, with now and then a broken, blank or deeply nested line."""
    broken = st.sampled_from(["", "{", '{"schema": "Person"'])
    huge_id = huge.map(lambda number: f'{{"schema": "Person", "id": {number}}}')
    entities = _ftm_entity().map(json.dumps)
    lines = draw(st.lists(mostly(entities, nested, huge_id, broken, text), max_size=5))
    return "\n".join(lines).encode("utf-8", "surrogatepass") + draw(_tails)


_OBSERVABLES = [
    ("domain-name", "value"), ("url", "value"), ("ipv4-addr", "value"), ("ipv6-addr", "value"),
    ("email-addr", "value"), ("file", "hashes.MD5"), ("file", "hashes.'SHA-256'"),
    ("file", "hashes.SHA1"), ("x-crypto-wallet", "value"), ("cryptocurrency-wallet", "address"),
    ("file", "name"), ("network-traffic", "src_ref.value"), ("windows-registry-key",
    "values[*].name"), ("process", "pid"), ("x-a", "b[0]"),
]  # fmt: skip
_OPERATORS = ["=", "!=", "<", ">", "<=", ">=", "IN", "LIKE", "MATCHES", "NOT =", "ISSUBSET"]
_timestamps = st.one_of(
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
    st.sampled_from(["2024-01-09T13:45:00Z", "2024", "9999-12-31T23:59:59Z", "0000-00-00"]),
    text,
)


@st.composite
def _literal(draw: st.DrawFn) -> str:
    quoted = draw(text).replace("\\", "\\\\").replace("'", "\\'")
    return draw(
        st.sampled_from(
            [
                f"'{quoted}'",
                f"'{draw(text)}'",
                str(draw(st.integers(-(10**30), 10**30))),
                repr(draw(st.floats(allow_nan=False, allow_infinity=False))),
                f"t'{draw(_timestamps)}'",
                "b'aGVsbG8='",
                "h'ab'",
                "('a', 'b')",
                "true",
            ]
        )
    )


@st.composite
def stix_patterns(draw: st.DrawFn) -> str:
    """Patterns from the STIX grammar: comparisons, boolean and temporal operators,
    qualifiers with random (and huge) counts, parentheses; now and then raw text."""

    def observation() -> str:
        comparisons = []
        for _ in range(draw(st.integers(1, 3))):
            object_type, path = draw(st.sampled_from(_OBSERVABLES))
            comparisons.append(f"{object_type}:{path} {draw(st.sampled_from(_OPERATORS))} ")
            comparisons[-1] += draw(_literal())
        joined = draw(st.sampled_from([" AND ", " OR "])).join(comparisons)
        number = draw(st.integers(-5, 10**30) | st.floats(allow_nan=False).map(repr))
        qualifier = draw(
            st.sampled_from(
                [
                    "",
                    "",
                    f" WITHIN {number} SECONDS",
                    f" REPEATS {number} TIMES",
                    f" START t'{draw(_timestamps)}' STOP t'{draw(_timestamps)}'",
                ]
            )
        )
        return f"[{joined}]{qualifier}"

    parts = [observation() for _ in range(draw(st.integers(1, 3)))]
    pattern = draw(st.sampled_from([" AND ", " OR ", " FOLLOWEDBY "])).join(parts)
    depth = draw(st.integers(0, 3))
    return draw(st.just("(" * depth + pattern + ")" * depth) | text)


def _stix_id(kind: str) -> st.SearchStrategy[Any]:
    return mostly(st.uuids().map(lambda u: f"{kind}--{u}"), json_values)


@st.composite
def _stix_object(draw: st.DrawFn) -> Any:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        indicator: dict[str, Any] = {
            "type": "indicator",
            "spec_version": draw(st.sampled_from(["2.1", "2.0", "3"])),
            "id": draw(_stix_id("indicator")),
            "created": draw(_timestamps),
            "modified": draw(_timestamps),
            "pattern": draw(stix_patterns()),
            "pattern_type": draw(mostly(st.just("stix"), st.just("sigma"), json_values)),
            "valid_from": draw(_timestamps),
        }
        for key in ("valid_until", "name", "description", "x_interlink_record_id"):
            if draw(st.booleans()):
                indicator[key] = draw(_timestamps | json_values)
        return indicator
    if choice == 1:
        object_type = draw(st.sampled_from([t for t, _ in _OBSERVABLES]))
        sco: dict[str, Any] = {"type": object_type, "id": draw(_stix_id(object_type))}
        key = draw(st.sampled_from(["value", "address", "hashes", "name"]))
        sco[key] = draw(st.dictionaries(st.sampled_from(["MD5", "SHA-256", "x"]), text) | text)
        return sco
    return draw(json_values)


@st.composite
def stix_bundles(draw: st.DrawFn) -> bytes:
    """A bundle of indicators with generated patterns, observables and junk objects."""
    bundle: Any = {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": draw(st.lists(_stix_object(), max_size=4)),
    }
    if draw(st.booleans()):
        bundle["spec_version"] = "2.0"
    document = draw(mostly(st.just(bundle), json_values))
    raw = json.dumps(document).encode("utf-8", "surrogatepass")
    odd = (nested | huge).map(str.encode), st.just(raw[: len(raw) // 2])
    return draw(mostly(st.just(raw), *odd))


_PFIF_FIELDS = [
    "person_record_id", "full_name", "given_name", "family_name", "first_name", "last_name",
    "sex", "date_of_birth", "description", "other", "age", "source_date", "last_known_location",
    "text", "status",
]  # fmt: skip
_xml_text = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\t\n"), max_size=30
)
_PROLOGS = [
    "",
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<?xml version="1.0" encoding="nonsense"?>\n',
    '<?xml version="1.0" encoding="UTF-16"?>\n',
    "<!-- comment -->\n<?pi data?>\n",
    '<!DOCTYPE pfif [<!ENTITY e "expanded">]>\n',
    '<!DOCTYPE pfif SYSTEM "http://example.invalid/pfif.dtd">\n',
]


@st.composite
def _pfif_record(draw: st.DrawFn, tag: str, depth: int) -> str:
    fields = draw(st.lists(st.sampled_from(_PFIF_FIELDS), max_size=6))
    body = "".join(
        f"<pfif:{name}>{escape(draw(_xml_text))}</pfif:{name}>"
        if draw(st.integers(0, 9))
        else f"<pfif:{name}><![CDATA[{draw(_xml_text)}]]></pfif:{name}>"
        for name in fields
    )
    if depth and draw(st.booleans()):
        body += "".join(draw(st.lists(_pfif_record("note", depth - 1), max_size=2)))
    return f"<pfif:{tag}>{body}</pfif:{tag}>"


@st.composite
def pfif_documents(draw: st.DrawFn) -> bytes:
    """PFIF documents of every version (and some that are none), persons with random
    fields, nested and top-level notes, CDATA, odd prologs and DTDs."""
    version = draw(st.sampled_from(["1.1", "1.2", "1.3", "1.4", "1.4", "9"]))
    tags = st.sampled_from(["person", "person", "note"])
    records = draw(st.lists(tags.flatmap(lambda tag: _pfif_record(tag, 1)), max_size=4))
    namespace = f'xmlns:pfif="http://zesty.ca/pfif/{version}"'
    document = (
        draw(mostly(st.sampled_from(_PROLOGS[:2]), st.sampled_from(_PROLOGS[2:])))
        + f"<pfif:pfif {namespace}>"
        + "".join(records)
        + draw(mostly(st.just("</pfif:pfif>"), st.sampled_from(["", "<pfif:x>"])))
    )
    return draw(mostly(st.just(document.encode()), st.just(document.encode("utf-16"))))


@st.composite
def manifests(draw: st.DrawFn) -> bytes:
    """Traveller manifests: a subset of the columns (now and then an unknown one), cells
    that are names, dates, codes, document numbers or noise; BOM and bad UTF-8 now and then."""
    header = draw(st.lists(st.sampled_from(MANIFEST_COLUMNS), unique=True, min_size=1))
    header += draw(mostly(st.just([]), st.sampled_from([["bogus"], [""]])))
    cell = {
        "name": names(),
        "given_name": names(),
        "family_name": names(),
        "date_of_birth": date_texts(),
        "nationality": st.sampled_from(["FR", "fr", "XX", "FRA", ""]) | text,
        "document_country": st.sampled_from(["DE", "ZZ", ""]) | text,
        "sex": st.sampled_from(["M", "F", "U", "X", "male", ""]),
        "document_number": identifier_texts(),
    }
    rows = [
        [draw(cell.get(column, text)) for column in header] for _ in range(draw(st.integers(0, 4)))
    ]
    return _csv_bytes([header, *rows], draw(st.booleans()), draw(_tails))


# --- record data (the link graph's identifiers), files whose format is guessed ------------

_phones = st.one_of(
    st.from_regex(r"\+[0-9]{1,3}[ \-]?[0-9 ()\-]{4,20}", fullmatch=True),
    st.sampled_from(["+33 6 12 34 56 78", "+1 (555) 010-9999", "06 12 34 56 78", "+" * 300]),
    text,
)


@st.composite
def record_data(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """(kind, data) as a record of that kind stores it: strings and lists of strings,
    with random phones, e-mails, addresses, numbers and indicator types."""
    kind = draw(st.sampled_from(list(KINDS)))
    optional = st.none() | text | identifier_texts()
    data: dict[str, Any] = {
        "date_of_birth": draw(st.none() | date_texts()),
        "identity_documents": draw(st.lists(st.fixed_dictionaries({"number": optional}))),
        "phones": draw(st.lists(_phones, max_size=3)),
        "emails": draw(st.lists(text | st.emails(), max_size=3)),
        "addresses": draw(st.lists(text, max_size=3)),
        "number": draw(optional),
        "vin": draw(optional),
        "serial_number": draw(optional),
        "make": draw(st.none() | text),
        "iban": draw(optional),
        "imo_number": draw(optional),
        "address": draw(st.none() | text),
        "indicator_type": draw(
            st.sampled_from(["email", "crypto_wallet", "domain", "ipv4", "ipv6", "url"]) | text
        ),
        "value": draw(st.none() | text),
    }
    return kind, data


_SUFFIXES = [".csv", ".xml", ".pfif", ".jsonl", ".ndjson", ".ftm", ".ftm.json", ".json", ".txt"]


@st.composite
def guessable_files(draw: st.DrawFn) -> tuple[bytes, str]:
    """(content, file name) for guessing a file's format from both."""
    stem = draw(st.text(string.ascii_letters + string.digits + "-_. ", min_size=1, max_size=20))
    name = "f" + stem + draw(st.sampled_from([*_SUFFIXES, "", ".JSON"]))
    content = draw(
        st.one_of(
            ftm_files(),
            stix_bundles(),
            st.binary(max_size=64),
            nested.map(lambda deep: ('{"a": ' + deep + "}").encode()),
        )
    )
    return content, name
