"""``interlink messages verify [ID ...]``: check the signatures of messages (all of them
by default), with the keys' public halves; exit 1 naming every message that fails."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy import func, select

from interlink.core.clikit import console, err, fail, load_settings, open_session
from interlink.members.service import bureau_by_code
from interlink.messaging.models import Message
from interlink.messaging.service import verify_message
from interlink.messaging.signing import new_key

__all__ = ["messages_app"]

messages_app = typer.Typer(help="Secure messages.", no_args_is_help=True)


@messages_app.command("verify")
def verify_command(
    ids: Annotated[list[str] | None, typer.Argument(help="Message ids (default: all)")] = None,
) -> None:
    """Verify each message's signature against its content and its bureau's key."""
    chosen: list[uuid.UUID] = []
    for value in ids or []:
        try:
            chosen.append(uuid.UUID(value))
        except ValueError:
            raise fail(f"{value!r} is not a message id") from None
    with open_session(load_settings()) as session:
        query = select(Message).order_by(Message.sent_at, Message.id)
        if chosen:
            query = query.where(Message.id.in_(chosen))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        if chosen and total != len(chosen):
            raise fail("no such message: " + ", ".join(str(i) for i in chosen))
        bad = 0
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("verifying", total=total)
            for message in session.scalars(query.execution_options(yield_per=500)):
                result = verify_message(session, message)
                if not result.valid:
                    bad += 1
                    err.print(f"[bold red]invalid[/] {message.id}: {result.reason}")
                bar.advance(task)
    if bad:
        console.print(f"{bad} of {total} message(s) fail verification")
        raise typer.Exit(1)
    console.print(f"{total} message(s) verified: signed by their bureaus, unchanged")


@messages_app.command("new-key")
def new_key_command(
    bureau: Annotated[str, typer.Argument(help="The bureau's code (FR, SEC ...)")],
) -> None:
    """Retire a bureau's signing key and issue a new one, sealed with this server's
    INTERLINK_SECRET_KEY (after a change of secret; on a demo database without one, with
    the demo's own key). Old messages still verify."""
    from interlink.core.demo_key import kept_demo_key

    settings = load_settings()
    with open_session(settings) as session:
        found = bureau_by_code(session, bureau.upper(), field="BUREAU")
        secret = settings.secret_key or kept_demo_key(session)
        if not secret:
            raise fail("INTERLINK_SECRET_KEY is not set: the new key is sealed with it")
        key, _ = new_key(session, found.id, secret)
        session.commit()
        console.print(f"bureau {found.code}: new signing key {key.id} ({key.public_key})")
