"""A traveller manifest (CSV) screened as a whole: its columns, a row's screening query,
and the run that writes the report, records the hits and audits each chunk.

The command line (``interlink screen``) and the console's upload page both run a
manifest through ``screen_rows``; they differ only in how they show progress.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.errors import InvalidInput
from interlink.core.types import utcnow
from interlink.hits.service import record_found_hits
from interlink.screening.batch import Chunk, screen_manifest
from interlink.screening.schemas import ScreenRequest

__all__ = ["MANIFEST_COLUMNS", "REPORT_COLUMNS", "manifest_request", "read_manifest", "screen_rows"]

MANIFEST_COLUMNS = (
    "id",
    "name",
    "given_name",
    "family_name",
    "date_of_birth",
    "nationality",
    "sex",
    "document_number",
    "document_country",
)
REPORT_COLUMNS = ("id", "hit", "record_id", "source_id", "kind", "owner", "score")


def manifest_request(row: dict[str, str]) -> ScreenRequest:
    """The screening query for one manifest row: the person, else the document."""
    values = {k: v.strip() for k, v in row.items() if k in MANIFEST_COLUMNS and v and v.strip()}
    person = {k: values[k] for k in MANIFEST_COLUMNS[1:] if k in values}
    if person.keys() - {"document_number", "document_country"}:
        return ScreenRequest.model_validate({"person": person})
    if "document_number" in values:
        document = {
            "number": values["document_number"],
            "issuing_country": values.get("document_country"),
        }
        return ScreenRequest.model_validate({"document": document})
    raise ValueError("the row has neither a name nor a document number")


def read_manifest(stream: TextIO, *, field: str = "manifest") -> list[dict[str, str]]:
    """The rows of a manifest; a header with unknown columns (or none) is refused whole."""
    reader = csv.DictReader(stream)
    try:
        columns = reader.fieldnames or []
        unknown = [column for column in columns if column not in MANIFEST_COLUMNS]
        if unknown or not columns:
            raise InvalidInput(
                field,
                f"columns must be among {', '.join(MANIFEST_COLUMNS)}; "
                f"unknown: {', '.join(unknown) or '(no header)'}",
            )
        return list(reader)
    except csv.Error as exc:
        raise InvalidInput(field, f"not a readable CSV file: {exc}") from exc
    except UnicodeDecodeError as exc:  # the command line opens the file as UTF-8
        raise InvalidInput(field, f"the file is not UTF-8 text ({exc.reason})") from exc


def screen_rows(
    session: Session,
    url: str,
    rows: Sequence[dict[str, str]],
    *,
    actor: Actor,
    source: str,
    report: Callable[[Iterable[list[object]]], Any],
    workers: int = 1,
    progress: Callable[[Chunk, dict[str, int]], None] | None = None,
) -> dict[str, int]:
    """Screen every row as ``actor``; each chunk's hits are recorded and its matches and
    counts audited (one entry per chunk, counting that chunk alone) and committed, then
    its report rows go to ``report``, before the next starts: a report never holds a
    traveller whose screening left no trace, whenever the run stops."""
    counts = {"screened": 0, "hits": 0, "bad": 0}
    for chunk in screen_manifest(
        session, url, rows, manifest_request, actor=actor, workers=workers
    ):
        own = {"screened": chunk.screened, "hits": chunk.hits, "bad": len(chunk.skipped)}
        for name, value in own.items():
            counts[name] += value
        record_found_hits(session, actor, chunk.found, utcnow())
        # Who screened which manifest, and every match. Each entry counts its own chunk,
        # so that a run's entries add up to its totals.
        audit(
            session,
            AuditAction.SCREENING,
            actor=actor,
            object_type="manifest",
            object_id=source,
            after={**own, "matches": chunk.matches},
        )
        session.commit()
        report(chunk.report)
        if progress is not None:
            progress(chunk, counts)
    return counts
