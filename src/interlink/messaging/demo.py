"""Demo message threads: bureaus asking and answering each other, a broadcast alert, a
request to the command centre, a report to the secretariat with an attachment, some
read. Sent through the service (signed by each bureau's key, announced live). Seeded
once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.core.types import utcnow
from interlink.members.auth import actor_named
from interlink.messaging.models import BureauKey, Message
from interlink.messaging.schemas import MessageCreate
from interlink.messaging.service import get_message, send_message
from interlink.messaging.signing import SigningUnavailable, new_key, signing_key

__all__ = ["renew_unopenable_keys", "seed_messages"]

Progress = Callable[[str, int, int], None]

REPORT = b"Operational report\nSeizure of 42 kg of cocaine at the port; two arrests.\n"

# (sender, recipients, priority, subject, body, replies: (sender, body)...)
THREADS = [
    ("FR", ["DE", "IT"], "urgent", "Suspect of armed robberies may cross into Germany",
     "Our suspect in the Lyon jewellery robberies was seen driving towards Strasbourg. "
     "Please alert border posts.",
     [("DE", "Border posts on the A5 and A35 alerted. We will report any sighting."),
      ("FR", "Thank you. Vehicle: grey Peugeot 508, plate GH-204-KT.")]),
    ("ES", ["PT", "FR"], "routine", "Stolen vehicles shipped through Algeciras",
     "We have seen a pattern of stolen SUVs exported through Algeciras with forged papers.",
     [("PT", "Two of the VINs you listed match vehicles stolen in Porto last month.")]),
    ("US", ["*"], "flash", "Alert: counterfeit passport series in circulation",
     "High-quality counterfeits of a passport series have been detected at three airports. "
     "Check the security features described in the attached guidance.", []),
    ("IT", ["CCC"], "urgent", "Request for operational support: kidnapping case",
     "We request the command centre's coordination for a kidnapping with links to four "
     "countries.", [("IT", "Update: the victim was located in Vienna, unharmed.")]),
    ("NL", ["SEC"], "routine", "Report on the Rotterdam seizure",
     "Please find our report on last week's seizure attached.", []),
]  # fmt: skip


def _officer(session: Session, country: str) -> Actor:
    return actor_named(session, f"{country.lower()}.officer")


def renew_unopenable_keys(session: Session, secret: str) -> int:
    """Give a new key to every bureau whose current key ``secret`` cannot open; how many.

    For a demo database seeded by an earlier version, whose keys were sealed with the key
    that was in the source, when the demo gets a key of its own. (What the old keys signed
    still verifies: their public halves stay.)"""
    bureaus = session.scalars(
        select(BureauKey.bureau_id).where(BureauKey.retired_at.is_(None)).distinct()
    ).all()
    renewed = 0
    for bureau_id in bureaus:
        try:
            signing_key(session, bureau_id, secret)
        except SigningUnavailable:
            new_key(session, bureau_id, secret)
            renewed += 1
    return renewed


def seed_messages(session: Session, progress: Progress, secret: str) -> int:
    """The demo's threads, signed with bureau keys sealed by ``secret`` (the key the demo
    server signs with)."""
    if session.scalar(select(func.count()).select_from(Message)):
        return 0
    start = utcnow() - timedelta(hours=6)
    made = 0
    for number, (sender, recipients, priority, subject, body, replies) in enumerate(THREADS):
        at = start + timedelta(minutes=40 * number)
        files: list[tuple[str | None, bytes]] = [("report.txt", REPORT)] if sender == "NL" else []
        first = send_message(
            session,
            MessageCreate(recipients=recipients, priority=priority, subject=subject, body=body),
            files,
            actor=_officer(session, sender),
            secret=secret,
            now=at,
        )
        made += 1
        parent = first
        for offset, (author, text) in enumerate(replies, start=1):
            to = [sender] if author != sender else [r for r in recipients if r != "*"]
            actor = _officer(session, author)
            # The reply's author has read what it answers.
            get_message(session, parent.id, actor=actor, now=at + timedelta(minutes=offset * 9))
            parent = send_message(
                session,
                MessageCreate(
                    recipients=to or ["SEC"], priority=priority, subject=f"Re: {subject}",
                    body=text, reply_to=parent.id,
                ),
                [],
                actor=actor,
                secret=secret,
                now=at + timedelta(minutes=offset * 10),
            )  # fmt: skip
            made += 1
        progress("messages", number + 1, len(THREADS))
    return made
