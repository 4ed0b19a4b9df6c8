"""Demo hits: bureaus' screenings that found other bureaus' records, with confirmations
open, answered, overdue and escalated, and outcomes with their follow-ups. Made through
the services (as the bureaus would), at times spread over the last hours so that some
requests are past their deadline. Seeded once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Actor, VisibilityMode
from interlink.core.types import utcnow
from interlink.hits.models import Hit
from interlink.hits.service import (
    answer_confirmation,
    escalate_overdue,
    record_outcome,
    report_hit,
    request_confirmation,
)
from interlink.members.auth import actor_named
from interlink.members.service import bureau_code
from interlink.records.models import Record
from interlink.screening.schemas import ScreenRequest

__all__ = ["seed_hits"]

Progress = Callable[[str, int, int], None]

SCREENERS = ["DE", "FR", "ES", "IT", "NL", "US", "GB", "TR"]
# What becomes of each demo hit, in turn.
PLAN = [
    "open", "urgent_open", "routine_open", "overdue", "confirmed", "not_same",
    "more_information", "arrested", "seized", "overdue",
]  # fmt: skip


def _query(record: Record) -> dict[str, Any]:
    """What the screening that found ``record`` asked, as a screening body."""
    data = record.data
    if record.kind == "travel-documents":
        asked: dict[str, Any] = {"document": {"number": data["number"]}}
    elif record.kind == "vehicles":
        asked = {"vehicle": {"vin": data["vin"]} if data.get("vin") else {"plate": data["plate"]}}
    else:
        asked = {"person": {"name": record.title}}
    return ScreenRequest.model_validate(asked).model_dump(mode="json", exclude_none=True)


def _officer(session: Session, country: str) -> Actor:
    return actor_named(session, f"{country.lower()}.officer")


def seed_hits(session: Session, progress: Progress) -> int:
    if session.scalar(select(func.count()).select_from(Hit)):
        return 0
    shared = session.scalars(
        select(Record)
        .where(
            Record.visibility_mode == VisibilityMode.ALL_MEMBERS.value,
            Record.kind.in_(["persons", "travel-documents", "vehicles"]),
            Record.deleted_at.is_(None),
        )
        .order_by(Record.source_id)
        .limit(200)
    ).all()
    made = 0
    now = utcnow()
    for index, fate in enumerate(PLAN * 2):
        screener = _officer(session, SCREENERS[index % len(SCREENERS)])
        record = next(
            (r for r in shared[index * 7 :] if r.owner_bureau_id != screener.bureau_id), None
        )
        if record is None:
            continue
        owner_code = bureau_code(session, record.owner_bureau_id)
        answerer = _officer(session, owner_code)
        started = now - timedelta(minutes=90 - index * 3)
        hit, _ = report_hit(
            session, record.id, _query(record), "demo screening", actor=screener, now=started
        )
        if fate == "open":
            pass
        elif fate in ("urgent_open", "overdue"):
            asked_at = now - timedelta(minutes=5 if fate == "urgent_open" else 25)
            request_confirmation(session, hit.id, "urgent", "traveller held at the desk",
                                 actor=screener, now=asked_at)  # fmt: skip
        else:
            request_confirmation(session, hit.id, "routine", None, actor=screener, now=started)
            if fate in ("confirmed", "arrested", "seized"):
                answer_confirmation(session, hit.id, "confirmed", "arrest and inform us",
                                    actor=answerer, now=started + timedelta(minutes=6))  # fmt: skip
            elif fate in ("not_same", "more_information"):
                details = "send fingerprints" if fate == "more_information" else None
                answer_confirmation(session, hit.id, fate, details, actor=answerer,
                                    now=started + timedelta(minutes=20))  # fmt: skip
            if fate in ("arrested", "seized"):
                record_outcome(session, hit.id, fate, "demo outcome", actor=screener,
                               now=started + timedelta(minutes=40))  # fmt: skip
        made += 1
        progress("hits", index + 1, len(PLAN) * 2)
    escalate_overdue(session, now=now)
    return made
