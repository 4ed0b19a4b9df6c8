"""``interlink screen MANIFEST.csv --out REPORT.csv``: batch screening of travellers."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.clikit import console, err, fail, load_settings, open_session
from interlink.matching.score import HIT_THRESHOLD
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.screening.index import ScreeningIndex
from interlink.screening.schemas import ScreenRequest
from interlink.screening.service import Snapshot, screen

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
_AUDIT_EVERY = 1000


def _request(row: dict[str, str]) -> ScreenRequest:
    values = {k: v.strip() for k, v in row.items() if k in MANIFEST_COLUMNS and v and v.strip()}
    person = {k: values[k] for k in MANIFEST_COLUMNS[1:8] if k in values}
    if person.keys() - {"document_number"}:
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
    with open_session(load_settings()) as session:
        account = session.scalars(select(User).where(User.username == as_user)).first()
        if account is None or not account.active:
            raise fail(f"--as: no active user {as_user!r}")
        actor = actor_for_user(account)
        index = ScreeningIndex(min_interval=3600)  # the batch screens one snapshot
        snapshot = Snapshot(session, actor, index)
        session.commit()
        counts = {"screened": 0, "hits": 0, "bad": 0}
        found: list[dict[str, Any]] = []
        columns = (TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with out.open("w", newline="") as report_stream, Progress(*columns, console=console) as bar:
            writer = csv.writer(report_stream)
            writer.writerow(REPORT_COLUMNS)
            task = bar.add_task("screening", total=len(rows))
            for line, row in enumerate(rows, start=2):
                try:
                    request = _request(row)
                except (ValidationError, ValueError) as exc:
                    counts["bad"] += 1
                    err.print(f"[yellow]skipped[/] line {line}: {exc}".splitlines()[0])
                    continue
                result = screen(
                    session, request, actor=actor, index=index, audited=False, snapshot=snapshot
                )
                counts["screened"] += 1
                counts["hits"] += result["hit"]
                for match in result["matches"]:
                    hit = "true" if match["score"] >= HIT_THRESHOLD else "false"
                    writer.writerow(
                        [
                            row.get("id", ""),
                            hit,
                            match["record_id"],
                            match["source_id"] or "",
                            match["kind"],
                            match["owner"],
                            match["score"],
                        ]
                    )
                    found.append(
                        {
                            "line": line,
                            "record_id": str(match["record_id"]),
                            "score": match["score"],
                        }
                    )
                if not result["matches"]:
                    writer.writerow([row.get("id", ""), "false", "", "", "", "", ""])
                if counts["screened"] % _AUDIT_EVERY == 0:
                    _audit(session, actor, manifest.name, counts, found)
                    found = []
                bar.update(task, advance=1)
            _audit(session, actor, manifest.name, counts, found)
    console.print(
        f"{counts['screened']:,} screened, {counts['hits']:,} with a hit, "
        f"{counts['bad']:,} bad rows; report: {out}"
    )


def _audit(
    session: Any, actor: Any, source: str, counts: dict[str, int], found: list[dict[str, Any]]
) -> None:
    # One entry per thousand travellers: who screened which manifest, and every match.
    audit(
        session,
        AuditAction.SCREENING,
        actor=actor,
        object_type="manifest",
        object_id=source,
        after={**counts, "matches": found},
    )
    session.commit()
