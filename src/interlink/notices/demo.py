"""Demo notices and diffusions: every type, in every status of the workflow, requested by
a dozen bureaus about their own demo records, with public Red, Yellow and UN extracts.

Made through the services and the workflow (as bureaus and reviewers would), so the
demo's notices carry real references, flags, transitions, audit entries and events.
Seeded once: a database that already has demo notices is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.members.auth import actor_named
from interlink.notices.models import Notice
from interlink.notices.schemas import DiffusionCreate, NoticeCreate, TransitionBody
from interlink.notices.service import create_notice, send_diffusion
from interlink.notices.transitions import apply_transition
from interlink.notices.types import NoticeType
from interlink.records.models import Record

__all__ = ["seed_notices"]

Progress = Callable[[str, int, int], None]

REQUESTERS = ["FR", "DE", "IT", "ES", "GB", "US", "BR", "NG", "JP", "IN", "TR", "PL"]

# The status each demo notice is brought to, in turn.
STATUSES = [
    "published", "draft", "submitted", "under_review", "returned", "published", "refused",
    "revised", "review_due", "cancelled", "published",
]  # fmt: skip

OFFENCES = [
    ("Armed robbery", "Criminal code, robbery with a weapon", 240),
    ("Drug trafficking", "Narcotics act, trafficking in large quantities", 360),
    ("Murder", "Criminal code, intentional homicide", 1200),
    ("Money laundering", "Anti-money laundering act", 120),
    ("Aggravated fraud", "Criminal code, organised fraud", 84),
    ("Kidnapping", "Criminal code, abduction", 240),
    ("Human trafficking", "Trafficking in persons act", 240),
]


def _records(session: Session, country: str, kind: str) -> list[Record]:
    return list(
        session.scalars(
            select(Record)
            .where(Record.kind == kind, Record.source_id.like(f"demo-{country}-%"))
            .order_by(Record.source_id)
        )
    )


def _named(records: list[Record]) -> list[Record]:
    return [r for r in records if r.data.get("family_name") and r.data.get("date_of_birth")]


def _data(
    notice_type: NoticeType, country: str, index: int, records: dict[str, list[Record]]
) -> dict[str, Any] | None:
    persons = _named(records["persons"]) or records["persons"]
    if not persons:
        return None
    person = persons[index % len(persons)]
    subject = {"record_id": str(person.id), "fingerprints": True}
    offence, law, months = OFFENCES[index % len(OFFENCES)]
    summary = f"{offence} committed in {country} in 2025; the suspect left the country."
    if notice_type is NoticeType.RED:
        return {
            "person": subject,
            "purpose": "prosecution",
            "charges": [{"offence": offence, "law": law, "max_penalty_months": months}],
            "warrant": {
                "issuing_authority": f"Investigating judge, {country}",
                "issuing_country": country,
                "date": "2026-01-15",
                "reference": f"AW-{country}-{index:03d}",
            },
            "summary": summary,
        }
    if notice_type is NoticeType.BLUE:
        return {"person": subject, "information_sought": "current location and identity",
                "offence": offence, "summary": summary}  # fmt: skip
    if notice_type is NoticeType.GREEN:
        return {"person": subject, "criminal_activities": f"repeated {offence.lower()}",
                "threat": "likely to travel and reoffend", "summary": summary}  # fmt: skip
    if notice_type is NoticeType.YELLOW:
        missing = records["missing-persons"]
        if not missing:
            return None
        data = missing[index % len(missing)].data
        return {
            "person": {"record_id": str(missing[index % len(missing)].id)},
            "missing_since": data.get("last_seen_date") or "2026-09-01",
            "missing_place": data.get("last_seen_place") or "unknown",
            "missing_country": data.get("last_seen_country") or country,
            "summary": "Reported missing by the family; last seen near the railway station.",
        }
    if notice_type is NoticeType.BLACK:
        bodies = records["unidentified-bodies"]
        if not bodies:
            return None
        body = bodies[0]
        return {"body": {"record_id": str(body.id)}, "found_on": body.data["found_date"],
                "found_place": body.data["found_place"],
                "found_country": body.data["found_country"],
                "summary": "Body found without documents; no match in national files."}  # fmt: skip
    if notice_type is NoticeType.ORANGE:
        return {"threat_kind": "object", "threat": "parcel bombs disguised as books",
                "summary": "Three parcels intercepted in sorting centres this month."}  # fmt: skip
    if notice_type is NoticeType.PURPLE:
        return {"modus_operandi": "cocaine hidden in hollowed-out fruit in refrigerated containers",
                "concealment_methods": ["hollowed fruit", "false container floors"],
                "summary": "Seizures in three ports show the same method."}  # fmt: skip
    if notice_type is NoticeType.SILVER:
        assets = records["assets"]
        if not assets:
            return None
        return {"person": subject, "assets": [{"record_id": str(assets[0].id)}],
                "criminal_link": f"the account received the proceeds of {offence.lower()}",
                "summary": summary}  # fmt: skip
    return {"subject_type": "person", "person": subject,
            "sanctions_committee": "1267 Committee", "un_reference": f"QDi.{900 + index}",
            "measures": ["asset_freeze", "travel_ban"],
            "summary": "Listed for financing a listed terrorist group."}  # fmt: skip


def _clear_all(notice: Notice) -> TransitionBody:
    flags = (notice.pending or {}).get("flags") if notice.pending else notice.flags
    return TransitionBody.model_validate(
        {
            "resolutions": [
                {"flag": f["id"], "decision": "cleared", "reason": "ordinary-law crime, checked"}
                for f in flags or []
            ]
        }
    )


def _bring(session: Session, notice: Notice, status: str, actors: dict[str, Actor]) -> None:
    def step(action: str, who: str, **body: Any) -> None:
        payload = _clear_all(notice) if action == "publish" else TransitionBody(**body)
        apply_transition(session, "notice", str(notice.id), action, payload, actor=actors[who])

    if status == "draft":
        return
    step("submit", "officer")
    if status == "submitted":
        return
    step("approve", "supervisor")
    if status == "under_review":
        return
    if status in ("returned", "refused"):
        action = "return" if status == "returned" else "refuse"
        step(action, "reviewer", reason="the facts do not show the person's role: add them")
        return
    step("publish", "reviewer")
    if status == "revised":
        revised = {**notice.data, "summary": notice.data["summary"] + " New sightings reported."}
        step("revise", "officer", data=revised)
    elif status == "review_due":
        step("mark_review_due", "reviewer")
    elif status == "cancelled":
        step("cancel", "officer", cancel_reason="arrested", reason="arrested at the border")


def _plan() -> Iterator[tuple[int, str, NoticeType, str]]:
    index = 0
    for country in REQUESTERS:
        for notice_type in NoticeType:
            yield index, country, notice_type, STATUSES[index % len(STATUSES)]
            index += 1


def seed_notices(session: Session, progress: Progress) -> int:
    """Seed the demo notices and diffusions; returns how many were made (0 if present)."""
    if session.scalar(select(func.count()).select_from(Notice)):
        return 0
    reviewer = actor_named(session, "gs.reviewer")
    made = 0
    plan = list(_plan())
    for done, (index, country, notice_type, status) in enumerate(plan, 1):
        cc = country.lower()
        actors = {
            "officer": actor_named(session, f"{cc}.officer"),
            "supervisor": actor_named(session, f"{cc}.supervisor"),
            "reviewer": reviewer,
        }
        kinds = ("persons", "missing-persons", "unidentified-bodies", "assets")
        records = {kind: _records(session, country, kind) for kind in kinds}
        data = _data(notice_type, country, index, records)
        if data is not None:
            public = notice_type in (NoticeType.RED, NoticeType.YELLOW, NoticeType.UN)
            body = NoticeCreate(type=notice_type, data=data, public_extract=public)
            notice = create_notice(session, body, actor=actors["officer"])
            _bring(session, notice, status, actors)
            made += 1
        progress("notices", done, len(plan))
    made += _seed_diffusions(session, reviewer)
    return made


def _seed_diffusions(session: Session, reviewer: Actor) -> int:
    made = 0
    outcomes = ["sent", "cleared", "blocked", "sent"]
    for index, (country, recipients) in enumerate(
        [("FR", ["DE", "ES", "IT"]), ("DE", ["*"]), ("US", ["MX", "CA"]), ("ES", ["PT", "FR"])]
    ):
        officer = actor_named(session, f"{country.lower()}.officer")
        persons = _named(_records(session, country, "persons"))
        if not persons:
            continue
        data = {
            "person": {"record_id": str(persons[-1].id)},
            "information_sought": "whereabouts; arrest if found",
            "offence": OFFENCES[index][0],
            "summary": f"Urgent: suspect of {OFFENCES[index][0].lower()} may be travelling.",
        }
        body = DiffusionCreate(type=NoticeType.BLUE, data=data, recipients=recipients)
        diffusion = send_diffusion(session, body, actor=officer)
        outcome = outcomes[index]
        if outcome != "sent":
            payload = (
                _clear_all(diffusion)
                if outcome == "cleared"
                else TransitionBody(reason="the request does not show a link to a crime")
            )
            action = "clear" if outcome == "cleared" else "block"
            apply_transition(
                session, "diffusion", str(diffusion.id), action, payload, actor=reviewer
            )
        made += 1
    return made
