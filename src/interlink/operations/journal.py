"""What every change to an operation or an incident leaves behind, written in the
caller's transaction: a timeline line, an audit entry and an event for the live feed
(the command centre and the countries taking part). Also the pieces both lifecycles
share: human references (``OP-2026-0001``) and member-country validation.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from interlink.access import Actor, Visibility, VisibilityMode
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.counters import next_number
from interlink.core.errors import InvalidInput
from interlink.core.events import publish
from interlink.members.service import COMMAND_CENTRE, SECRETARIAT_CODE, bureau_by_code
from interlink.operations.models import Incident, Operation, TimelineEntry

__all__ = [
    "LIVE_TOPICS",
    "audience",
    "member_countries",
    "member_country",
    "next_reference",
    "set_countries",
    "trace",
]

Subject = Operation | Incident


def next_reference(session: Session, prefix: str, year: int) -> str:
    """The next reference of the series (``OP-2026-0001``): one upsert on the shared
    reference counters, so two operators never get the same number."""
    return f"{prefix}-{year}-{next_number(session, f'{prefix}:{year}'):04d}"


def member_countries(session: Session, codes: list[str], field: str) -> list[str]:
    """``codes`` as sorted member-country codes; an error names the first bad one's field
    (``body.countries.2``)."""
    found: set[str] = set()
    for index, code in enumerate(codes):
        where = f"{field}.{index}"
        if code.strip().upper() == SECRETARIAT_CODE:
            raise InvalidInput(where, "a member country's code (the secretariat runs it)")
        found.add(bureau_by_code(session, code, field=where).code)
    return sorted(found)


def member_country(session: Session, code: str, field: str) -> str:
    if code.strip().upper() == SECRETARIAT_CODE:
        raise InvalidInput(field, "a member country's code, not the secretariat's")
    return bureau_by_code(session, code, field=field).code


def set_countries(subject: Subject, countries: list[str]) -> None:
    """Who takes part is who may read it (with the command centre, which sees all)."""
    mode = VisibilityMode.ONLY if countries else VisibilityMode.OWNER_ONLY
    subject.set_visibility(Visibility(mode=mode, countries=countries))


LIVE_TOPICS = tuple(
    [f"operation.{what}" for what in ("created", "updated", "activated", "closed",
     "target_added", "target_removed", "task_added", "task_updated", "result_added",
     "note_added")]
    + [f"incident.{what}" for what in ("created", "updated", "deployed", "closed",
       "team_added", "request_sent", "request_answered", "note_added")]
)  # fmt: skip
"""Every topic ``trace`` publishes (the command centre's page listens for each)."""


def audience(countries: list[str]) -> str:
    """The command centre and the countries taking part, packed for ``publish``."""
    return "," + ",".join([COMMAND_CENTRE, *countries]) + ","


def trace(
    session: Session,
    subject: Subject,
    what: str,
    text: str,
    *,
    actor: Actor,
    now: datetime,
    kind: str = "change",
    at: datetime | None = None,
    before: dict[str, Any] | None = None,
    private: dict[str, Any] | None = None,
    **details: Any,
) -> None:
    """Record a change: ``what`` names it in the audit entry and the event's topic
    (``operation.task_added``); ``text`` is the timeline's line; ``details`` go to the
    audit entry and the event, ``private`` ones (what a participant may not see, such
    as the notice or record a target is) to the audit entry only."""
    details = json.loads(json.dumps(details, default=str))  # ids and dates as the API shows them
    is_operation = isinstance(subject, Operation)
    object_type = "operation" if is_operation else "incident"
    session.add(
        TimelineEntry(
            operation_id=subject.id if is_operation else None,
            incident_id=None if is_operation else subject.id,
            at=at or now,
            kind=kind,
            text=text,
            author=actor.name,
            bureau=actor.bureau_code,
        )
    )
    session.flush()
    audit(
        session,
        AuditAction.OPERATION if is_operation else AuditAction.INCIDENT,
        actor=actor,
        object_type=object_type,
        object_id=subject.id,
        before=before,
        after={"what": what, "status": subject.status, **details, **(private or {})},
    )
    title = subject.name if isinstance(subject, Operation) else subject.title
    publish(
        session,
        f"{object_type}.{what}",
        object_type=object_type,
        object_id=subject.id,
        owner=SECRETARIAT_CODE,
        audience=audience(subject.countries),
        payload={
            object_type: str(subject.id),
            "reference": subject.reference,
            "status": subject.status,
            "title": f"{subject.reference} {title}: {text}",
            "by": actor.bureau_code,
            **details,
        },
    )
