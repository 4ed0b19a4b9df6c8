"""``interlink data-protection retention-due --as USER``: the records past their
retention period that USER's bureau (or, for a secretariat reviewer, any bureau) must
review; ``requests``: the data-protection requests open, soonest due first."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.core.clikit import console, fail, load_settings, open_session
from interlink.core.errors import AppError
from interlink.core.types import utcnow
from interlink.dataprotection.retention import due_for_review
from interlink.dataprotection.service import list_requests
from interlink.members.auth import actor_for_user
from interlink.members.models import User

__all__ = ["data_protection_app"]

data_protection_app = typer.Typer(
    help="Requests about personal data, and retention review.", no_args_is_help=True
)
AsUser = Annotated[str, typer.Option("--as", help="The user whose view to take")]


def _actor(session: Session, username: str) -> Actor:
    account = session.scalars(select(User).where(User.username == username)).first()
    if account is None or not account.active:
        raise fail(f"--as: no active user {username!r}")
    return actor_for_user(account)


@data_protection_app.command("retention-due")
def retention_due_command(
    as_user: AsUser,
    kind: Annotated[str | None, typer.Option(help="Only this kind (persons, ...)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
) -> None:
    """List the records past their retention period, longest overdue first."""
    with open_session(load_settings()) as session:
        try:
            due = due_for_review(
                session, actor=_actor(session, as_user), now=utcnow(), kind=kind, limit=limit
            )
        except AppError as exc:
            raise fail(exc.detail) from None
    table = Table("record", "kind", "owner", "kept since", "review due", "title")
    for row in due:
        table.add_row(str(row["record_id"]), row["kind"], row["owner"],
                      f"{row['kept_since']:%Y-%m-%d}", f"{row['review_due']:%Y-%m-%d}",
                      row["title"])  # fmt: skip
    console.print(table)
    console.print(f"{len(due)} record(s) due for review")


@data_protection_app.command("requests")
def requests_command(
    as_user: AsUser,
    status: Annotated[str | None, typer.Option(help="consulting, ready or answered")] = None,
) -> None:
    """List data-protection requests, soonest due first."""
    with open_session(load_settings()) as session:
        try:
            found = list_requests(session, actor=_actor(session, as_user), status=status)
        except AppError as exc:
            raise fail(exc.detail) from None
        table = Table("reference", "kind", "status", "received", "due", "applicant")
        for request in found:
            dates = (f"{request.received_on}", f"{request.due_on}")
            table.add_row(request.reference, request.kind, request.status, *dates,
                          request.applicant)  # fmt: skip
    console.print(table)
    console.print(f"{len(found)} request(s)")
