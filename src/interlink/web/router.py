"""Console pages: sign in and out, the bureau workspace (inbox of messages, hits awaiting
our confirmation with their deadlines, requests to approve) and its quick screening box.

Thin routes: each page asks the same services as the API, as the signed-in actor, and
renders a template; htmx requests get the fragment they replace.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession, Now, SettingsDep
from interlink.core.errors import AppError
from interlink.core.events import latest_event_id
from interlink.core.ratelimit import RateLimits
from interlink.hits.reads import list_hits
from interlink.members.auth import authenticate, end_sessions, issue_access_token
from interlink.members.deps import anyone
from interlink.members.limits import check_signin
from interlink.members.models import User
from interlink.messaging.service import list_messages
from interlink.notices.reads import list_notices
from interlink.notices.schemas import NoticeFilters
from interlink.screening.limits import check_screening
from interlink.screening.schemas import ScreenRequest
from interlink.screening.service import screen
from interlink.web.pages import render
from interlink.web.session import (
    CSRF_FIELD,
    SESSION_COOKIE,
    PageActor,
    check_csrf,
    page_actor,
    page_requires,
    set_csrf,
)

__all__ = ["router", "set_session"]

router = APIRouter(include_in_schema=False)

Screener = Annotated[
    Actor, Depends(page_requires(Permission.SCREENING_RUN, "Your role does not run screening."))
]


@router.get("/signin", response_class=HTMLResponse, dependencies=[Depends(anyone)])
def signin_page(request: Request) -> HTMLResponse:
    return render(request, "signin.html", {"error": None, "username": ""})


@router.post("/signin", response_class=HTMLResponse, dependencies=[Depends(anyone)])
def signin(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    limits: RateLimits,
    now: Now,
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, token)
    try:
        address = request.client.host if request.client else "unknown"
        check_signin(limits, settings, username, address)
        user = authenticate(session, settings, username.strip(), password, address=address,
                            now=now)  # fmt: skip
    except AppError as exc:
        context = {"error": exc.detail, "username": username}
        page = render(request, "signin.html", context, status_code=exc.status)
        page.headers.update(getattr(exc, "headers", None) or {})  # Retry-After of a 429
        return page
    response = RedirectResponse("/", status_code=303)
    set_csrf(response, secrets.token_urlsafe(32))  # a new session gets a new CSRF token
    set_session(request, response, settings, user)
    return response


def set_session(request: Request, response: Response, settings: Any, user: User) -> None:
    """A new session for ``user`` in the response's cookie."""
    response.set_cookie(
        SESSION_COOKIE,
        issue_access_token(settings, user),
        max_age=settings.token_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies or request.url.scheme == "https",
        path="/",
    )


@router.post("/signout", dependencies=[Depends(anyone)])
def signout(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, token)
    actor = page_actor(request, session, settings)  # none: the cookie is only cleared
    account = session.get(User, actor.id) if actor is not None else None
    if account is not None:  # the token is refused from now on, not only forgotten here
        end_sessions(session, account, why="signed out")
        session.commit()
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _workspace(session: DbSession, actor: Actor, now: Any) -> dict[str, Any]:
    inbox: list[Any] = []
    if actor.can(Permission.MESSAGES_SEND):
        inbox, _ = list_messages(session, actor=actor, box="inbox", limit=10, now=now)
    awaiting: list[Any] = []
    if actor.can(Permission.RECORDS_READ) and actor.country:
        awaiting, _ = list_hits(
            session, actor=actor, now=now, status="confirmation_requested", owner=actor.country
        )
    to_approve: list[Any] = []
    if actor.can(Permission.NOTICES_APPROVE) and actor.country:
        filters = NoticeFilters(status="submitted", country=actor.country)
        to_approve, _ = list_notices(session, filters, actor=actor, limit=20, offset=0)
    return {"inbox": inbox, "awaiting": awaiting, "to_approve": to_approve}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession, actor: PageActor, now: Now) -> Response:
    context = {
        "actor": actor,
        "now": now,
        "last_event": latest_event_id(session),
        **_workspace(session, actor, now),
    }
    session.commit()  # the inbox marks messages delivered
    return render(request, "workspace.html", context)


def _screen_request(form: dict[str, str]) -> ScreenRequest:
    kind = form.get("kind", "person")
    if kind == "document":
        body: dict[str, Any] = {"document": {"number": form.get("number", "")}}
    elif kind == "mrz":
        body = {"mrz": form.get("mrz", "").strip().replace("\r\n", "\n")}
    elif kind == "vehicle":
        body = {"vehicle": {"plate": form.get("plate"), "vin": form.get("vin") or None}}
    else:
        person = {k: form[k] for k in ("name", "date_of_birth", "nationality") if form.get(k)}
        body = {"person": person}
    return ScreenRequest.model_validate(body)


@router.post("/screen", response_class=HTMLResponse)
async def screen_page(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    limits: RateLimits,
    actor: Screener,
    now: Now,
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get(CSRF_FIELD))
    context: dict[str, Any] = {"result": None, "errors": []}
    try:
        check_screening(limits, settings, actor)
        query = _screen_request(form)
        index = request.app.state.screening_index

        def run() -> dict[str, Any]:
            result = screen(session, query, actor=actor, index=index, now=now)
            session.commit()
            return result

        context["result"] = await run_in_threadpool(run)
    except ValidationError as exc:
        context["errors"] = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
    except AppError as exc:
        context["errors"] = exc.errors or [{"field": "", "message": exc.detail}]
    return render(request, "_screen_results.html", context)
