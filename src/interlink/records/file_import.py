"""Importing a file: its format's reader, the importer, and batch sizes that suit files.

(A second process that reads and validates while this one writes was measured on the
two-core development machine and gained nothing: writing is the bottleneck, and the
cost of passing rows between processes ate the rest. See bench/records_import.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from interlink.access import Actor, Visibility
from interlink.interop.formats import FORMATS
from interlink.members.models import Bureau
from interlink.records.importer import ImportReport, OnError, import_items
from interlink.records.schemas import ScreeningDetails

__all__ = ["FILE_BATCH", "import_file"]

FILE_BATCH = 20_000
"""Rows per transaction: SQLite writes each touched index page once per commit, so
bigger batches wrote 1,000,000 documents a third faster than batches of 5,000."""


def import_file(
    session: Session,
    path: Path,
    format_name: str,
    *,
    kind: str | None,
    owner: Bureau,
    visibility: Visibility,
    actor_name: str,
    on_error: OnError = OnError.SKIP,
    batch_size: int = FILE_BATCH,
    progress: Callable[[ImportReport], None] | None = None,
    screening_details: ScreeningDetails = ScreeningDetails.FULL,
    actor: Actor | None = None,
    source: str | None = None,
) -> ImportReport:
    """Import every record of the file at ``path`` in format ``format_name`` (``source``
    names it in the audit trail: the file's own name by default)."""
    with path.open("rb") as stream:
        return import_items(
            session,
            FORMATS[format_name].read(stream, kind),
            owner=owner,
            visibility=visibility,
            actor_name=actor_name,
            source=source or path.name,
            on_error=on_error,
            batch_size=batch_size,
            progress=progress,
            screening_details=screening_details,
            actor=actor,
        )
