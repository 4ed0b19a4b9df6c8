"""What every exchange format reads into and writes from.

A reader turns a file into ``ParsedItem``s: one per record found, with the line (or
element / object position) it came from, the record kind, its source id and the kind's
data as a plain dict (validated later, by the kind's model, in the importer), or an
error that names the field. A writer turns ``ExportItem``s into the format.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, Protocol

__all__ = ["HEAD", "ExportItem", "FormatError", "ParsedItem", "Reader", "Writer"]

HEAD = 1024
"""The first bytes of a file a format may look at before reading it (an XML declaration
fits, whatever its encoding)."""


@dataclass(slots=True)
class ParsedItem:
    line: int
    """1-based line (CSV, JSON lines) or position of the element/object in the file."""
    kind: str | None
    """Record kind (URL segment, e.g. ``travel-documents``); None when unknown."""
    source_id: str | None
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_field: str | None = None


@dataclass(slots=True)
class ExportItem:
    id: uuid.UUID
    kind: str
    owner: str
    source_id: str | None
    data: dict[str, Any]
    """The kind's data as stored (public field names; absent values left out)."""
    updated_at: datetime


class FormatError(ValueError):
    """The file as a whole cannot be read in this format (not a single bad line)."""


class Reader(Protocol):
    def __call__(self, stream: IO[bytes], kind: str | None) -> Iterator[ParsedItem]:
        """Items of the file; ``kind`` is the user's choice (needed by CSV, else a filter)."""
        ...


class Writer(Protocol):
    def __call__(self, items: Iterable[ExportItem], stream: IO[bytes], kind: str) -> int:
        """Write every item (all of record kind ``kind``); return how many were written."""
        ...
