"""Sending and reading messages: to bureaus, the secretariat (``SEC``), the command
centre (``CCC``) or every member (``*``); signed by the sender bureau's key; immutable
once sent; durable before the sender hears it was sent (the caller commits before
answering); announced live through an event to its recipients.

Reading goes through the one access policy; a recipient bureau's user reading a message
marks it read for that bureau (delivery is marked when it is first fetched or pushed).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session, defer

from interlink.access import (
    Action,
    Actor,
    Permission,
    Visibility,
    VisibilityMode,
    check_permission,
    require,
    restrict,
)
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.audit.models import AuditEntry
from interlink.core.errors import InvalidInput, NotFound
from interlink.core.events import publish
from interlink.core.files import safe_filename, sha256, sniff, zip_problem
from interlink.core.limits import ATTACHMENT_BYTES, ATTACHMENTS
from interlink.hits.models import Hit
from interlink.members.models import Bureau, BureauKind
from interlink.members.service import COMMAND_CENTRE, SECRETARIAT_CODE, bureau_by_code
from interlink.messaging.models import BureauKey, Message, MessageAttachment, MessageRecipient
from interlink.messaging.schemas import MessageCreate, Reference
from interlink.messaging.signing import Verification, canonical, sign, signing_key, verify
from interlink.notices.models import Notice
from interlink.records.kinds import fold
from interlink.records.models import Record

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "attachment_digests",
    "get_attachment",
    "get_message",
    "list_messages",
    "readable_message",
    "send_message",
    "verify_message",
]

MAX_ATTACHMENT_BYTES = ATTACHMENT_BYTES
MAX_ATTACHMENTS = ATTACHMENTS


def _recipient_bureaus(session: Session, codes: list[str]) -> list[tuple[Bureau, str]]:
    if codes == ["*"]:
        members = session.scalars(
            select(Bureau).where(Bureau.kind == BureauKind.NCB).order_by(Bureau.code)
        )
        return [(bureau, "to") for bureau in members]
    found: dict[uuid.UUID, tuple[Bureau, str]] = {}
    for position, code in enumerate(codes):
        if code == COMMAND_CENTRE:
            bureau = bureau_by_code(session, SECRETARIAT_CODE)
            found.setdefault(bureau.id, (bureau, "ccc"))
        else:
            bureau = bureau_by_code(session, code, field=f"body.recipients.{position}")
            found[bureau.id] = (bureau, "to")
    return list(found.values())


_REFERENCED: dict[str, Any] = {"record": Record, "hit": Hit}


def _check_references(session: Session, references: list[Reference], actor: Actor) -> None:
    """Each reference must be something the sender may read (an operation is taken at its
    word until operations exist)."""
    for position, reference in enumerate(references):
        field = f"body.references.{position}.id"
        if reference.type == "operation":
            continue
        if reference.type in ("notice", "diffusion"):
            query = select(Notice.id).where(
                Notice.kind == reference.type,
                or_(Notice.reference == reference.id, Notice.id == _uuid_or_none(reference.id)),
            )
            if session.scalar(restrict(query, actor, Action.READ)) is None:
                raise InvalidInput(field, f"no {reference.type} {reference.id} that you may read")
            continue
        model = _REFERENCED[reference.type]
        record_id = _uuid_or_none(reference.id)
        if record_id is None:
            raise InvalidInput(field, "an id (UUID)")
        try:
            require(session, model, record_id, actor, Action.READ)
        except NotFound:
            raise InvalidInput(
                field, f"no {reference.type} {reference.id} that you may read"
            ) from None


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def attachment_digests(attachments: list[MessageAttachment]) -> list[dict[str, Any]]:
    """What the signature covers of each attachment (as stored when sent)."""
    return [
        {"filename": a.filename, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
        for a in sorted(attachments, key=lambda a: a.position)
    ]


def _actual_digests(attachments: list[MessageAttachment]) -> list[dict[str, Any]]:
    """The same, recomputed from the bytes stored now."""
    return [
        {
            "filename": a.filename,
            "content_type": a.content_type,
            "size": len(a.content),
            "sha256": sha256(a.content),
        }
        for a in sorted(attachments, key=lambda a: a.position)
    ]


def _attachments(files: list[tuple[str | None, bytes]]) -> list[MessageAttachment]:
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput("attachments", f"at most {MAX_ATTACHMENTS} files per message")
    made = []
    for position, (name, content) in enumerate(files):
        field = f"attachments.{position}"
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(field, f"larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
        if not content:
            raise InvalidInput(field, "the file is empty")
        media_type = sniff(content)
        if media_type is None:
            raise InvalidInput(field, "only images, PDF, zip containers and UTF-8 text are taken")
        if media_type == "application/zip" and (problem := zip_problem(content)):
            raise InvalidInput(field, problem)
        made.append(
            MessageAttachment(
                position=position,
                filename=safe_filename(name),
                content_type=media_type,
                size=len(content),
                sha256=sha256(content),
                content=content,
            )
        )
    return made


def send_message(
    session: Session,
    body: MessageCreate,
    files: list[tuple[str | None, bytes]],
    *,
    actor: Actor,
    secret: str,
    now: datetime,
) -> Message:
    """Validate, sign and store a message with its recipients and attachments, and
    announce it (the caller commits before answering)."""
    check_permission(actor, Permission.MESSAGES_SEND)
    recipients = _recipient_bureaus(session, body.recipients)
    _check_references(session, body.references, actor)
    attachments = _attachments(files)
    message_id = uuid.uuid4()
    thread_id = message_id  # a new thread, unless it replies to a message
    if body.reply_to is not None:
        try:
            parent = require(session, Message, body.reply_to, actor, Action.READ)
        except NotFound:
            raise InvalidInput(
                "body.reply_to", f"no message {body.reply_to} that you may read"
            ) from None
        thread_id = parent.thread_id
    key, private = signing_key(session, actor.bureau_id, secret, actor=actor, now=now)
    # A concurrent first message may have made the bureau's key after this request read
    # the clock (it waited for the database meanwhile): the message is sent when it is
    # signed, never before the key that signs it existed.
    now = max(now, key.created_at)
    message = Message(
        id=message_id,
        thread_id=thread_id,
        reply_to_id=body.reply_to,
        sender=actor.name,
        recipients=body.recipients,
        priority=body.priority,
        subject=body.subject,
        body=body.body,
        references=[reference.model_dump() for reference in body.references],
        search_text=fold(f"{body.subject} {body.body}"),
        sent_at=now,
        owner_bureau_id=actor.bureau_id,
    )
    countries = sorted({b.country_code for b, _ in recipients if b.country_code})
    if body.recipients == ["*"]:
        message.set_visibility(Visibility(mode=VisibilityMode.ALL_MEMBERS))
    elif countries:
        message.set_visibility(Visibility(mode=VisibilityMode.ONLY, countries=countries))
    message.digest, message.signature = sign(
        private, canonical(message, attachment_digests(attachments))
    )
    message.key_id = key.id
    session.add(message)
    session.flush()
    for attachment in attachments:
        attachment.message_id = message.id
        session.add(attachment)
    for bureau, role in recipients:
        session.add(MessageRecipient(message_id=message.id, bureau_id=bureau.id, role=role))
    session.flush()
    audit(
        session,
        AuditAction.MESSAGE_SEND,
        actor=actor,
        object_type="message",
        object_id=message.id,
        after={
            "recipients": body.recipients,
            "priority": body.priority,
            "digest": message.digest,
            "attachments": len(attachments),
        },
    )
    tokens = [b.code for b, role in recipients if role == "to"]
    tokens += [COMMAND_CENTRE for _, role in recipients if role == "ccc"]
    publish(
        session,
        "message",
        object_type="message",
        object_id=message.id,
        owner=actor.bureau_code,
        audience="*" if body.recipients == ["*"] else "," + ",".join(tokens) + ",",
        payload={
            "id": str(message.id),
            "thread": str(message.thread_id),
            "from": actor.bureau_code,
            "sender": actor.name,
            "priority": message.priority,
            "subject": message.subject,
            "sent_at": message.sent_at.isoformat(),
        },
    )
    return message


def _visible(actor: Actor) -> Select[Message]:
    return restrict(select(Message), actor, Action.READ)


def list_messages(
    session: Session,
    *,
    actor: Actor,
    box: str,
    q: str | None = None,
    thread: uuid.UUID | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime,
) -> tuple[list[Message], int]:
    """``inbox`` (addressed to the actor's bureau), ``outbox`` (sent by it) or ``all``;
    fetching the inbox marks its messages delivered to the bureau."""
    check_permission(actor, Permission.MESSAGES_SEND)
    query = _visible(actor)
    mine = select(MessageRecipient.message_id).where(MessageRecipient.bureau_id == actor.bureau_id)
    if box == "inbox":
        query = query.where(Message.id.in_(mine))
    elif box == "outbox":
        query = query.where(Message.owner_bureau_id == actor.bureau_id)
    elif box != "all":
        raise InvalidInput("box", "inbox, outbox or all")
    if thread is not None:
        query = query.where(Message.thread_id == thread)
    for word in fold(q or "").split():
        query = query.where(Message.search_text.contains(word, autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    order = (Message.sent_at.asc(),) if thread is not None else (Message.sent_at.desc(),)
    messages = list(session.scalars(query.order_by(*order, Message.id).limit(limit).offset(offset)))
    mark_delivered(session, actor.bureau_id, [m.id for m in messages], now)
    return messages, total


def mark_delivered(
    session: Session, bureau_id: uuid.UUID, message_ids: list[uuid.UUID], now: datetime
) -> None:
    if message_ids:
        session.execute(
            update(MessageRecipient)
            .where(
                MessageRecipient.bureau_id == bureau_id,
                MessageRecipient.message_id.in_(message_ids),
                MessageRecipient.delivered_at.is_(None),
            )
            .values(delivered_at=now)
        )


def readable_message(session: Session, message_id: uuid.UUID, *, actor: Actor) -> Message:
    """The message if ``actor`` may read it (nothing marked)."""
    check_permission(actor, Permission.MESSAGES_SEND)
    return require(session, Message, message_id, actor, Action.READ)


def get_message(session: Session, message_id: uuid.UUID, *, actor: Actor, now: datetime) -> Message:
    """The message; read by a user of a recipient bureau, it is marked read there."""
    message = readable_message(session, message_id, actor=actor)
    mark_delivered(session, actor.bureau_id, [message.id], now)
    if actor.kind == "user":
        session.execute(
            update(MessageRecipient)
            .where(
                MessageRecipient.message_id == message.id,
                MessageRecipient.bureau_id == actor.bureau_id,
                MessageRecipient.read_at.is_(None),
            )
            .values(read_at=now, read_by=actor.name)
        )
    return message


def get_attachment(
    session: Session, message_id: uuid.UUID, attachment_id: uuid.UUID, *, actor: Actor
) -> MessageAttachment:
    check_permission(actor, Permission.MESSAGES_SEND)
    message = require(session, Message, message_id, actor, Action.READ)
    attachment = session.scalars(
        select(MessageAttachment).where(
            MessageAttachment.id == attachment_id, MessageAttachment.message_id == message.id
        )
    ).first()
    if attachment is None:
        raise NotFound(f"no attachment {attachment_id} on message {message_id}")
    return attachment


def attachments_of(
    session: Session, message: Message, *, content: bool = False
) -> list[MessageAttachment]:
    """The message's attachments (their bytes loaded only if ``content``)."""
    query = select(MessageAttachment).where(MessageAttachment.message_id == message.id)
    if not content:
        query = query.options(defer(MessageAttachment.content))
    return list(session.scalars(query.order_by(MessageAttachment.position)))


def verify_message(session: Session, message: Message) -> Verification:
    """Check the message's signature, over its content and its attachments' bytes as
    stored now, with a key the audit trail issued, against its own audit entry."""
    key = session.get(BureauKey, message.key_id)
    assert key is not None  # a foreign key: every message has its key
    issued = session.scalars(
        select(AuditEntry.after).where(
            AuditEntry.action == AuditAction.KEY_ISSUE.value,
            AuditEntry.object_id == str(key.id),
        )
    ).first()
    sent = session.scalars(
        select(AuditEntry.after).where(
            AuditEntry.action == AuditAction.MESSAGE_SEND.value,
            AuditEntry.object_id == str(message.id),
        )
    ).first()
    return verify(
        message,
        _actual_digests(attachments_of(session, message, content=True)),
        key,
        issued=(issued or {}).get("public_key"),
        recorded_digest=(sent or {}).get("digest"),
    )
