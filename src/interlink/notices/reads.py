"""Reading notices and diffusions: one by id or reference, lists with filters, the view
an API answers with, the history. Every query passes ``access.restrict``; reads are
audited (notices carry person data).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission, restrict
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.db import reading
from interlink.core.errors import Forbidden, InvalidInput, NotFound
from interlink.members.service import bureau_by_code
from interlink.notices.models import Notice, NoticeSubject, NoticeTransition, NoticeVersion
from interlink.notices.schemas import NoticeFilters
from interlink.notices.workflow import Status
from interlink.records.kinds import fold

__all__ = [
    "count_by_type",
    "get_notice",
    "list_notices",
    "load_notice",
    "notice_history",
    "notice_view",
    "visible_notices",
]


def _by_reference(ident: str) -> str:
    # URLs write 2026/00123 as 2026-00123 (as INTERPOL's public API does).
    head, sep, tail = ident.rpartition("-") if "/" not in ident else ("", "", ident)
    return f"{head}/{tail}" if sep and tail.isdigit() and head[-4:].isdigit() else ident


def load_notice(
    session: Session, kind: str, ident: str | uuid.UUID, actor: Actor | None, action: Action
) -> Notice:
    """The notice by id or reference if ``actor`` may ``action`` it, else ``NotFound``."""
    query = select(Notice).where(Notice.kind == kind)
    try:
        notice_id = ident if isinstance(ident, uuid.UUID) else uuid.UUID(str(ident))
        query = query.where(Notice.id == notice_id)
    except ValueError:
        query = query.where(Notice.reference == _by_reference(str(ident)))
    notice = session.scalars(restrict(query, actor, action)).first()
    if notice is None:
        raise NotFound(f"no {kind} {ident}")
    return notice


def get_notice(session: Session, kind: str, ident: str, *, actor: Actor) -> Notice:
    check_permission(actor, Permission.RECORDS_READ)
    notice = load_notice(session, kind, ident, actor, Action.READ)
    audit(session, AuditAction.NOTICE_READ, actor=actor, object_type=kind, object_id=notice.id)
    return notice


def _day(moment: Any, end: bool = False) -> datetime:
    return datetime.combine(moment, time.max if end else time.min, tzinfo=UTC)


def visible_notices(session: Session, filters: NoticeFilters, actor: Actor | None) -> Select[Any]:
    query = select(Notice).where(Notice.kind == filters.kind)
    if filters.type:
        query = query.where(Notice.type == filters.type.value)
    if filters.status:
        query = query.where(Notice.status == filters.status)
    if filters.country:
        owner = bureau_by_code(session, filters.country, field="country")
        query = query.where(Notice.owner_bureau_id == owner.id)
    if filters.since:
        query = query.where(Notice.created_at >= _day(filters.since))
    if filters.until:
        query = query.where(Notice.created_at <= _day(filters.until, end=True))
    if filters.q:
        for word in fold(filters.q).split():
            query = query.where(
                (Notice.search_text.contains(word, autoescape=True))
                | (Notice.reference == filters.q.strip())
            )
    return restrict(query, actor, Action.READ)


def list_notices(
    session: Session, filters: NoticeFilters, *, actor: Actor, limit: int, offset: int
) -> tuple[list[Notice], int]:
    check_permission(actor, Permission.RECORDS_READ)
    if filters.status:
        statuses = {status.value for status in Status}
        if filters.status not in statuses:
            raise InvalidInput("status", f"one of {', '.join(sorted(statuses))}")
    with reading(session):  # the count reads every visible notice: no write lock held
        query = visible_notices(session, filters, actor)
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        notices = list(
            session.scalars(
                query.order_by(Notice.updated_at.desc(), Notice.id).limit(limit).offset(offset)
            )
        )
    if notices:
        audit(
            session,
            AuditAction.NOTICE_READ,
            actor=actor,
            object_type=filters.kind,
            after={
                "listed": len(notices),
                "filters": filters.model_dump(mode="json", exclude_none=True),
            },
        )
    return notices, total or 0


def count_by_type(
    session: Session, actor: Actor, *, statuses: tuple[str, ...] = ()
) -> dict[str, int]:
    """How many notices of each type ``actor`` may see (optionally only in ``statuses``)."""
    check_permission(actor, Permission.RECORDS_READ)
    visible = visible_notices(session, NoticeFilters(), actor)
    if statuses:
        visible = visible.where(Notice.status.in_(statuses))
    rows = visible.subquery()
    counted = session.execute(select(rows.c.type, func.count()).group_by(rows.c.type)).all()
    return {str(kind): int(count) for kind, count in counted}


def _inside(notice: Notice, actor: Actor | None) -> bool:
    """The requesting bureau and the secretariat see a request's workings (flags,
    pending revisions, reasons); other members see what is published."""
    return actor is not None and (actor.is_secretariat or actor.bureau_id == notice.owner_bureau_id)


def notice_view(
    session: Session, notice: Notice, codes: dict[uuid.UUID, str], actor: Actor | None
) -> dict[str, Any]:
    inside = _inside(notice, actor)
    subjects = session.scalars(
        select(NoticeSubject).where(NoticeSubject.notice_id == notice.id)
    ).all()
    recipients = None
    if notice.recipients:
        recipients = ["*"] if notice.recipients == "*" else notice.recipients.strip(",").split(",")
    return {
        "id": notice.id,
        "kind": notice.kind,
        "reference": notice.reference,
        "type": notice.type,
        "status": notice.status,
        "version": notice.version,
        "owner": codes.get(notice.owner_bureau_id, "?"),
        "title": notice.title,
        "data": notice.data,
        "public_extract": notice.public_extract,
        "recipients": recipients,
        "flags": notice.flags if inside else [],
        "pending": notice.pending if inside else None,
        "subjects": [{"record_id": s.record_id, "role": s.role} for s in subjects],
        "created_at": notice.created_at,
        "created_by": notice.created_by,
        "updated_at": notice.updated_at,
        "updated_by": notice.updated_by,
        "published_at": notice.published_at,
        "review_due_at": notice.review_due_at,
        "cancelled_at": notice.cancelled_at,
        "cancel_reason": notice.cancel_reason,
    }


def notice_history(session: Session, kind: str, ident: str, *, actor: Actor) -> dict[str, Any]:
    """Every transition (oldest first) and every earlier published version: for the
    requesting bureau and the secretariat (reasons and discarded revisions are theirs)."""
    notice = get_notice(session, kind, ident, actor=actor)
    if not _inside(notice, actor):
        raise Forbidden(f"the history of {notice.reference} is its bureau's and the secretariat's")
    transitions = session.scalars(
        select(NoticeTransition)
        .where(NoticeTransition.notice_id == notice.id)
        .order_by(NoticeTransition.id)
    ).all()
    versions = session.scalars(
        select(NoticeVersion)
        .where(NoticeVersion.notice_id == notice.id)
        .order_by(NoticeVersion.version)
    ).all()
    return {
        "reference": notice.reference,
        "transitions": [
            {
                "action": t.action,
                "from": t.from_status,
                "to": t.to_status,
                "version": t.version,
                "at": t.at,
                "actor": t.actor,
                "bureau": t.bureau,
                "reason": t.reason,
                "details": t.details,
            }
            for t in transitions
        ],
        "versions": [
            {
                "version": v.version,
                "data": v.data,
                "published_at": v.published_at,
                "replaced_at": v.replaced_at,
                "replaced_by": v.replaced_by,
            }
            for v in versions
        ],
    }
