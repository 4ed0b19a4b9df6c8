"""``interlink hits escalate``: escalate confirmation requests past their deadline (the
server does it every ``INTERLINK_WATCH_SECONDS``; this is for cron or by hand)."""

from __future__ import annotations

import typer

from interlink.core.clikit import console, load_settings, open_session
from interlink.core.types import utcnow
from interlink.hits.service import escalate_overdue

__all__ = ["hits_app"]

hits_app = typer.Typer(help="Hits and their confirmations.", no_args_is_help=True)


@hits_app.command("escalate")
def escalate_command() -> None:
    """Escalate every overdue confirmation request to the command centre (once each)."""
    with open_session(load_settings()) as session:
        escalated = escalate_overdue(session, now=utcnow())
        session.commit()
        for hit in escalated:
            console.print(f"{hit.id}  {hit.record_kind}  due {hit.due_at:%Y-%m-%d %H:%M} UTC")
        console.print(f"{len(escalated)} overdue confirmation request(s) escalated")
