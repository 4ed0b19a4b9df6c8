"""PFIF (People Finder Interchange Format) XML for missing persons (``missing-persons``).

Reading accepts PFIF 1.1 to 1.4 and parses with defusedxml with every DTD refused, so
that entity expansion and external entities cannot be used against the server, and only
in the encodings the XML parser decodes by itself (UTF-8, UTF-16, US-ASCII, ISO-8859-1):
any other declared encoding goes through Python's codecs, where a multi-byte one (UTF-7,
Shift_JIS) stopped the parser with an error of its own, and is refused first. Each
``pfif:person`` becomes one record; the latest note with a ``last_known_location`` (nested
in the person, or top-level and pointing at it) gives the last-seen place, date and
circumstances. Writing produces PFIF 1.4: one person per record, with one nested note for
the last-seen data.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as defused_parse

from interlink.interop.base import HEAD, ExportItem, FormatError, ParsedItem

__all__ = ["check_start", "read", "write"]

KIND = "missing-persons"
PFIF_1_4 = "http://zesty.ca/pfif/1.4"
_NAMESPACES = {f"http://zesty.ca/pfif/1.{minor}" for minor in range(1, 5)}
# Older PFIF field names -> their PFIF 1.4 names.
_RENAMED = {"first_name": "given_name", "last_name": "family_name", "other": "description"}
_SEX_IN = {"female": "F", "male": "M", "other": "U"}
# Interlink's "U" is unknown, not PFIF's "other" (neither male nor female): left out.
_SEX_OUT = {"F": "female", "M": "male"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Codec names (as ``codecs.lookup`` spells them) of the encodings expat decodes itself.
_ENCODINGS = frozenset({"utf-8", "utf-16", "utf-16-le", "utf-16-be", "ascii", "iso8859-1"})
_DECLARATION = re.compile(r"""^<\?xml\s[^>]*?\bencoding\s*=\s*(["'])(.*?)\1""")
# How the first bytes of the declaration tell its own encoding (XML 1.0, appendix F).
_STARTS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)

Record = dict[str, str]


# Reading ------------------------------------------------------------------------------


def read(stream: IO[bytes], kind: str | None) -> Iterator[ParsedItem]:
    """One item per ``pfif:person``, in document order."""
    root = _root(stream)
    if kind not in (None, KIND):
        return
    namespace = _namespace(root.tag)
    top_notes: defaultdict[str, list[Record]] = defaultdict(list)
    for element in root.findall(f"{{{namespace}}}note"):
        note = _fields(element, namespace)
        top_notes[note.get("person_record_id", "")].append(note)
    for position, element in enumerate(root.findall(f"{{{namespace}}}person"), start=1):
        person = _fields(element, namespace)
        record_id = person.get("person_record_id")
        notes = [_fields(note, namespace) for note in element.findall(f"{{{namespace}}}note")]
        if record_id:
            notes += top_notes.get(record_id, [])
        yield _item(position, person, notes)


def check_start(head: bytes) -> None:
    """Refuse a document whose XML declaration (in ``head``, its first bytes) names an
    encoding other than UTF-8, UTF-16, US-ASCII or ISO-8859-1 (none declared: UTF-8 or
    UTF-16, as XML says)."""
    codec = next((codec for start, codec in _STARTS if head.startswith(start)), "latin-1")
    text = head.decode(codec, errors="replace").lstrip("\ufeff")
    declared = _DECLARATION.match(text)
    if declared is None:
        return
    name = declared.group(2)[:40]
    try:
        known, which = codecs.lookup(name).name, "the"
    except LookupError:
        known, which = "", "an unknown"
    if known not in _ENCODINGS:
        raise FormatError(
            f"the document declares {which} encoding {name!r}: PFIF is read in UTF-8, "
            "UTF-16, US-ASCII or ISO-8859-1 only; convert the file to UTF-8"
        )


class _Rejoined:
    """The stream whole again after its first bytes were taken to look at."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            return head
        return self._rest.read(size)


def _root(stream: IO[bytes]) -> ET.Element:
    head = stream.read(HEAD)
    check_start(head)
    try:
        tree = defused_parse(_Rejoined(head, stream), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise FormatError(f"refused XML: DTDs and entities are not accepted ({exc})") from None
    except ET.ParseError as exc:
        raise FormatError(f"not an XML document: {exc}") from None
    except LookupError as exc:  # the XML declaration names an encoding Python lacks
        raise FormatError(f"not an XML document: {exc}") from None
    except ValueError as exc:  # what the parser refuses beyond the above
        raise FormatError(f"not an XML document: {exc}") from None
    root: ET.Element = tree.getroot()
    namespace = _namespace(root.tag)
    if namespace not in _NAMESPACES or root.tag != f"{{{namespace}}}pfif":
        raise FormatError(f"not a PFIF document: the root element is {root.tag}, not pfif:pfif")
    return root


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _fields(element: ET.Element, namespace: str) -> Record:
    """The non-blank simple fields of a person or note, by their PFIF 1.4 names."""
    fields: Record = {}
    prefix = f"{{{namespace}}}"
    for child in element:
        if not isinstance(child.tag, str) or not child.tag.startswith(prefix) or len(child):
            continue
        text = (child.text or "").strip()
        name = child.tag[len(prefix) :]
        if text:
            fields[_RENAMED.get(name, name)] = text
    return fields


def _item(position: int, person: Record, notes: list[Record]) -> ParsedItem:
    data: dict[str, Any] = {
        "full_name": person.get("full_name"),
        "given_name": person.get("given_name"),
        "family_name": person.get("family_name"),
        "sex": _SEX_IN.get(person.get("sex", "").lower(), person.get("sex")),
        "date_of_birth": person.get("date_of_birth"),
        "physical_description": person.get("description"),
        **_last_seen(notes),
    }
    data = {key: value for key, value in data.items() if value}
    source_id = person.get("person_record_id")
    if not any(data.get(name) for name in ("full_name", "given_name", "family_name")):
        message = "a missing person needs a name: full_name, given_name or family_name"
        return ParsedItem(position, KIND, source_id, data, error=message, error_field="full_name")
    return ParsedItem(position, KIND, source_id, data)


def _last_seen(notes: list[Record]) -> dict[str, str | None]:
    located = [note for note in notes if note.get("last_known_location")]
    if not located:
        return {}
    # Stable sort: of notes with the same source date, the later in the file wins.
    latest = sorted(located, key=lambda note: note.get("source_date", ""))[-1]
    source_date = latest.get("source_date", "")
    match = _DATE.match(source_date)
    return {
        "last_seen_place": latest["last_known_location"],
        "last_seen_date": match.group() if match else source_date or None,
        "circumstances": latest.get("text"),
    }


# Writing ------------------------------------------------------------------------------


def write(
    items: Iterable[ExportItem],
    stream: IO[bytes],
    kind: str,
    *,
    domain: str = "interlink.example",
) -> int:
    """A PFIF 1.4 document with one person per item; returns the number of persons.

    ``domain`` prefixes the record ids of records that have no source id of their own.
    """
    if kind != KIND:
        raise FormatError(f"PFIF carries missing persons, not {kind}")
    # Literal "pfif:" names keep the output's prefix without ElementTree's global
    # namespace registry.
    root = ET.Element("pfif:pfif", {"xmlns:pfif": PFIF_1_4})
    count = 0
    for item in items:
        root.append(_person(item, domain))
        count += 1
    ET.indent(root)
    stream.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    ET.ElementTree(root).write(stream, encoding="utf-8", xml_declaration=False)
    stream.write(b"\n")
    return count


def _person(item: ExportItem, domain: str) -> ET.Element:
    data = item.data
    record_id = item.source_id or f"{domain}/{item.id}"
    stamp = _timestamp(item.updated_at)
    person = _element(
        "person",
        [
            ("person_record_id", record_id),
            ("entry_date", stamp),
            ("author_name", item.owner),
            ("source_date", stamp),
            ("full_name", _full_name(data)),
            ("given_name", data.get("given_name")),
            ("family_name", data.get("family_name")),
            ("description", data.get("physical_description")),
            ("sex", _SEX_OUT.get(data.get("sex") or "")),
            ("date_of_birth", data.get("date_of_birth")),
        ],
    )
    if any(data.get(name) for name in ("last_seen_place", "last_seen_date", "circumstances")):
        person.append(_note(item, domain, record_id, stamp))
    return person


def _note(item: ExportItem, domain: str, person_record_id: str, stamp: str) -> ET.Element:
    data = item.data
    seen = data.get("last_seen_date")
    return _element(
        "note",
        [
            ("note_record_id", f"{domain}/{item.id}.last-seen"),
            ("person_record_id", person_record_id),
            ("entry_date", stamp),
            ("author_name", item.owner),
            # The reader takes the last-seen date from the note's source date.
            ("source_date", _partial_timestamp(seen) if seen else stamp),
            ("status", "believed_missing"),
            ("last_known_location", data.get("last_seen_place")),
            ("text", data.get("circumstances")),
        ],
    )


def _element(name: str, fields: list[tuple[str, str | None]]) -> ET.Element:
    """``pfif:name`` with a child per non-empty field, in the given (PFIF schema) order."""
    element = ET.Element(f"pfif:{name}")
    for field_name, value in fields:
        if value:
            ET.SubElement(element, f"pfif:{field_name}").text = _NOT_XML.sub("", value)
    return element


def _full_name(data: dict[str, Any]) -> str | None:
    """PFIF 1.4 requires full_name; a record may only have its parts or its own script."""
    parts = " ".join(part for part in (data.get("given_name"), data.get("family_name")) if part)
    return data.get("full_name") or parts or data.get("original_script_name")


def _timestamp(moment: datetime) -> str:
    # Stored timestamps are UTC; naive ones (SQLite) lost only the zone, not the offset.
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _partial_timestamp(partial: str) -> str:
    """``YYYY[-MM[-DD]]`` as a PFIF UTC timestamp at the start of that period."""
    return (partial + "-01-01")[:10] + "T00:00:00Z"
