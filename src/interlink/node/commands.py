"""``interlink node sync|status``: run and watch a national node's replication."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn
from sqlalchemy.orm import Session, sessionmaker

from interlink.core.clikit import console, err, fail, load_settings, open_session
from interlink.core.db import make_engine, make_session_factory
from interlink.core.errors import AppError
from interlink.members.service import ensure_network
from interlink.node.central import Central, LinkDown, Refused
from interlink.node.models import NodeState
from interlink.node.sync import SyncReport, pending_hits, sync

__all__ = ["node_app"]

node_app = typer.Typer(help="A national node: an offline replica of what its bureau may see.")


_NODE_KEY = (
    "A national node syncs with an API key of scope 'node' of its bureau: a supervisor "
    "makes one on the console's API clients page, or with POST /api/v1/api-clients "
    '{"name": ..., "scope": "node"}'
)


def _summary(report: SyncReport) -> str:
    return (
        f"{report.upserts} upserts, {report.removals} removals in {report.pages} pages "
        f"(cursor {report.cursor}); hits delivered {report.delivered}, refused {report.refused}"
    )


@node_app.command("sync")
def sync_command(
    central_url: Annotated[
        str, typer.Option("--from", help="The central system's address, https://...")
    ],
    token: Annotated[
        str,
        typer.Option(
            envvar="INTERLINK_NODE_TOKEN",
            help="An API key of scope 'node' of the node's bureau (or INTERLINK_NODE_TOKEN); "
            "a border system's key (scope 'screening') is refused",
        ),
    ],
    follow: Annotated[
        bool, typer.Option(help="Keep syncing every --every seconds, riding out link failures")
    ] = False,
    every: Annotated[float, typer.Option(min=1, help="Seconds between syncs with --follow")] = 30,
    page_size: Annotated[int, typer.Option(min=1, max=1000)] = 500,
) -> None:
    """Deliver the hits found here to central, then replicate central's changes (records
    and published notices this bureau may see) into this node's database. Safe to
    interrupt: the next run goes on from the last page applied."""
    if not central_url.startswith(("http://", "https://")):
        raise fail("--from: give the central system's address, starting with https://")
    settings = load_settings()
    with open_session(settings, upgrade=True) as session:
        ensure_network(session)
        session.commit()
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        with Central(central_url, token) as central:
            while True:
                try:
                    report = _run(factory, central)
                    console.print(f"synced: {_summary(report)}")
                except LinkDown as exc:
                    if not follow:
                        raise fail(f"{exc}; the hits found here stay queued") from exc
                    err.print(f"[yellow]link down:[/] {exc}; retrying in {every:g} s")
                if not follow:
                    return
                time.sleep(every)
    except Refused as exc:
        if exc.status == 403:
            raise fail(f"--token: {exc}. {_NODE_KEY}") from exc
        raise fail(str(exc)) from exc
    except AppError as exc:
        raise fail(exc.detail) from exc
    finally:
        engine.dispose()


def _run(factory: sessionmaker[Session], central: Central) -> SyncReport:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err) as progress:
        task = progress.add_task("syncing", total=None)

        def shown(report: SyncReport) -> None:
            progress.update(task, description=f"syncing: {_summary(report)}")

        return sync(factory, central, progress=shown)


@node_app.command("status")
def status_command() -> None:
    """Where this node's replication stands: its central system, cursor, last complete
    sync, and the hits waiting for delivery."""
    settings = load_settings()
    with open_session(settings) as session:
        state = session.get(NodeState, 1)
        if state is None:
            raise fail("this database is not a national node (run `interlink node sync`)")
        queued = len(pending_hits(session))
        synced = f"{state.synced_at:%Y-%m-%d %H:%M:%S} UTC" if state.synced_at else "never"
        console.print(
            f"node of {state.bureau or '?'} replicating {state.central_url}\n"
            f"cursor {state.cursor}; last complete sync {synced}; hits queued {queued}"
        )
