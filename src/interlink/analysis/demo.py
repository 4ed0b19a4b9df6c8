"""Demo data for the early warnings: travel documents of one country screened at five
borders over the last days (a spike), after a quieter history of about one hit a week
over the previous two months; some of the spike confirmed by the owner.

Made through the hit services as the bureaus would, at past times; seeded once (the
hits carry ``NOTE``, so a second run finds them and adds nothing). The spike is dated
from the moment of seeding, so it shows as a warning in the week after.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import VisibilityMode
from interlink.core.types import utcnow
from interlink.hits.models import Hit
from interlink.hits.service import answer_confirmation, report_hit, request_confirmation
from interlink.members.auth import actor_named
from interlink.members.models import Bureau
from interlink.records.models import Record

__all__ = ["NOTE", "seed_warning_demo"]

Progress = Callable[[str, int, int], None]

NOTE = "demo: document presented at a border crossing"
INSTRUCTIONS = "seize the document, hold the traveller"
OWNERS = ["PL", "RO", "UA", "BG", "HU"]
"""Whose documents, in order of preference (the first with enough shared ones)."""
BORDERS = ["DE", "AT", "CZ", "NL", "IT"]
SPIKE_HOURS = [3, 9, 20, 27, 33, 46, 52, 70, 75, 94, 100, 118]
"""When the spike's hits were made, hours before seeding (the last five days)."""
HISTORY_DAYS = [10, 17, 23, 31, 38, 45, 52, 60]
"""One hit on each of these days before seeding (about one a week)."""


def _documents(session: Session) -> tuple[str, list[Record]] | None:
    for country in OWNERS:
        owner = session.scalars(select(Bureau.id).where(Bureau.code == country)).first()
        shared = session.scalars(
            select(Record)
            .where(
                Record.owner_bureau_id == owner,
                Record.kind == "travel-documents",
                Record.visibility_mode == VisibilityMode.ALL_MEMBERS.value,
                Record.deleted_at.is_(None),
            )
            .order_by(Record.source_id)
        ).all()
        if len(shared) >= 4:
            # Stolen ones first: the example of the issue is a batch of stolen passports.
            stolen = sorted(shared, key=lambda r: r.data.get("status") not in ("stolen",
                            "blank_stolen"))  # fmt: skip
            return country, stolen
    return None


def seed_warning_demo(session: Session, progress: Progress) -> int:
    found = _documents(session)
    if found is None:
        return 0
    country, documents = found
    made_before = session.scalars(
        select(Hit.explanation).where(Hit.record_id.in_([d.id for d in documents]))
    ).all()
    if any(explanation.get("reported") == NOTE for explanation in made_before):
        return 0
    now = utcnow()
    owner = actor_named(session, f"{country.lower()}.officer")
    plan = [(now - timedelta(days=d, hours=5), 0) for d in HISTORY_DAYS]
    plan += [(now - timedelta(hours=h), 1) for h in SPIKE_HOURS]
    for index, (moment, spike) in enumerate(plan):
        border = BORDERS[index % len(BORDERS)] if spike else BORDERS[index % 2]
        screener = actor_named(session, f"{border.lower()}.officer")
        document = documents[index % len(documents)]
        query = {"document": {"number": document.data.get("number"), "issuing_country": country}}
        hit, _ = report_hit(session, document.id, query, NOTE, actor=screener, now=moment)
        if spike and index % 3 == 0:
            request_confirmation(session, hit.id, "urgent", "traveller held at the desk",
                                 actor=screener, now=moment)  # fmt: skip
            answer_confirmation(session, hit.id, "confirmed", INSTRUCTIONS, actor=owner,
                                now=moment + timedelta(minutes=7))  # fmt: skip
        progress("early-warning demo", index + 1, len(plan))
    return len(plan)
