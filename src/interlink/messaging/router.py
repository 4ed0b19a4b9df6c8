"""HTTP routes of messages: send (JSON, or multipart with attachments), inbox, outbox,
search, threads, one message with its receipts, attachments, signature check."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import UploadFile

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession, Now, SettingsDep
from interlink.core.errors import InvalidInput
from interlink.core.files import download_headers
from interlink.core.limits import ATTACHMENTS, BODY_BYTES, PAGE
from interlink.members.deps import requires
from interlink.members.service import bureau_codes
from interlink.messaging import service
from interlink.messaging.models import Message, MessageRecipient
from interlink.messaging.schemas import MessageCreate
from interlink.records.service import validation_to_invalid_input

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/messages", tags=["messages"])
Sender = Annotated[Actor, Depends(requires(Permission.MESSAGES_SEND))]


def _view(
    session: Any, message: Message, codes: dict[uuid.UUID, str], actor: Actor
) -> dict[str, Any]:
    receipts = select(MessageRecipient).where(MessageRecipient.message_id == message.id)
    if not (actor.is_secretariat or actor.bureau_id == message.owner_bureau_id):
        # The sender sees who received and read; a recipient, only its own receipt.
        receipts = receipts.where(MessageRecipient.bureau_id == actor.bureau_id)
    receipts = session.scalars(receipts).all()
    attachments = service.attachments_of(session, message)
    return {
        "id": message.id,
        "thread": message.thread_id,
        "reply_to": message.reply_to_id,
        "from": codes.get(message.owner_bureau_id, "?"),
        "sender": message.sender,
        "recipients": message.recipients,
        "priority": message.priority,
        "subject": message.subject,
        "body": message.body,
        "references": message.references,
        "sent_at": message.sent_at,
        "digest": message.digest,
        "signature": message.signature,
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "href": f"/api/v1/messages/{message.id}/attachments/{a.id}",
            }
            for a in attachments
        ],
        "receipts": [
            {
                "bureau": codes.get(r.bureau_id, "?"),
                "role": r.role,
                "delivered_at": r.delivered_at,
                "read_at": r.read_at,
                "read_by": r.read_by,
            }
            for r in receipts
        ],
    }


async def _body_and_files(request: Request) -> tuple[MessageCreate, list[tuple[str | None, bytes]]]:
    """JSON, or multipart/form-data with a ``message`` part (JSON) and ``attachments``."""
    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            raw = form.get("message")
            if not isinstance(raw, str):
                raise InvalidInput("message", "the form needs a 'message' part (JSON)")
            body = MessageCreate.model_validate(json.loads(raw))
            uploads = [u for u in form.getlist("attachments") if isinstance(u, UploadFile)]
            if len(uploads) > service.MAX_ATTACHMENTS:
                raise InvalidInput(
                    "attachments", f"at most {service.MAX_ATTACHMENTS} files per message"
                )
            for position, upload in enumerate(uploads):
                if (upload.size or 0) > service.MAX_ATTACHMENT_BYTES:
                    limit = service.MAX_ATTACHMENT_BYTES // (1024 * 1024)
                    raise InvalidInput(f"attachments.{position}", f"larger than {limit} MB")
            files = [(upload.filename, await upload.read()) for upload in uploads]
            return body, files
        return MessageCreate.model_validate(await request.json()), []
    except ValidationError as exc:
        raise validation_to_invalid_input(exc) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput("body", f"not JSON: {exc}") from None


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": MessageCreate.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "message": {
                                "type": "string",
                                "description": "the JSON body",
                                "maxLength": BODY_BYTES,
                            },
                            "attachments": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                                "maxItems": ATTACHMENTS,
                            },
                        },
                    }
                },
            }
        }
    },
)
async def send(
    request: Request, session: DbSession, actor: Sender, settings: SettingsDep, now: Now
) -> dict[str, Any]:
    """Send a message; it is stored (and committed) before this answers 201."""
    body, files = await _body_and_files(request)

    def store() -> dict[str, Any]:
        message = service.send_message(
            session, body, files, actor=actor, secret=settings.signing_key, now=now
        )
        session.commit()
        return _view(session, message, bureau_codes(session), actor)

    return await run_in_threadpool(store)


@router.get("")
def list_messages(
    session: DbSession,
    actor: Sender,
    now: Now,
    box: Annotated[str, Query(description="inbox, outbox or all")] = "inbox",
    q: Annotated[str | None, Query(max_length=200)] = None,
    thread: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    messages, total = service.list_messages(
        session, actor=actor, box=box, q=q, thread=thread, limit=limit, offset=offset, now=now
    )
    session.commit()
    codes = bureau_codes(session)
    items = [_view(session, message, codes, actor) for message in messages]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/{message_id}")
def get_message(
    session: DbSession, actor: Sender, now: Now, message_id: uuid.UUID
) -> dict[str, Any]:
    message = service.get_message(session, message_id, actor=actor, now=now)
    session.commit()
    return _view(session, message, bureau_codes(session), actor)


@router.get("/{message_id}/verify")
def verify(session: DbSession, actor: Sender, message_id: uuid.UUID) -> dict[str, Any]:
    message = service.readable_message(session, message_id, actor=actor)
    result = service.verify_message(session, message)
    return {
        "valid": result.valid,
        "reason": result.reason,
        "digest": result.digest,
        "key_id": result.key_id,
        "public_key": result.public_key,
        "algorithm": "Ed25519 over SHA-256 of the canonical JSON content",
    }


@router.get(
    "/{message_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The attachment as sent",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def attachment(
    session: DbSession, actor: Sender, message_id: uuid.UUID, attachment_id: uuid.UUID
) -> Response:
    found = service.get_attachment(session, message_id, attachment_id, actor=actor)
    return Response(
        found.content,
        media_type=found.content_type,
        headers=download_headers(found.filename),
    )
