"""Demo command-centre work: one active operation against a vehicle-theft and fraud
network across five European countries (targets drawn from the demo notices and
records, tasks some done, results reported) and one open incident with a request to a
member. Made through the services, as the command centre and the bureaus would, at
times over the last days. Each is seeded once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import VisibilityMode
from interlink.core.types import utcnow
from interlink.members.auth import actor_named
from interlink.members.models import Bureau
from interlink.notices.models import Notice
from interlink.operations import incidents, service
from interlink.operations.models import Incident, Operation
from interlink.operations.schemas import (
    IncidentCreate,
    NoteCreate,
    OperationCreate,
    RequestCreate,
    ResultCreate,
    TargetRef,
    TaskCreate,
    TaskUpdate,
    TeamMemberCreate,
)
from interlink.records.models import Record

__all__ = ["seed_operations"]

Progress = Callable[[str, int, int], None]

COUNTRIES = ["DE", "ES", "FR", "IT", "NL"]
TASKS = [
    ("FR", "Search the garages in Lyon and Marseille", True),
    ("DE", "Watch the A5 border crossings for the listed vehicles", True),
    ("ES", "Check the port of Algeciras for re-exported vehicles", False),
    ("IT", "Trace the payments to the Milan accounts", False),
    ("NL", "Interview the Rotterdam shipping agent", False),
]
RESULTS = [
    ("FR", "arrest", 3, "Three members of the ring arrested in Lyon"),
    ("DE", "seizure", 7, "Seven stolen vehicles seized at the border"),
    ("ES", "located_person", 1, "A wanted person located in Algeciras"),
]


def _targets(session: Session) -> list[TargetRef]:
    """Published notices and shared vehicle records of the participating countries."""
    owners = select(Bureau.id).where(Bureau.code.in_(COUNTRIES))
    notices = session.scalars(
        select(Notice.id)
        .where(Notice.kind == "notice", Notice.status == "published")
        .where(Notice.owner_bureau_id.in_(owners))
        .order_by(Notice.reference)
        .limit(3)
    ).all()
    vehicles = session.scalars(
        select(Record.id)
        .where(
            Record.kind == "vehicles",
            Record.visibility_mode == VisibilityMode.ALL_MEMBERS.value,
            Record.deleted_at.is_(None),
            Record.owner_bureau_id.in_(owners),
        )
        .order_by(Record.source_id)
        .limit(3)
    ).all()
    return [TargetRef(notice_id=n) for n in notices] + [TargetRef(record_id=r) for r in vehicles]


def _operation(session: Session, now: datetime) -> None:
    operator = actor_named(session, "ccc.operator")
    started = now - timedelta(days=3)
    body = OperationCreate(
        name="Operation Lionfish",
        objective="Dismantle the network stealing vehicles in France and Germany and "
        "shipping them through Spain and the Netherlands; trace the proceeds.",
        start_date=started.date(),
        end_date=(now + timedelta(days=11)).date(),
        countries=COUNTRIES,
        targets=_targets(session),
    )
    operation = service.create_operation(session, body, actor=operator, now=started)
    ident = operation.reference
    due = (now + timedelta(days=4)).date()
    tasks = {
        country: service.add_task(
            session, ident, TaskCreate(title=title, country=country, due=due),
            actor=operator, now=started,
        ).id
        for country, title, _ in TASKS
    }  # fmt: skip
    service.transition_operation(
        session, ident, "activate", actor=operator, now=now - timedelta(days=2)
    )
    note = NoteCreate(text="Coordination meeting held; teams in position at 05:00 UTC.")
    service.add_note(session, ident, note, actor=operator, now=now - timedelta(days=2))
    for country, _, done in TASKS:
        if done:  # marked done by the bureau it was assigned to
            officer = actor_named(session, f"{country.lower()}.officer")
            service.update_task(session, ident, tasks[country], TaskUpdate(done=True),
                                actor=officer, now=now - timedelta(days=1))  # fmt: skip
    for index, (country, kind, count, description) in enumerate(RESULTS):
        officer = actor_named(session, f"{country.lower()}.officer")
        result = ResultCreate(kind=kind, count=count, description=description)
        service.add_result(session, ident, result, actor=officer,
                           now=now - timedelta(hours=20 - index * 6))  # fmt: skip


def _incident(session: Session, now: datetime) -> None:
    operator = actor_named(session, "ccc.operator")
    body = IncidentCreate(
        title="Container of firearms found at the port",
        description="Customs opened a container declared as machine parts and found 40 "
        "assault rifles; the consignee company is registered in Germany.",
        country="NL",
        place="Port of Rotterdam, Maasvlakte terminal",
        occurred_at=now - timedelta(hours=5),
        team=[
            TeamMemberCreate(name="Incident Response Team leader", role="coordination"),
            TeamMemberCreate(name="Firearms expert (secretariat)", role="tracing"),
        ],
        requests=[
            RequestCreate(
                country="DE",
                text="Identify the directors of the consignee company and its premises.",
            )
        ],
    )
    incident = incidents.create_incident(
        session, body, actor=operator, now=now - timedelta(hours=4)
    )
    note = NoteCreate(text="Serial numbers sent for tracing.")
    incidents.add_incident_note(session, incident.reference, note, actor=operator,
                                now=now - timedelta(hours=3))  # fmt: skip


def seed_operations(session: Session, progress: Progress) -> int:
    """Seed what is missing; returns how many operations and incidents were made."""
    now = utcnow()
    made = 0
    if not session.scalar(select(func.count()).select_from(Operation)):
        _operation(session, now)
        made += 1
    progress("operations", 1, 2)
    if not session.scalar(select(func.count()).select_from(Incident)):
        _incident(session, now)
        made += 1
    progress("operations", 2, 2)
    return made
