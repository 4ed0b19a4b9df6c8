"""The console's sharing groups: the groups one's bureau is in and the form that makes
one, the additions waiting for the bureau's consent (consent, object, or withdraw its
records), and a group's page: members and roles, additions waiting and who has not
answered, and the admins' changes (add, remove, make admin, cancel an addition), or
leaving it.

The pages call ``members.groups`` and ``members.group_membership`` as the API does, as
the signed-in actor: the services decide who may do what.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession
from interlink.core.errors import AppError, InvalidInput
from interlink.members import group_membership as membership
from interlink.members import groups
from interlink.members.models import ConsentAnswer, GroupRole
from interlink.members.schemas import GroupCreate, GroupMembersUpdate
from interlink.web.forms import error_status, field_errors
from interlink.web.pages import problem_page, render
from interlink.web.session import CSRF_FIELD, check_csrf, page_requires

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

NOT_YOURS = (
    "Sharing groups are managed by the bureaus' officers and supervisors (and, for "
    "compliance, by administrators)."
)
GroupManager = Annotated[Actor, Depends(page_requires(Permission.GROUPS_MANAGE, NOT_YOURS))]
Token = Annotated[str, Form(alias=CSRF_FIELD)]
_DONE = {
    "created": "The group was created.",
    "changed": "The members were changed.",
    "role": "The role was changed.",
    "cancelled": "The addition was cancelled.",
    "left": "Your bureau left the group.",
    "answered": "Your answer was recorded.",
}


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]


def _list_page(
    request: Request,
    session: Session,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "actor": actor,
        "groups": [groups.group_view(g) for g in groups.list_groups(session, actor=actor)],
        "consents": [
            membership.consent_view(*row) for row in membership.consents_asked(session, actor=actor)
        ],
        "answers": [answer.value for answer in ConsentAnswer],
        "values": values,
        "errors": errors,
        "done": _DONE.get(request.query_params.get("done", "")[:20], ""),
    }
    return render(request, "groups.html", context, status_code=status_code)


@router.get("/groups", response_class=HTMLResponse)
def groups_page(request: Request, session: DbSession, actor: GroupManager) -> Response:
    return _list_page(request, session, actor, {}, {})


@router.post("/groups", response_class=HTMLResponse)
def new_group(
    request: Request,
    session: DbSession,
    actor: GroupManager,
    token: Token = "",
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    countries: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, token)
    values = {"name": name.strip(), "description": description.strip(), "countries": countries}
    try:
        body = GroupCreate.model_validate(
            {"name": values["name"], "description": values["description"],
             "countries": _codes(countries)}
        )  # fmt: skip
        group = groups.create_group(session, body, actor=actor)
    except (ValidationError, AppError) as exc:
        session.rollback()
        errors = field_errors(exc, ("name", "description", "countries"))
        return _list_page(request, session, actor, values, errors, error_status(exc))
    session.commit()
    return RedirectResponse(f"/groups/{group.id}?done=created", status_code=303)


@router.post("/group-consents/{addition_id}", response_class=HTMLResponse)
def answer_addition(
    request: Request,
    session: DbSession,
    actor: GroupManager,
    addition_id: str,
    token: Token = "",
    answer: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, token)
    try:
        choice = ConsentAnswer(answer)
        membership.answer_consent(session, uuid.UUID(addition_id), choice, actor=actor)
    except (ValueError, AppError) as exc:
        session.rollback()
        if isinstance(exc, AppError):
            return problem_page(request, actor, exc.detail, exc.status)
        return problem_page(request, actor, "Answer consent, object or withdraw.", 422)
    session.commit()
    return RedirectResponse("/groups?done=answered", status_code=303)


def _group_page(
    request: Request,
    session: Session,
    actor: Actor,
    group_id: str,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        group = groups.get_group(session, uuid.UUID(group_id), actor=actor)
    except (ValueError, AppError):
        return problem_page(request, actor, "Not found: no such sharing group of yours.", 404)
    view: dict[str, Any] = groups.group_view(group)
    mine = groups.role_of(group, actor.country)
    context = {
        "actor": actor,
        "group": view,
        "may_manage": actor.is_secretariat or mine is GroupRole.ADMIN,
        "member": mine is not None,
        "errors": errors or {},
        "done": _DONE.get(request.query_params.get("done", "")[:20], ""),
    }
    return render(request, "group.html", context, status_code=status_code)


@router.get("/groups/{group_id}", response_class=HTMLResponse)
def group_page(
    request: Request, session: DbSession, actor: GroupManager, group_id: str
) -> Response:
    return _group_page(request, session, actor, group_id)


def _changed(
    request: Request, session: Session, actor: Actor, group_id: str, done: str, change: Any
) -> Response:
    """Run ``change`` (the service call) and go back to the group's page, or show why not."""
    try:
        change(uuid.UUID(group_id))
    except ValueError:  # not an id: nothing of the actor's has it
        return problem_page(request, actor, "Not found: no such sharing group of yours.", 404)
    except (ValidationError, AppError) as exc:
        session.rollback()
        if isinstance(exc, AppError) and exc.status == 404:
            return problem_page(request, actor, exc.detail, 404)
        errors = field_errors(exc, ("add", "remove", "role"))
        return _group_page(request, session, actor, group_id, errors, error_status(exc))
    session.commit()
    target = "/groups" if done == "left" else f"/groups/{group_id}"
    return RedirectResponse(f"{target}?done={done}", status_code=303)


@router.post("/groups/{group_id}/members", response_class=HTMLResponse)
def change_members(
    request: Request,
    session: DbSession,
    actor: GroupManager,
    group_id: str,
    token: Token = "",
    add: Annotated[str, Form()] = "",
    remove: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, token)

    def change(group: uuid.UUID) -> None:
        body = GroupMembersUpdate.model_validate({"add": _codes(add), "remove": _codes(remove)})
        membership.update_group_members(session, group, body, actor=actor)

    return _changed(request, session, actor, group_id, "changed", change)


@router.post("/groups/{group_id}/members/{country}/role", response_class=HTMLResponse)
def change_role(
    request: Request,
    session: DbSession,
    actor: GroupManager,
    group_id: str,
    country: str,
    token: Token = "",
    role: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, token)

    def change(group: uuid.UUID) -> None:
        try:
            chosen = GroupRole(role)
        except ValueError:
            raise InvalidInput("role", "admin or member") from None
        groups.set_member_role(session, group, country[:2], chosen, actor=actor)

    return _changed(request, session, actor, group_id, "role", change)


@router.post("/groups/{group_id}/leave", response_class=HTMLResponse)
def leave(
    request: Request, session: DbSession, actor: GroupManager, group_id: str, token: Token = ""
) -> Response:
    check_csrf(request, token)

    def change(group: uuid.UUID) -> None:
        groups.leave_group(session, group, actor=actor)

    return _changed(request, session, actor, group_id, "left", change)


@router.post("/groups/{group_id}/additions/{addition_id}/cancel", response_class=HTMLResponse)
def cancel(
    request: Request,
    session: DbSession,
    actor: GroupManager,
    group_id: str,
    addition_id: str,
    token: Token = "",
) -> Response:
    check_csrf(request, token)

    def change(group: uuid.UUID) -> None:
        membership.cancel_addition(session, group, uuid.UUID(addition_id), actor=actor)

    return _changed(request, session, actor, group_id, "cancelled", change)
