"""The exchange formats by name, which kinds each carries, and guessing a file's format."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from interlink.interop import csv_format
from interlink.interop.base import FormatError, Reader, Writer
from interlink.records.kinds import KINDS

__all__ = ["FORMATS", "ExchangeFormat", "get_format", "guess_format"]


@dataclass(frozen=True, slots=True)
class ExchangeFormat:
    name: str
    read: Reader
    write: Writer
    kinds: frozenset[str]
    media_type: str
    suffix: str
    check_start: Callable[[bytes], None] | None = None
    """Refuses (``FormatError``), from a file's first ``HEAD`` bytes, a file its reader
    would refuse as a whole, so that an upload is refused before any work starts."""


def _formats() -> dict[str, ExchangeFormat]:
    from interlink.interop import ftm, pfif, stix

    every = frozenset(KINDS)
    ftm_kinds = frozenset(
        {"persons", "travel-documents", "vehicles", "assets", "indicators", "missing-persons"}
    )
    return {
        "csv": ExchangeFormat("csv", csv_format.read, csv_format.write, every, "text/csv", ".csv"),
        "ftm": ExchangeFormat(
            "ftm", ftm.read, ftm.write, ftm_kinds, "application/x-ndjson", ".ftm.json"
        ),
        "stix": ExchangeFormat(
            "stix",
            stix.read,
            stix.write,
            frozenset({"indicators"}),
            "application/stix+json",
            ".json",
        ),
        "pfif": ExchangeFormat(
            "pfif",
            pfif.read,
            pfif.write,
            frozenset({"missing-persons"}),
            "application/xml",
            ".xml",
            check_start=pfif.check_start,
        ),
    }


FORMATS = _formats()


def get_format(name: str, *, kind: str | None = None, field: str = "format") -> ExchangeFormat:
    from interlink.core.errors import InvalidInput

    chosen = FORMATS.get(name)
    if chosen is None:
        raise InvalidInput(field, f"unknown format {name!r}; formats: {', '.join(FORMATS)}")
    if kind is not None and kind not in chosen.kinds:
        raise InvalidInput(
            field, f"{name} does not carry {kind}; it carries {', '.join(sorted(chosen.kinds))}"
        )
    return chosen


def guess_format(path: Path) -> str:
    """The format of a file, from its name and, for JSON, its first bytes."""
    name = path.name.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".xml") or name.endswith(".pfif"):
        return "pfif"
    if name.endswith((".jsonl", ".ndjson", ".ftm", ".ftm.json")):
        return "ftm"
    if name.endswith(".json"):
        with path.open("rb") as stream:
            head = stream.read(4096).lstrip()
        if head.startswith(b"{"):
            first_line = head.split(b"\n", 1)[0]
            try:
                document = json.loads(first_line)
            except (ValueError, RecursionError):  # not JSON lines (pretty-printed, not
                return "stix"  # UTF-8 text, nested too deeply): the STIX reader says why
            return "stix" if document.get("type") == "bundle" else "ftm"
    raise FormatError(f"cannot tell the format of {path.name}; say it with --format")
