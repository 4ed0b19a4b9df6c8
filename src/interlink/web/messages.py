"""Console pages of messages: inbox and outbox, a thread with its reply form, and the
compose form (recipients, priority, subject, body, attachments), each error on its field.
They call the messaging services as the API does (signed, stored before the redirect)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession, Now, SettingsDep
from interlink.core.errors import AppError
from interlink.members.service import bureau_codes
from interlink.messaging.schemas import MessageCreate
from interlink.messaging.service import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    attachments_of,
    get_message,
    list_messages,
    send_message,
)
from interlink.web.pages import problem_page, render
from interlink.web.session import CSRF_FIELD, check_csrf, page_requires

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Messenger = Annotated[
    Actor,
    Depends(page_requires(Permission.MESSAGES_SEND, "Your role does not exchange messages.")),
]


@router.get("/messages", response_class=HTMLResponse)
def messages_page(
    request: Request, session: DbSession, actor: Messenger, now: Now, box: str = "inbox"
) -> Response:
    box = box if box in ("inbox", "outbox") else "inbox"
    messages, _ = list_messages(session, actor=actor, box=box, limit=100, now=now)
    session.commit()
    context = {"actor": actor, "box": box, "messages": messages, "codes": bureau_codes(session)}
    return render(request, "messages.html", context)


def _compose_context(actor: Any, form: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    return {"actor": actor, "form": form, "errors": errors, "max_files": MAX_ATTACHMENTS}


@router.get("/messages/new", response_class=HTMLResponse)
def compose_page(request: Request, actor: Messenger) -> Response:
    form = {"reply_to": request.query_params.get("reply_to", "")}
    return render(request, "message_new.html", _compose_context(actor, form, {}))


def _errors(exc: ValidationError | AppError) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        items = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
    else:
        items = exc.errors or [{"field": "", "message": exc.detail}]
    found: dict[str, str] = {}
    for item in items:
        path = str(item["field"]).removeprefix("body.")
        name = path.split(".")[0] if path else "form"
        found.setdefault(name if name in _FIELDS else "form", str(item["message"]))
    return found


_FIELDS = {"recipients", "priority", "subject", "body", "reply_to", "attachments", "references"}


@router.post("/messages/new", response_class=HTMLResponse)
async def compose(
    request: Request, session: DbSession, settings: SettingsDep, actor: Messenger, now: Now
) -> Response:
    data = await request.form()
    form = {k: str(v) for k, v in data.items() if isinstance(v, str)}
    check_csrf(request, form.get(CSRF_FIELD))
    uploads = [u for u in data.getlist("attachments") if isinstance(u, UploadFile) and u.filename]
    try:
        if len(uploads) > MAX_ATTACHMENTS:
            raise AppError(f"at most {MAX_ATTACHMENTS} files")
        if any((u.size or 0) > MAX_ATTACHMENT_BYTES for u in uploads):
            raise AppError(f"a file is larger than {MAX_ATTACHMENT_BYTES // 2**20} MB")
        files = [(u.filename, await u.read()) for u in uploads]
        body = MessageCreate.model_validate(
            {
                "recipients": [c for c in form.get("recipients", "").replace(",", " ").split()],
                "priority": form.get("priority") or "routine",
                "subject": form.get("subject", ""),
                "body": form.get("body", ""),
                "reply_to": form.get("reply_to") or None,
            }
        )

        def store() -> uuid.UUID:
            message = send_message(
                session, body, files, actor=actor, secret=settings.signing_key, now=now
            )
            session.commit()
            return message.id

        message_id = await run_in_threadpool(store)
    except (ValidationError, AppError) as exc:
        session.rollback()
        errors = _errors(exc)
        if isinstance(exc, AppError) and not exc.errors:
            errors = {"attachments" if "file" in exc.detail else "form": exc.detail}
        status = exc.status if isinstance(exc, AppError) else 422
        return render(
            request, "message_new.html", _compose_context(actor, form, errors), status_code=status
        )
    return RedirectResponse(f"/messages/{message_id}", status_code=303)


@router.get("/messages/{message_id}", response_class=HTMLResponse)
def thread_page(
    request: Request, session: DbSession, actor: Messenger, now: Now, message_id: str
) -> Response:
    try:
        message = get_message(session, uuid.UUID(message_id), actor=actor, now=now)
    except (AppError, ValueError):
        return problem_page(request, actor, "Not found: no such message that you may read.", 404)
    thread, _ = list_messages(
        session, actor=actor, box="all", thread=message.thread_id, limit=200, now=now
    )
    session.commit()
    files = {m.id: attachments_of(session, m) for m in thread}
    context = {
        "actor": actor,
        "focus": message,
        "thread": thread,
        "files": files,
        "codes": bureau_codes(session),
    }
    return render(request, "thread.html", context)
