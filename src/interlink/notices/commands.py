"""``interlink notices review-due --as USER``: call up published notices whose five years
are over (run daily by the secretariat, e.g. from cron)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from interlink.core.clikit import console, fail, load_settings, open_session
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.notices.transitions import mark_reviews_due

__all__ = ["notices_app"]

notices_app = typer.Typer(help="Notices and diffusions.", no_args_is_help=True)


@notices_app.command("review-due")
def review_due_command(
    as_user: Annotated[str, typer.Option("--as", help="A secretariat reviewer")],
) -> None:
    """Move every published notice due for its five-year review to ``review_due``."""
    settings = load_settings()
    with open_session(settings) as session:
        account = session.scalars(select(User).where(User.username == as_user)).first()
        if account is None or not account.active:
            raise fail(f"--as: no active user {as_user!r}")
        due = mark_reviews_due(session, actor=actor_for_user(account))
        session.commit()
        for notice in due:
            console.print(f"{notice.reference}  {notice.type}  {notice.title}")
        console.print(f"{len(due)} notice(s) now due for review")
