"""``interlink import`` and ``interlink export``: the shared databases in bulk."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from interlink.access import Visibility
from interlink.core.clikit import console, err, fail, load_settings, open_session
from interlink.core.db import reading
from interlink.core.errors import AppError
from interlink.interop.base import FormatError
from interlink.interop.formats import FORMATS, get_format, guess_format
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.members.service import bureau_by_code, check_visibility
from interlink.records.exporter import export_records
from interlink.records.file_import import FILE_BATCH, import_file
from interlink.records.importer import ImportReport, OnError
from interlink.records.kinds import KINDS
from interlink.records.schemas import ScreeningDetails

__all__ = ["export_command", "import_command"]

_SHOWN_PROBLEMS = 50


def _visibility(mode: str, countries: str | None, group: str | None) -> Visibility:
    try:
        return Visibility.model_validate(
            {
                "mode": mode,
                "countries": [c for c in (countries or "").split(",") if c.strip()],
                "group": group,
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "visibility"
        raise fail(f"--{where if where != 'mode' else 'visibility'}: {first['msg']}") from exc


def import_command(
    path: Annotated[Path, typer.Argument(help="File to import", exists=True, dir_okay=False)],
    owner: Annotated[str, typer.Option(help="Owner bureau: member alpha-2 code (or SEC)")],
    format_name: Annotated[
        str | None, typer.Option("--format", help="ftm, csv, stix or pfif (guessed if omitted)")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Record kind (required for CSV)")] = None,
    visibility: Annotated[
        str, typer.Option(help="owner_only, only, except, group or all_members")
    ] = "owner_only",
    countries: Annotated[str | None, typer.Option(help="Countries for only/except: FR,DE")] = None,
    group: Annotated[str | None, typer.Option(help="Sharing group id for mode group")] = None,
    on_error: Annotated[
        OnError, typer.Option(help="skip bad lines, or stop at the first")
    ] = OnError.SKIP,
    batch_size: Annotated[
        int, typer.Option(min=1, max=100_000, help="Records per transaction")
    ] = FILE_BATCH,
    screening_details: Annotated[
        ScreeningDetails,
        typer.Option(help="What machine clients screening these records learn"),
    ] = ScreeningDetails.FULL,
) -> None:
    """Import records (idempotent: re-importing the same file changes nothing)."""
    if kind is not None and kind not in KINDS:
        raise fail(f"--kind: unknown record kind {kind!r}; kinds: {', '.join(KINDS)}")
    try:
        name = format_name or guess_format(path)
    except FormatError as exc:
        raise fail(f"--format: {exc}") from exc
    if name not in FORMATS:
        raise fail(f"--format: unknown format {name!r}; formats: {', '.join(FORMATS)}")
    chosen = _visibility(visibility, countries, group)
    settings = load_settings()
    with open_session(settings) as session:
        bureau = bureau_by_code(session, owner, field="--owner")
        check_visibility(session, chosen, sharer=bureau.country_code, field="--visibility")
        started = time.perf_counter()
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as bar:
            task = bar.add_task("importing", total=None)

            def progress(report: ImportReport) -> None:
                rate = report.seen / max(time.perf_counter() - started, 1e-6)
                bar.update(
                    task,
                    description=f"importing {path.name}: {report.seen:,} records "
                    f"({rate:,.0f}/s), {report.failed:,} bad",
                )

            try:
                report = import_file(
                    session,
                    path,
                    name,
                    kind=kind,
                    owner=bureau,
                    visibility=chosen,
                    actor_name=f"import:{bureau.code}",
                    on_error=on_error,
                    batch_size=batch_size,
                    progress=progress,
                    screening_details=screening_details,
                )
            except FormatError as exc:
                raise fail(f"{path.name}: {exc}") from exc
    elapsed = time.perf_counter() - started
    _print_report(report, elapsed)
    if report.stopped:
        raise typer.Exit(1)


def _print_report(report: ImportReport, elapsed: float) -> None:
    for problem in report.problems[:_SHOWN_PROBLEMS]:
        err.print(
            f"[yellow]skipped[/] {problem}" if not report.stopped else f"[red]stopped[/] {problem}"
        )
    if report.failed > _SHOWN_PROBLEMS:
        err.print(f"... and {report.failed - _SHOWN_PROBLEMS:,} more bad lines")
    rate = report.seen / elapsed if elapsed else 0
    console.print(
        f"{report.created:,} created, {report.updated:,} updated, {report.unchanged:,} unchanged, "
        f"{report.failed:,} bad, in {elapsed:.1f} s ({rate:,.0f} records/s)"
    )
    if report.stopped:
        err.print(
            "[red]import stopped at the first bad line;[/] batches before it are kept, the batch "
            "holding it was not written. Fix the line and import again: nothing is duplicated."
        )


def export_command(
    kind: Annotated[str, typer.Argument(help="Record kind, e.g. travel-documents")],
    user: Annotated[str, typer.Option(help="Export what this user may see (audited as them)")],
    format_name: Annotated[str, typer.Option("--format", help="csv, ftm, stix or pfif")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Output file (default: standard output)")] = None,
) -> None:
    """Export the records a user may see."""
    if kind not in KINDS:
        raise fail(f"unknown record kind {kind!r}; kinds: {', '.join(KINDS)}")
    with open_session(load_settings()) as session:
        with reading(session):  # no transaction, and no write lock, left open for the export
            account = session.scalars(select(User).where(User.username == user)).first()
        if account is None or not account.active:
            raise fail(f"--user: no active user {user!r}")
        try:
            get_format(format_name, kind=kind, field="--format")
            if out is None:
                count = export_records(
                    session, kind, format_name, sys.stdout.buffer, actor=actor_for_user(account)
                )
            else:
                with out.open("wb") as stream:
                    count = export_records(
                        session, kind, format_name, stream, actor=actor_for_user(account)
                    )
        except (AppError, FormatError) as exc:
            raise fail(getattr(exc, "detail", str(exc))) from exc
        session.commit()
    err.print(f"exported {count:,} {kind} records as {format_name}")
