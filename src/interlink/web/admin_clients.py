"""Administration pages of API clients (border systems and national nodes): the list, the
form that makes one with its scope, the page that shows its key (once: only the key's
hash is kept, so no page can show it again), and revoking one.

The pages call ``members.service`` as the API does: a supervisor manages its own
bureau's clients, an administrator any national bureau's.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from interlink.access import Actor, ClientScope, Permission
from interlink.core.deps import DbSession
from interlink.core.errors import AppError
from interlink.members.schemas import ApiClientCreate
from interlink.members.service import create_api_client, list_api_clients, revoke_api_client
from interlink.web.admin_users import bureau_choices
from interlink.web.forms import error_status, field_errors
from interlink.web.pages import problem_page, render
from interlink.web.session import CSRF_FIELD, check_csrf, page_requires

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

MANAGE = Permission.BUREAU_USERS_MANAGE
NOT_YOURS = "API clients are managed by administrators and by each bureau's supervisors."
Manager = Annotated[Actor, Depends(page_requires(MANAGE, NOT_YOURS))]
SCOPES = {
    ClientScope.SCREENING.value: "a border system: screening only",
    ClientScope.NODE.value: "a national node: replicates the bureau's data, reports its hits",
}


def _clients_page(
    request: Request,
    session: Session,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "actor": actor,
        "clients": list_api_clients(session, actor=actor),
        "bureaus": [code for code in bureau_choices(session, actor) if code != "SEC"],
        "values": values,
        "errors": errors,
        "scopes": SCOPES,
        "done": request.query_params.get("done", "")[:20],
    }
    return render(request, "admin_clients.html", context, status_code=status_code)


@router.get("/admin/api-clients", response_class=HTMLResponse)
def clients_page(request: Request, session: DbSession, actor: Manager) -> Response:
    values = {"country": actor.country or "", "scope": ClientScope.SCREENING.value}
    return _clients_page(request, session, actor, values, {})


@router.post("/admin/api-clients", response_class=HTMLResponse)
def new_client(
    request: Request,
    session: DbSession,
    actor: Manager,
    name: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = ClientScope.SCREENING.value,
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, token)
    values = {"name": name.strip(), "country": country.strip(), "scope": scope.strip()}
    try:
        body = ApiClientCreate.model_validate(
            {"name": values["name"], "country": values["country"] or None, "scope": values["scope"]}
        )
        client, key = create_api_client(session, body, actor=actor)
    except (ValidationError, AppError) as exc:
        session.rollback()
        errors = field_errors(exc, ("name", "country", "scope"))
        return _clients_page(request, session, actor, values, errors, error_status(exc))
    session.commit()
    # The key is in this answer only; it must not be kept by the browser or a proxy.
    context = {"actor": actor, "client": client, "key": key, "scopes": SCOPES}
    response = render(request, "admin_client_created.html", context, 201)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admin/api-clients/{client_id}/revoke", response_class=HTMLResponse)
def revoke_client(
    request: Request,
    session: DbSession,
    actor: Manager,
    client_id: str,
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, token)
    try:
        revoke_api_client(session, uuid.UUID(client_id), actor=actor)
    except (ValueError, AppError) as exc:
        session.rollback()
        if isinstance(exc, AppError) and exc.status != 404:
            return problem_page(request, actor, exc.detail, exc.status)
        return problem_page(request, actor, "Not found: no such API client that you manage.", 404)
    session.commit()
    return RedirectResponse("/admin/api-clients?done=revoked", status_code=303)
