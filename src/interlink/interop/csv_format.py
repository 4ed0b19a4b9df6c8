"""CSV per record kind: one row per record, a column per field of the kind.

Columns are the kind's field names (documented in ``docs/import-formats.md``) plus the
required ``id`` (the source id that makes re-imports idempotent). Lists are written
``;``-separated (``FR;DE``); lists of objects (a person's identity documents, links)
as JSON. Export adds ``record_id``, ``owner`` and ``updated_at``, which import ignores.
Cells a spreadsheet would run as formulas are written quoted (``core.csvcells``) and
read back unquoted, so that an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import typing
from collections.abc import Iterable, Iterator
from typing import IO, Any

from pydantic import BaseModel

from interlink.core.csvcells import restore
from interlink.core.csvcells import writer as csv_writer
from interlink.interop.base import ExportItem, FormatError, ParsedItem
from interlink.records.kinds import KINDS, RecordData

__all__ = ["columns", "read", "write"]

_META = ("record_id", "owner", "updated_at")
_LIST_SEPARATOR = ";"


def _shape(annotation: Any) -> str:
    """'scalar', 'list' (of plain values) or 'json' (list of objects)."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(candidate) is list:
            (item,) = typing.get_args(candidate) or (str,)
            is_model = isinstance(item, type) and issubclass(item, BaseModel)
            return "json" if is_model else "list"
    return "scalar"


def _fields(model: type[RecordData]) -> dict[str, str]:
    return {
        info.alias or name: _shape(info.annotation) for name, info in model.model_fields.items()
    }


def columns(kind: str) -> list[str]:
    """The import columns of ``kind``: ``id`` then every field."""
    return ["id", *_fields(KINDS[kind])]


def _cell(value: str, shape: str, column: str) -> Any:
    if shape == "list":
        return [part.strip() for part in value.split(_LIST_SEPARATOR) if part.strip()]
    if shape == "json":
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{column}: not JSON ({exc.msg})") from None
        except RecursionError:
            raise ValueError(f"{column}: not JSON (nested too deeply)") from None
        except ValueError:  # Python refuses to read integers of over 4,300 digits
            raise ValueError(f"{column}: not JSON (a number too long to read)") from None
    return value


def read(stream: IO[bytes], kind: str | None) -> Iterator[ParsedItem]:
    if kind is None or kind not in KINDS:
        raise FormatError(f"CSV needs the record kind (--kind); kinds: {', '.join(KINDS)}")
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    try:
        header = reader.fieldnames
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FormatError(f"not a UTF-8 CSV file: {exc}") from None
    if not header:
        raise FormatError("the CSV file is empty (no header row)")
    shapes = _fields(KINDS[kind])
    unknown = [c for c in header if c not in shapes and c != "id" and c not in _META]
    if unknown:
        raise FormatError(
            f"unknown column(s) {', '.join(map(repr, unknown))} for {kind}; "
            f"columns: {', '.join(columns(kind))}"
        )
    if "id" not in header:
        raise FormatError("the CSV file needs an 'id' column (the source id of each record)")
    try:
        for row in reader:
            yield _parse_row(row, reader.line_num, kind, shapes)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FormatError(f"line {reader.line_num}: unreadable CSV ({exc})") from None


def _parse_row(row: dict[str, Any], line: int, kind: str, shapes: dict[str, str]) -> ParsedItem:
    if None in row:  # more cells than header columns
        return ParsedItem(line, kind, row.get("id"), error="more cells than columns")
    source_id = restore((row.get("id") or "").strip()) or None
    data: dict[str, Any] = {}
    try:
        for column, value in row.items():
            if column in shapes and value is not None and value.strip():
                data[column] = _cell(restore(value.strip()), shapes[column], column)
    except ValueError as exc:
        column = str(exc).split(":", 1)[0]
        return ParsedItem(line, kind, source_id, error=str(exc), error_field=column)
    return ParsedItem(line, kind, source_id, data)


def _format(value: Any, shape: str) -> str:
    if value is None:
        return ""
    if shape == "json":
        return json.dumps(value, ensure_ascii=False)
    if shape == "list":
        return _LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def write(items: Iterable[ExportItem], stream: IO[bytes], kind: str) -> int:
    shapes = _fields(KINDS[kind])
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    writer = csv_writer(text)
    writer.writerow([*columns(kind), *_META])
    count = 0
    for item in items:
        cells = [_format(item.data.get(column), shape) for column, shape in shapes.items()]
        source = item.source_id or str(item.id)
        writer.writerow([source, *cells, str(item.id), item.owner, item.updated_at.isoformat()])
        count += 1
    text.flush()
    text.detach()
    return count
