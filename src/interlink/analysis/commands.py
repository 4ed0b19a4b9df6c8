"""``interlink analysis derive``: bring the link graph up to date with every record (the
graph reads do it for recent changes; this is for a first run or after a bulk import)."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select

from interlink.analysis.derive import catch_up
from interlink.analysis.models import GraphLink
from interlink.core.clikit import console, load_settings, open_session
from interlink.records.models import Record

__all__ = ["analysis_app"]

analysis_app = typer.Typer(help="The link graph and trends.", no_args_is_help=True)


@analysis_app.command("derive")
def derive_command(
    full: Annotated[
        bool, typer.Option("--full", help="Redo every record, not only those changed")
    ] = False,
) -> None:
    """Derive identifiers and links of the records changed since the last run."""
    started = time.perf_counter()
    with open_session(load_settings()) as session:
        total = session.scalar(select(func.count(Record.id))) or 0
        columns = (TextColumn("deriving links"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())  # fmt: skip
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("records", total=total if full else None)
            read = catch_up(session, full=full, progress=lambda n: bar.update(task, completed=n))
        session.commit()
        links = session.scalar(select(func.count(GraphLink.id))) or 0
    console.print(f"{read:,} records read in {time.perf_counter() - started:.1f} s; "
                  f"{links:,} links in the graph")  # fmt: skip
