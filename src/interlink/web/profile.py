"""The console's Profile page: the signed-in user's own name, user name, role, bureau and
permissions, and the form that changes their password (``members.auth.change_password``:
the current password, then the new one twice)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.core.deps import DbSession, SettingsDep
from interlink.core.errors import AppError
from interlink.members.auth import change_password
from interlink.members.models import User
from interlink.members.service import user_view
from interlink.web.forms import field_errors
from interlink.web.pages import problem_page, render
from interlink.web.router import set_session
from interlink.web.session import CSRF_FIELD, PageActor, check_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_FIELDS = ("current_password", "new_password", "new_password_again")


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    user = session.get(User, actor.id) if actor.kind == "user" else None
    if user is None:
        return problem_page(request, actor, "The profile is a signed-in user's.", 404)
    context = {
        "actor": actor,
        "user": user_view(user),
        "bureau_name": user.bureau.name,
        "permissions": sorted(permission.value for permission in actor.permissions),
        "errors": errors,
        "done": request.query_params.get("done", "")[:20],
    }
    return render(request, "profile.html", context, status_code=status_code)


@router.get("/profile", response_class=HTMLResponse)
def profile_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    return _page(request, session, actor, {})


@router.post("/profile/password", response_class=HTMLResponse)
def change_own_password(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    actor: PageActor,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password_again: Annotated[str, Form()] = "",
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, token)
    try:
        if new_password != new_password_again:
            errors = {"new_password_again": "the two new passwords differ"}
            return _page(request, session, actor, errors, 422)
        user = change_password(session, actor=actor, current=current_password, new=new_password)
    except AppError as exc:
        session.rollback()
        return _page(request, session, actor, field_errors(exc, _FIELDS), exc.status)
    session.commit()
    # Every earlier session has ended (a stolen one too); this browser gets a new one.
    response = RedirectResponse("/profile?done=password", status_code=303)
    set_session(request, response, settings, user)
    return response
