"""``interlink screen MANIFEST.csv --out REPORT.csv``: batch screening of travellers."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.clikit import console, err, fail, load_settings, open_session
from interlink.core.db import reading
from interlink.core.types import utcnow
from interlink.hits.service import record_found_hits
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.screening.batch import screen_manifest
from interlink.screening.schemas import ScreenRequest

__all__ = ["MANIFEST_COLUMNS", "REPORT_COLUMNS", "screen_command"]

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


def _request(row: dict[str, str]) -> ScreenRequest:
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


def screen_command(
    manifest: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV manifest")],
    out: Annotated[Path, typer.Option(help="Report CSV to write")],
    as_user: Annotated[str, typer.Option("--as", help="Screen as this user (what they may see)")],
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=64, help="Processes screening in parallel")
    ] = 1,
) -> None:
    """Screen every traveller of a manifest; one report row per match."""
    with manifest.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        unknown = [c for c in reader.fieldnames or [] if c not in MANIFEST_COLUMNS]
        if unknown or not reader.fieldnames:
            raise fail(
                f"{manifest.name}: columns must be among {', '.join(MANIFEST_COLUMNS)}; "
                f"unknown: {', '.join(unknown) or '(no header)'}"
            )
        rows = list(reader)
    settings = load_settings()
    with open_session(settings) as session:
        with reading(session):
            account = session.scalars(select(User).where(User.username == as_user)).first()
            actor = actor_for_user(account) if account is not None and account.active else None
        if actor is None:
            raise fail(f"--as: no active user {as_user!r}")
        counts = {"screened": 0, "hits": 0, "bad": 0}
        columns = (TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with out.open("w", newline="") as report_stream, Progress(*columns, console=console) as bar:
            writer = csv.writer(report_stream)
            writer.writerow(REPORT_COLUMNS)
            task = bar.add_task("screening", total=len(rows))
            chunks = screen_manifest(
                session, settings.database_url, rows, _request, actor=actor, workers=workers
            )
            for chunk in chunks:
                for message in chunk.skipped:
                    err.print(f"[yellow]skipped[/] {message}")
                writer.writerows(chunk.report)
                counts["screened"] += chunk.screened
                counts["hits"] += chunk.hits
                counts["bad"] += len(chunk.skipped)
                record_found_hits(session, actor, chunk.found, utcnow())
                _audit(session, actor, manifest.name, counts, chunk.matches)
                bar.update(task, advance=chunk.screened + len(chunk.skipped))
    console.print(
        f"{counts['screened']:,} screened, {counts['hits']:,} with a hit, "
        f"{counts['bad']:,} bad rows; report: {out}"
    )


def _audit(
    session: Any, actor: Any, source: str, counts: dict[str, int], found: list[dict[str, Any]]
) -> None:
    # One entry per chunk of travellers: who screened which manifest, and every match.
    audit(
        session,
        AuditAction.SCREENING,
        actor=actor,
        object_type="manifest",
        object_id=source,
        after={**counts, "matches": found},
    )
    session.commit()
