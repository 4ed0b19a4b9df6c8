"""``interlink screen MANIFEST.csv --out REPORT.csv``: batch screening of travellers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from interlink.core.clikit import console, err, fail, load_settings, open_session
from interlink.core.csvcells import writer as csv_writer
from interlink.core.db import reading
from interlink.core.errors import InvalidInput
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.screening.batch import Chunk
from interlink.screening.manifest import REPORT_COLUMNS, read_manifest, screen_rows

__all__ = ["screen_command"]


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
        try:
            rows = read_manifest(stream)
        except InvalidInput as exc:
            raise fail(f"{manifest.name}: {exc.errors[0]['message']}") from exc
    settings = load_settings()
    with open_session(settings) as session:
        with reading(session):
            account = session.scalars(select(User).where(User.username == as_user)).first()
            actor = actor_for_user(account) if account is not None and account.active else None
        if actor is None:
            raise fail(f"--as: no active user {as_user!r}")
        columns = (TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        # Written beside the report and renamed to it once complete: a run that stops
        # (an error, a kill) leaves no report that passes for the whole manifest's, and
        # the partial file holds the committed chunks' rows.
        partial = out.with_name(f"{out.name}.partial")
        with (
            partial.open("w", newline="") as report_stream,
            Progress(*columns, console=console) as bar,
        ):
            writer = csv_writer(report_stream)
            writer.writerow(REPORT_COLUMNS)
            task = bar.add_task("screening", total=len(rows))

            def report(rows: Iterable[list[object]]) -> None:
                writer.writerows(rows)
                report_stream.flush()

            def progress(chunk: Chunk, counts: dict[str, int]) -> None:
                for message in chunk.skipped:
                    err.print(f"[yellow]skipped[/] {message}")
                bar.update(task, advance=chunk.screened + len(chunk.skipped))

            counts = screen_rows(
                session,
                settings.database_url,
                rows,
                actor=actor,
                source=manifest.name,
                report=report,
                workers=workers,
                progress=progress,
            )
    partial.replace(out)
    console.print(
        f"{counts['screened']:,} screened, {counts['hits']:,} with a hit, "
        f"{counts['bad']:,} bad rows; report: {out}"
    )
