"""Administration page of the bureaus' message-signing keys: each key's fingerprint,
when it was issued and retired, which is current, and issuing a new one for a bureau
(``messaging.signing.new_key``, as ``interlink messages new-key`` does: the old key is
retired, messages it signed still verify).

Administrators only: the signing service states no rule of its own on who may replace a
bureau's key, so the page keeps it to the role that manages the whole network.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession, Now, SettingsDep
from interlink.core.errors import AppError
from interlink.members.service import bureau_by_code, list_bureaus
from interlink.messaging.signing import bureau_keys, new_key
from interlink.web.forms import field_errors
from interlink.web.pages import render
from interlink.web.session import CSRF_FIELD, check_csrf, page_requires

__all__ = ["fingerprint", "router"]

router = APIRouter(include_in_schema=False)

ADMIN = Permission.MEMBERS_MANAGE
NOT_YOURS = "Bureau signing keys are managed by the network's administrators."
Administrator = Annotated[Actor, Depends(page_requires(ADMIN, NOT_YOURS))]


def fingerprint(public_key: str) -> str:
    """SHA-256 of the raw public key, its first 128 bits in groups of four hex digits."""
    digest = hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def _keys(session: Session, bureau: str) -> list[dict[str, Any]]:
    return [
        {
            "id": key.id,
            "bureau": code,
            "fingerprint": fingerprint(key.public_key),
            "public_key": key.public_key,
            "created_at": key.created_at,
            "retired_at": key.retired_at,
        }
        for key, code in bureau_keys(session, bureau or None)
    ]


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    bureau: str,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "actor": actor,
        "keys": _keys(session, bureau),
        "bureau": bureau,
        "bureaus": [b.code for b in list_bureaus(session)],
        "errors": errors,
        "done": request.query_params.get("done", "")[:20],
    }
    return render(request, "admin_keys.html", context, status_code=status_code)


@router.get("/admin/keys", response_class=HTMLResponse)
def keys_page(
    request: Request, session: DbSession, actor: Administrator, bureau: str = ""
) -> Response:
    return _page(request, session, actor, bureau.strip().upper()[:8], {})


@router.post("/admin/keys", response_class=HTMLResponse)
def issue_key(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    actor: Administrator,
    now: Now,
    bureau: Annotated[str, Form()] = "",
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, token)
    try:
        found = bureau_by_code(session, bureau[:8], field="bureau")
        new_key(session, found.id, settings.signing_key, actor=actor, now=now)
    except AppError as exc:
        session.rollback()
        return _page(request, session, actor, "", field_errors(exc, ("bureau",)), exc.status)
    session.commit()
    return RedirectResponse(f"/admin/keys?bureau={found.code}&done=issued", status_code=303)
