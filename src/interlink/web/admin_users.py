"""Administration pages of users: the list (filtered by bureau, role, active), the form
that creates one, and the one that changes a user's role, name, state or password and
lets every address try to sign in again after failures held some back (``unlock``).

Every page asks ``members.service`` as the API does, as the signed-in actor: an
administrator sees and manages everyone, a supervisor their own bureau's users only,
and only an administrator makes an administrator. A user the actor may not manage is
not found.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission, Role
from interlink.core.deps import DbSession, Now
from interlink.core.errors import AppError, Conflict, NotFound
from interlink.members.models import User
from interlink.members.schemas import UserCreate, UserUpdate
from interlink.members.service import (
    create_user,
    get_user,
    list_bureaus,
    list_users,
    signin_holds,
    update_user,
)
from interlink.web.forms import error_status, field_errors
from interlink.web.pages import problem_page, render
from interlink.web.session import CSRF_FIELD, check_csrf, page_requires

__all__ = ["Manager", "router"]

router = APIRouter(include_in_schema=False)

MANAGE = Permission.BUREAU_USERS_MANAGE
NOT_YOURS = "Users are managed by administrators and by each bureau's supervisors."
Manager = Annotated[Actor, Depends(page_requires(MANAGE, NOT_YOURS))]
PAGE_SIZE = 50

ROLES = tuple(role.value for role in Role if role is not Role.CLIENT)
_BUREAU_ROLES = (Role.OFFICER.value, Role.SUPERVISOR.value)
_CREATE_FIELDS = ("username", "full_name", "role", "country", "password")
_EDIT_FIELDS = ("role", "active", "full_name", "password", "unlock")


def bureau_choices(session: Session, actor: Actor) -> list[str]:
    """The bureaus a form offers: every one to administrators, one's own to a supervisor
    (a convenience only: the service decides)."""
    if actor.can(Permission.MEMBERS_MANAGE):
        return [bureau.code for bureau in list_bureaus(session)]
    return [actor.bureau_code]


def role_choices(actor: Actor) -> tuple[str, ...]:
    """The roles a form offers: all to administrators, a national bureau's to a
    supervisor (a convenience only: the service decides)."""
    return ROLES if actor.can(Permission.MEMBERS_MANAGE) else _BUREAU_ROLES


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    session: DbSession,
    actor: Manager,
    now: Now,
    bureau: str = "",
    role: str = "",
    active: str = "",
    page: int = 1,
) -> Response:
    bureau, page = bureau.strip().upper()[:8], max(1, min(page, 10**6))
    shown, total = list_users(
        session,
        actor=actor,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        bureau=bureau or None,
        role=role or None,
        active={"yes": True, "no": False}.get(active),
    )
    context = {
        "actor": actor,
        "users": shown,
        "held": signin_holds(session, shown, now),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": {"bureau": bureau, "role": role, "active": active},
        "bureaus": bureau_choices(session, actor),
        "roles": role_choices(actor),
    }
    return render(request, "admin_users.html", context)


def _create_page(
    request: Request,
    session: Session,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "actor": actor,
        "values": values,
        "errors": errors,
        "bureaus": bureau_choices(session, actor),
        "roles": role_choices(actor),
    }
    return render(request, "admin_user_new.html", context, status_code=status_code)


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user_page(request: Request, session: DbSession, actor: Manager) -> Response:
    values = {"role": Role.OFFICER.value, "country": actor.bureau_code}
    return _create_page(request, session, actor, values, {})


@router.post("/admin/users/new", response_class=HTMLResponse)
def new_user(
    request: Request,
    session: DbSession,
    actor: Manager,
    username: Annotated[str, Form()] = "",
    full_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, token)
    values = {"username": username.strip(), "full_name": full_name.strip(), "role": role,
              "country": country}  # fmt: skip
    try:
        body = UserCreate.model_validate({**values, "password": password})
        user = create_user(session, body, actor=actor)
    except (ValidationError, AppError) as exc:
        session.rollback()
        errors = field_errors(exc, _CREATE_FIELDS)
        if isinstance(exc, Conflict):
            errors = {"username": exc.detail}
        return _create_page(request, session, actor, values, errors, error_status(exc))
    session.commit()
    return RedirectResponse(f"/admin/users/{user.id}?done=created", status_code=303)


def _find(session: Session, actor: Actor, user_id: str) -> User | None:
    """The user if the actor may manage them (the service's list), else None."""
    try:
        wanted = uuid.UUID(user_id)
    except ValueError:
        return None
    try:
        return get_user(session, wanted, actor=actor)
    except NotFound:
        return None


def _edit_page(
    request: Request,
    session: Session,
    actor: Actor,
    user: User,
    now: datetime,
    errors: dict[str, str],
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    stored = {"role": user.role, "active": "yes" if user.active else "no",
              "full_name": user.full_name}  # fmt: skip
    context = {
        "actor": actor,
        "user": user,
        "held": signin_holds(session, [user], now).get(user.id),
        "values": values or stored,
        "errors": errors,
        "roles": role_choices(actor),
        "done": request.query_params.get("done", "")[:20],
    }
    return render(request, "admin_user.html", context, status_code=status_code)


_GONE = "Not found: no such user that you manage."


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(
    request: Request, session: DbSession, actor: Manager, now: Now, user_id: str
) -> Response:
    user = _find(session, actor, user_id)
    if user is None:
        return problem_page(request, actor, _GONE, 404)
    return _edit_page(request, session, actor, user, now, {})


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
def edit_user(
    request: Request,
    session: DbSession,
    actor: Manager,
    now: Now,
    user_id: str,
    role: Annotated[str | None, Form()] = None,
    active: Annotated[str | None, Form()] = None,
    full_name: Annotated[str | None, Form()] = None,
    password: Annotated[str, Form()] = "",
    unlock: Annotated[str, Form()] = "",
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, token)
    user = _find(session, actor, user_id)
    if user is None:
        return problem_page(request, actor, _GONE, 404)
    # A field the form did not send is left as it is.
    name = full_name.strip() if full_name is not None else None
    values = {"role": role or user.role, "active": active or "", "full_name": name or ""}
    try:
        patch = UserUpdate.model_validate(
            {
                "role": role or None,
                "active": {"yes": True, "no": False}.get(active or ""),
                "full_name": name,
                "password": password or None,
                "unlock": unlock == "1",
            }
        )
        update_user(session, user.id, patch, actor=actor)
    except (ValidationError, AppError) as exc:
        session.rollback()
        if isinstance(exc, AppError) and exc.status == 404:
            return problem_page(request, actor, _GONE, 404)
        errors = field_errors(exc, _EDIT_FIELDS)
        user = _find(session, actor, user_id) or user
        return _edit_page(request, session, actor, user, now, errors, values, error_status(exc))
    session.commit()
    return RedirectResponse(f"/admin/users/{user.id}?done=saved", status_code=303)
