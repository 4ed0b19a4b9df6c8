"""Moving a notice or diffusion through its workflow (``workflow.py``), with the rules
each step carries: a reviewer addresses every compliance flag before publishing or
clearing; a revision stays pending (the published version in force) until reviewed;
publication starts the five-year review period and writes the public extract;
cancellation records why and withdraws the extract.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission
from interlink.core.errors import Conflict, Forbidden, InvalidInput
from interlink.core.types import utcnow
from interlink.notices.extracts import refresh_extract
from interlink.notices.models import Notice, NoticeTransition, NoticeVersion
from interlink.notices.reads import load_notice
from interlink.notices.rules import compliance_flags
from interlink.notices.schemas import TransitionBody
from interlink.notices.service import (
    _describe,
    carry_resolutions,
    exposure,
    log_transition,
    prepare_data,
    set_subjects,
)
from interlink.notices.types import TYPE_MODELS, NoticeType
from interlink.notices.types import dump as dump_data
from interlink.notices.workflow import ACTIONS, LIVE, Status, Transition, sources_of, transition_for

__all__ = ["REVIEW_PERIOD", "apply_transition", "mark_reviews_due"]

REVIEW_PERIOD = timedelta(days=5 * 365 + 1)
"""A published notice comes up for review five years after publication."""


def _legal(notice: Notice, action: str, actor: Actor) -> Transition:
    if action not in ACTIONS[notice.kind]:
        raise InvalidInput("action", f"one of {', '.join(ACTIONS[notice.kind])}")
    by_owner = notice.owner_bureau_id == actor.bureau_id
    status = Status(notice.status)
    transition = transition_for(notice.kind, action, status, by_owner=by_owner)
    if transition is not None:
        return transition
    if transition_for(notice.kind, action, status, by_owner=not by_owner) is not None:
        party = "the General Secretariat" if by_owner else "the bureau that requested it"
        raise Forbidden(f"only {party} may {action} {notice.kind} {notice.reference}")
    raise Conflict(
        f"cannot {action} {notice.kind} {notice.reference}: it is {notice.status} "
        f"({action} is allowed from: {', '.join(sources_of(notice.kind, action))})"
    )


def _submitted_by(session: Session, notice: Notice) -> str | None:
    return session.scalars(
        select(NoticeTransition.actor)
        .where(NoticeTransition.notice_id == notice.id, NoticeTransition.action == "submit")
        .order_by(NoticeTransition.id.desc())
    ).first()


def _flags_under_review(notice: Notice) -> list[dict[str, Any]]:
    if notice.status == Status.REVISED and notice.pending is not None:
        return list(notice.pending["flags"])
    return list(notice.flags)


def _resolve(
    notice: Notice, body: TransitionBody, actor: Actor, *, require_all: bool
) -> list[dict[str, Any]]:
    """The flags with the reviewer's resolutions recorded; for a publication every flag
    must be addressed and cleared."""
    flags = [dict(flag) for flag in _flags_under_review(notice)]
    by_id = {flag["id"]: flag for flag in flags}
    now = utcnow().isoformat()
    for position, resolution in enumerate(body.resolutions):
        flag = by_id.get(resolution.flag)
        if flag is None:
            known = ", ".join(by_id) or "none"
            raise InvalidInput(
                f"body.resolutions.{position}.flag", f"no flag {resolution.flag!r} (flags: {known})"
            )
        flag["resolution"] = {
            "decision": resolution.decision,
            "reason": resolution.reason,
            "by": actor.name,
            "at": now,
        }
    if require_all:
        open_ = [flag["id"] for flag in flags if not flag.get("resolution")]
        if open_:
            raise InvalidInput(
                "body.resolutions", f"address every flag first; still open: {', '.join(open_)}"
            )
        upheld = [flag["id"] for flag in flags if flag["resolution"]["decision"] == "upheld"]
        if upheld:
            raise InvalidInput(
                "body.resolutions",
                f"upheld flag(s) {', '.join(upheld)}: such a request is returned or refused, "
                "not published",
            )
    return flags


def _store_flags(notice: Notice, flags: list[dict[str, Any]]) -> None:
    if notice.status == Status.REVISED and notice.pending is not None:
        notice.pending = {**notice.pending, "flags": flags}
    else:
        notice.flags = flags


def _publish(session: Session, notice: Notice, now: datetime, actor: Actor) -> None:
    if notice.pending is not None:  # a revision: the published version becomes history
        session.add(
            NoticeVersion(
                notice_id=notice.id,
                version=notice.version,
                data=notice.data,
                published_at=notice.published_at,
                replaced_at=now,
                replaced_by=actor.name,
            )
        )
        notice.data, notice.flags = notice.pending["data"], notice.pending["flags"]
        notice.title, notice.search_text = notice.pending["title"], notice.pending["search_text"]
        if notice.pending.get("from") == Status.REVIEW_DUE:  # reviewed again: five more years
            notice.review_due_at = now + REVIEW_PERIOD
        notice.version += 1
        notice.pending = None
    else:
        notice.published_at = now
        notice.review_due_at = now + REVIEW_PERIOD


def _revise(session: Session, notice: Notice, body: TransitionBody, actor: Actor) -> None:
    if body.data is None:
        raise InvalidInput("body.data", "a revision gives the notice's new data")
    notice_type = NoticeType(notice.type)
    data, subjects = prepare_data(session, notice_type, body.data, actor)
    title, search_text = _describe(notice_type, data)
    flags = carry_resolutions(notice.flags, compliance_flags(notice_type, data, actor.country))
    notice.pending = {
        "from": notice.status,
        "data": dump_data(data),
        "flags": flags,
        "title": title,
        "search_text": search_text,
        "subjects": [[role, str(record_id)] for role, record_id in subjects],
    }


def apply_transition(
    session: Session, kind: str, ident: str, action: str, body: TransitionBody, *, actor: Actor
) -> Notice:
    """Take ``action`` on the notice (or diffusion) ``ident`` as ``actor``."""
    notice = load_notice(session, kind, ident, actor, Action.READ)
    transition = _legal(notice, action, actor)
    check_permission(actor, transition.permission)
    reason = (body.reason or "").strip() or None
    if action == "cancel" and body.cancel_reason is None:
        raise InvalidInput(
            "body.cancel_reason",
            "located, arrested, extradited, withdrawn, purpose_achieved or other",
        )
    if transition.needs_reason and not reason and action != "cancel":
        raise InvalidInput("body.reason", f"say why ({action})")
    if body.resolutions and transition.permission is not Permission.NOTICES_REVIEW:
        raise InvalidInput("body.resolutions", "flags are resolved by a secretariat reviewer")
    if action == "approve" and _submitted_by(session, notice) == actor.name:
        raise Forbidden("a request is approved by another member of the bureau than its author")
    source = notice.status
    target = transition.target
    now = utcnow()
    details: dict[str, Any] = {}
    if action in ("publish", "clear"):
        _store_flags(notice, _resolve(notice, body, actor, require_all=True))
    elif body.resolutions:
        _store_flags(notice, _resolve(notice, body, actor, require_all=False))
    if body.resolutions:
        details["resolutions"] = [r.model_dump() for r in body.resolutions]
    if action == "submit":
        # Resubmitting a returned request: the flags of its (corrected) data again.
        data = TYPE_MODELS[NoticeType(notice.type)].model_validate(notice.data)
        notice.flags = carry_resolutions(
            notice.flags, compliance_flags(NoticeType(notice.type), data, actor.country)
        )
    elif action == "publish":
        if notice.pending is not None:
            set_subjects(
                session,
                notice,
                [(role, uuid.UUID(record_id)) for role, record_id in notice.pending["subjects"]],
            )
        _publish(session, notice, now, actor)
    elif action in ("return", "refuse") and source == Status.REVISED:
        details["discarded_revision"] = notice.pending["data"] if notice.pending else None
        target = Status((notice.pending or {}).get("from", Status.PUBLISHED))
        notice.pending = None
    elif action == "revise":
        _revise(session, notice, body, actor)
    elif action == "renew":
        notice.review_due_at = now + REVIEW_PERIOD
    elif action == "cancel":
        notice.cancelled_at, notice.cancel_reason = now, body.cancel_reason.value  # type: ignore[union-attr]
        notice.pending = None
        details["cancel_reason"] = notice.cancel_reason
    notice.status = target.value
    notice.set_visibility(exposure(notice))
    notice.updated_at, notice.updated_by = now, actor.name
    session.flush()
    refresh_extract(session, notice)
    log_transition(
        session,
        notice,
        action,
        source,
        actor,
        reason=reason,
        details=details or None,
        audience=_audience(notice),
    )
    return notice


def _audience(notice: Notice) -> str:
    """Who is told of the transition besides the owner bureau: the secretariat (``SEC``)
    while a request is on its way; every member (``*``) once a notice is or was in
    force; a diffusion's recipients, whatever becomes of it (they have seen it)."""
    if notice.kind == "diffusion":
        return notice.recipients or ",SEC,"
    if notice.status in LIVE or (notice.status == Status.CANCELLED and notice.published_at):
        return "*"
    return ",SEC,"


def mark_reviews_due(
    session: Session, *, actor: Actor, now: datetime | None = None
) -> list[Notice]:
    """Move every published notice whose five years are up to ``review_due``."""
    moment = now or utcnow()
    due = session.scalars(
        select(Notice).where(
            Notice.kind == "notice",
            Notice.status == Status.PUBLISHED.value,
            Notice.review_due_at <= moment,
        )
    ).all()
    for notice in due:
        apply_transition(
            session, "notice", str(notice.id), "mark_review_due", TransitionBody(), actor=actor
        )
    return list(due)
