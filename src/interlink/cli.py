"""The ``interlink`` command line (Typer + Rich), over the same services as the API."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from interlink.access import Role
from interlink.analysis.commands import analysis_app
from interlink.audit.checkpoint import CheckpointError
from interlink.audit.commands import audit_app
from interlink.backup.commands import backup_command, restore_command
from interlink.core.clikit import console, fail, load_settings, open_session
from interlink.core.config import Settings, WeakSecretError
from interlink.core.gate import Gate
from interlink.dataprotection.commands import data_protection_app
from interlink.doctor import doctor_command
from interlink.hits.commands import hits_app
from interlink.messaging.commands import messages_app
from interlink.node.commands import node_app
from interlink.notices.commands import notices_app
from interlink.records.commands import export_command, import_command
from interlink.screening.commands import screen_command

__all__ = ["app"]

GRACE_SECONDS = 3
"""On shutdown, live streams (which never end by themselves) are closed after this."""


def serving_app() -> Gate:
    """The application as a server process runs it (``uvicorn --factory``; settings from
    the environment)."""
    from interlink.app import create_app

    settings = Settings()
    return Gate(create_app(settings), settings.requests_in_flight)


app = typer.Typer(
    help="Interlink: open platform for international police cooperation.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users of the member network.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(notices_app, name="notices")
app.add_typer(hits_app, name="hits")
app.add_typer(messages_app, name="messages")
app.add_typer(analysis_app, name="analysis")
app.add_typer(data_protection_app, name="data-protection")
app.add_typer(node_app, name="node")
app.command("import")(import_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.command("export")(export_command)
app.command("screen")(screen_command)
app.command("doctor")(doctor_command)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration and make sure the member network (countries, bureaus) exists."""
    from interlink.members.service import ensure_network

    settings = load_settings()
    with open_session(settings, upgrade=True) as session:
        added = ensure_network(session)
        session.commit()
    console.print(f"database at head; {added} network rows added")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[
        Role, typer.Option(help="officer, supervisor, reviewer, operator, analyst, auditor, admin")
    ],
    country: Annotated[
        str, typer.Option(help="Bureau: member alpha-2 code, or SEC for the secretariat")
    ],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    full_name: str = "",
) -> None:
    """Create a user in a bureau."""
    from interlink.members.schemas import UserCreate
    from interlink.members.service import create_user

    try:
        data = UserCreate(
            username=username, role=role, country=country, password=password, full_name=full_name
        )
    except ValidationError as exc:
        problems = "; ".join(f"--{'-'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise fail(problems) from exc
    with open_session(load_settings()) as session:
        user = create_user(session, data, actor=None)
        session.commit()
        console.print(f"created {user.username} ({user.role}, {user.bureau.code})")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the API and console (needs INTERLINK_SECRET_KEY, of your own)."""
    from interlink.core.demo_key import is_demo_key

    settings = load_settings()
    if settings.secret_key:
        with open_session(settings) as session:
            if is_demo_key(session, settings.secret_key):
                raise fail(
                    "INTERLINK_SECRET_KEY is the demo's key kept in the database: anyone "
                    "who reads the database knows it; set a random key of your own"
                )
    _serve(settings, host, port, workers)


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from interlink.app import create_app
    from interlink.core import metrics

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Before any worker counts: the files of an earlier run would add to this one's.
        metrics.prepare_multiprocess_dir(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    try:
        application = create_app(settings)
    except (WeakSecretError, CheckpointError) as exc:
        raise fail(str(exc)) from exc
    console.print(f"Interlink serving on http://{host}:{port}  (API docs: /docs)")
    if workers > 1:
        # Worker processes import the app themselves (settings from the environment);
        # each keeps its own screening index.
        uvicorn.run(
            "interlink.cli:serving_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            timeout_graceful_shutdown=GRACE_SECONDS,
            proxy_headers=False,  # the app believes INTERLINK_TRUSTED_PROXIES only
        )
        return
    uvicorn.run(
        Gate(application, settings.requests_in_flight),
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=GRACE_SECONDS,
        proxy_headers=False,
    )


@app.command()
def demo(
    seed_only: Annotated[bool, typer.Option("--seed-only", help="Seed and exit")] = False,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Migrate and seed the embedded demo network (idempotent), then serve it."""
    from interlink.core.demo_key import demo_key, kept_demo_key
    from interlink.demo import DEMO_PASSWORD, demo_logins, seed_demo
    from interlink.messaging.demo import renew_unopenable_keys

    settings = load_settings()
    if settings.secret_key:  # one of your own: it must be good
        try:
            settings.ensure_secure()
        except WeakSecretError as exc:
            raise fail(str(exc)) from exc
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        open_session(settings, upgrade=True) as session,
        Progress(*columns, console=console) as bar,
    ):
        tasks: dict[str, TaskID] = {}

        def progress(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(f"seeding {what}", total=total)
            bar.update(tasks[what], completed=done)

        # Without a key of your own, the demo's: random, kept with its database.
        first_key = not settings.secret_key and kept_demo_key(session) is None
        secret = settings.secret_key or demo_key(session)
        if first_key:  # a demo of an earlier version sealed its keys with the source's
            renew_unopenable_keys(session, secret)
        summary = seed_demo(session, progress, secret=secret)
        session.commit()
    settings = settings.model_copy(update={"secret_key": secret})
    created = ", ".join(f"{n} {what}" for what, n in summary.created.items() if n) or "nothing new"
    console.print(f"demo network ready at {settings.database_url} ({created})")
    table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
    table.add_column("login")
    table.add_column("who")
    for login, who in demo_logins():
        table.add_row(login, who)
    console.print(table)
    if not seed_only:
        _serve(settings, host, port)


if __name__ == "__main__":
    app()
