"""Requesting notices and diffusions: drafting, editing, sending, the subjects and
criteria a request is checked against, and what every change writes.

Transitions live in ``transitions.py``, reads in ``reads.py``. A notice's visibility
columns follow its status (``exposure``), so the one access policy answers for it;
every change writes its transition row, audit entry and event in the same transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import interlink.changes.log  # noqa: F401  (logs every change made through the ORM)
from interlink.access import (
    Action,
    Actor,
    Permission,
    Visibility,
    VisibilityMode,
    check_permission,
    restrict,
)
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.counters import next_number
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.events import publish
from interlink.core.types import utcnow
from interlink.members.service import bureau_by_code, bureau_code
from interlink.node.guard import require_writable
from interlink.notices.models import (
    Notice,
    NoticeSubject,
    NoticeTransition,
)
from interlink.notices.reads import load_notice
from interlink.notices.rules import check_criteria, compliance_flags
from interlink.notices.schemas import DiffusionCreate, NoticeCreate, NoticeUpdate
from interlink.notices.types import (
    PUBLIC_TYPES,
    SUBJECT_KINDS,
    TYPE_MODELS,
    NoticeType,
    PersonSubject,
    _Request,
    dump,
    subject_links,
)
from interlink.notices.workflow import LIVE, Status
from interlink.records.kinds import fold
from interlink.records.models import Record, RecordFile
from interlink.records.service import validation_to_invalid_input

__all__ = [
    "carry_resolutions",
    "check_requester",
    "create_notice",
    "exposure",
    "log_transition",
    "next_reference",
    "prepare_data",
    "send_diffusion",
    "set_subjects",
    "update_notice",
]

_EDITABLE = (Status.DRAFT, Status.RETURNED)


def next_reference(session: Session, kind: str, year: int) -> str:
    """The next human reference of the series (``2026/00123``; diffusions ``D-2026/00045``).
    One upsert in the caller's transaction: two requests never share a number, even the
    first two of a year on PostgreSQL."""
    number = next_number(session, f"{kind}:{year}")
    prefix = "D-" if kind == "diffusion" else ""
    return f"{prefix}{year}/{number:05d}"


def _person_from_record(person: PersonSubject, record: Record, has_photo: bool) -> dict[str, Any]:
    """The person's identifiers: the notice's own, completed from the record."""
    data = record.data
    given = person.model_dump(mode="json", exclude_none=True)
    defaults: dict[str, Any] = {
        "family_name": data.get("family_name"),
        "forename": data.get("given_name"),
        "sex": data.get("sex"),
        "date_of_birth": data.get("date_of_birth"),
        "place_of_birth": data.get("place_of_birth"),
        "country_of_birth": data.get("country_of_birth"),
        "nationalities": data.get("nationalities") or None,
        "distinguishing_marks": data.get("distinguishing_marks"),
        "physical_description": data.get("physical_description"),
        "identity_documents": data.get("identity_documents") or None,
    }
    if not (defaults["family_name"] or defaults["forename"]):
        defaults["family_name"] = data.get("full_name") or data.get("original_script_name")
    merged = {k: v for k, v in defaults.items() if v is not None}
    for key, value in given.items():
        if value not in (None, [], False) or key not in merged:
            merged[key] = value
    merged["photo"] = has_photo  # an image attached to the record, not a claim
    return merged


def prepare_data(
    session: Session, notice_type: NoticeType, raw: dict[str, Any], actor: Actor
) -> tuple[_Request, list[tuple[str, uuid.UUID]]]:
    """``raw`` validated as ``notice_type``'s data, its subjects checked (records the actor
    may read, of the right kind), the person completed from its record, the criteria met.
    Returns the data and the subjects (role, record id)."""
    model = TYPE_MODELS[notice_type]
    try:
        data = model.model_validate(raw)
    except ValidationError as exc:
        raise validation_to_invalid_input(exc, prefix="body.data") from None
    subjects = []
    for field, role, record_id in subject_links(data):
        record = session.scalars(
            restrict(select(Record).where(Record.id == record_id), actor, Action.READ)
        ).first()
        if record is None or record.deleted_at is not None:
            raise InvalidInput(f"body.data.{field}", f"no record {record_id} that you may read")
        if record.owner_bureau_id != actor.bureau_id:
            # A notice circulates its subject's data to every member (and a public extract
            # to anyone): only the bureau that owns the data may request it.
            raise InvalidInput(
                f"body.data.{field}", "a notice is about records of the requesting bureau"
            )
        if record.kind not in SUBJECT_KINDS[role]:
            kinds = " or ".join(SUBJECT_KINDS[role])
            raise InvalidInput(
                f"body.data.{field}", f"the {role} must be a {kinds} record, not {record.kind}"
            )
        if role == "person":
            has_photo = (
                session.scalar(
                    select(func.count())
                    .select_from(RecordFile)
                    .where(RecordFile.record_id == record.id)
                )
                or 0
            ) > 0
            person = getattr(data, "person")  # noqa: B009 - every type with a person has it
            raw = {**raw, "person": _person_from_record(person, record, has_photo)}
        subjects.append((role, record_id))
    if any(role == "person" for role, _ in subjects):
        try:
            data = model.model_validate(raw)
        except ValidationError as exc:
            raise validation_to_invalid_input(exc, prefix="body.data") from None
    check_criteria(notice_type, data)
    return data, subjects


def _describe(notice_type: NoticeType, data: _Request) -> tuple[str, str]:
    """The notice's title and the words it is found by."""
    person = getattr(data, "person", None)
    words: list[str] = [notice_type.value, data.summary]
    if isinstance(person, PersonSubject):
        name = " ".join(p for p in (person.forename, person.family_name) if p) or "(unnamed)"
        words.append(name)
    else:
        entity = getattr(data, "entity", None)
        named = getattr(entity, "name", None) or getattr(data, "modus_operandi", None)
        name = str(named or getattr(data, "found_place", None) or notice_type.value)
        words.append(name)
    for charge in getattr(data, "charges", None) or []:
        words.append(charge.offence)
    title = f"{notice_type.value.upper()}: {name}"[:400]
    return title, fold(" ".join(words))


def exposure(notice: Notice) -> Visibility:
    """Who may read the notice in its status (the owner and the secretariat always do)."""
    status = Status(notice.status)
    if notice.kind == "diffusion":
        if status in (Status.SENT, Status.CLEARED):
            if notice.recipients == "*":
                return Visibility(mode=VisibilityMode.ALL_MEMBERS)
            countries = [code for code in (notice.recipients or "").split(",") if code]
            return Visibility(mode=VisibilityMode.ONLY, countries=countries)
        return Visibility()
    if status in LIVE:
        mode = VisibilityMode.PUBLIC if notice.public_extract else VisibilityMode.ALL_MEMBERS
        return Visibility(mode=mode)
    return Visibility()


def set_subjects(session: Session, notice: Notice, subjects: list[tuple[str, uuid.UUID]]) -> None:
    session.query(NoticeSubject).filter(NoticeSubject.notice_id == notice.id).delete()
    for role, record_id in dict.fromkeys(subjects):
        session.add(NoticeSubject(notice_id=notice.id, record_id=record_id, role=role))


def log_transition(
    session: Session,
    notice: Notice,
    action: str,
    source: str | None,
    actor: Actor,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    audience: str | None = None,
) -> None:
    """The transition's row, audit entry and event, in the caller's transaction."""
    session.add(
        NoticeTransition(
            notice_id=notice.id,
            action=action,
            from_status=source,
            to_status=notice.status,
            version=notice.version,
            actor=actor.name,
            bureau=actor.bureau_code,
            reason=reason,
            details=details,
        )
    )
    session.flush()
    audit(
        session,
        AuditAction.NOTICE_TRANSITION,
        actor=actor,
        object_type=notice.kind,
        object_id=notice.id,
        before={"status": source} if source else None,
        after={
            "action": action,
            "status": notice.status,
            "reference": notice.reference,
            "version": notice.version,
            "reason": reason,
            **({"details": details} if details else {}),
        },
    )
    publish(
        session,
        f"{notice.kind}.{action}",
        object_type=notice.kind,
        object_id=notice.id,
        owner=bureau_code(session, notice.owner_bureau_id),
        audience=audience if audience is not None else ",SEC,",
        payload={
            "reference": notice.reference,
            "type": notice.type,
            "status": notice.status,
            "from": source,
            "title": notice.title,
        },
    )


def _check_public(notice_type: NoticeType, public: bool) -> None:
    if public and notice_type not in PUBLIC_TYPES:
        allowed = ", ".join(sorted(t.value for t in PUBLIC_TYPES))
        raise InvalidInput("body.public_extract", f"only {allowed} notices have public extracts")


def check_requester(actor: Actor) -> Actor:
    """The actor if it may request notices and diffusions (a bureau's officer), else
    ``Forbidden``."""
    check_permission(actor, Permission.NOTICES_REQUEST)
    if actor.is_secretariat:
        raise Forbidden("notices and diffusions are requested by a National Central Bureau")
    return actor


def _file(
    session: Session,
    kind: str,
    status: Status,
    notice_type: NoticeType,
    raw: dict[str, Any],
    actor: Actor,
    **columns: Any,
) -> Notice:
    """A new notice or diffusion of the actor's bureau, its subjects and first step."""
    data, subjects = prepare_data(session, notice_type, raw, actor)
    title, search_text = _describe(notice_type, data)
    notice = Notice(
        kind=kind,
        reference=next_reference(session, kind, utcnow().year),
        type=notice_type.value,
        status=status.value,
        data=dump(data),
        title=title,
        search_text=search_text,
        flags=compliance_flags(notice_type, data, actor.country),
        owner_bureau_id=actor.bureau_id,
        created_by=actor.name,
        updated_by=actor.name,
        **columns,
    )
    notice.set_visibility(exposure(notice))
    session.add(notice)
    session.flush()
    set_subjects(session, notice, subjects)
    first = "create" if kind == "notice" else "send"
    log_transition(session, notice, first, None, actor, audience=notice.recipients)
    return notice


def create_notice(session: Session, body: NoticeCreate, *, actor: Actor) -> Notice:
    """A draft notice of the actor's bureau."""
    check_requester(actor)
    require_writable(session)
    _check_public(body.type, body.public_extract)
    return _file(
        session,
        "notice",
        Status.DRAFT,
        body.type,
        body.data,
        actor,
        public_extract=body.public_extract,
    )


def send_diffusion(session: Session, body: DiffusionCreate, *, actor: Actor) -> Notice:
    """A diffusion, sent at once: the recipients see it now; the secretariat checks it."""
    check_requester(actor)
    if body.recipients != ["*"]:
        for code in body.recipients:
            bureau_by_code(session, code, field="body.recipients")
    recipients = "*" if body.recipients == ["*"] else "," + ",".join(body.recipients) + ","
    return _file(
        session, "diffusion", Status.SENT, body.type, body.data, actor, recipients=recipients
    )


def update_notice(session: Session, ident: str, body: NoticeUpdate, *, actor: Actor) -> Notice:
    """Edit a draft, or a request returned for correction."""
    check_requester(actor)
    notice = load_notice(session, "notice", ident, actor, Action.UPDATE)
    if notice.owner_bureau_id != actor.bureau_id:
        raise NotFound(f"no notice {ident}")
    if notice.status not in _EDITABLE:
        raise Conflict(
            f"notice {notice.reference} is {notice.status}: only a draft or a returned request "
            "is edited (a published notice is revised)"
        )
    notice_type = NoticeType(notice.type)
    public = notice.public_extract if body.public_extract is None else body.public_extract
    _check_public(notice_type, public)
    before = {"data": notice.data, "public_extract": notice.public_extract}
    if body.data is not None:
        data, subjects = prepare_data(session, notice_type, body.data, actor)
        notice.data = dump(data)
        notice.title, notice.search_text = _describe(notice_type, data)
        notice.flags = carry_resolutions(
            notice.flags, compliance_flags(notice_type, data, actor.country)
        )
        set_subjects(session, notice, subjects)
    notice.public_extract = public
    notice.updated_at, notice.updated_by = utcnow(), actor.name
    session.flush()
    audit(
        session,
        AuditAction.NOTICE_UPDATE,
        actor=actor,
        object_type="notice",
        object_id=notice.id,
        before=before,
        after={"data": notice.data, "public_extract": notice.public_extract},
    )
    return notice


def carry_resolutions(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """New flags, keeping the resolution of any flag raised again on the same text."""
    resolved = {(f["id"], f.get("text")): f["resolution"] for f in old if f.get("resolution")}
    for flag in new:
        if (flag["id"], flag["text"]) in resolved:
            flag["resolution"] = resolved[(flag["id"], flag["text"])]
    return new
