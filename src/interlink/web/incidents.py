"""Console pages of incidents: the list, the form that opens one (inline errors on
their fields), and an incident's page with its team, requests to members and timeline;
the command centre deploys, closes, adds to the team, asks members and writes notes, and
a bureau asked answers its request there.

They call the incident services as the API does (the router joins ``web/operations.py``).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession, Now
from interlink.core.errors import AppError
from interlink.operations import incidents
from interlink.operations.reads import (
    incident_view,
    list_incidents,
    load_incident,
    may_manage,
    note_read,
)
from interlink.operations.schemas import (
    AnswerBody,
    IncidentCreate,
    NoteCreate,
    RequestCreate,
    TeamMemberCreate,
)
from interlink.web.forms import error_status, field_errors
from interlink.web.operations_forms import (
    Act,
    body_of,
    change,
    lines,
    posted,
    utc,
)
from interlink.web.pages import problem_page, render
from interlink.web.session import page_requires

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

NEW_FIELDS = {"title", "description", "country", "place", "occurred_at", "team", "requests"}
PAGE_FORMS = {
    "step": set(),
    "team": {"name", "role"},
    "request": {"country", "text"},
    "answer": {"answer"},
    "note": {"text", "at"},
}
NOT_FOUND = "Not found: no such incident that you may see."
ONLY_CCC = "Incidents are opened by the command centre."
# The bureaus asked for help read an incident and answer with ``records:read``, as in
# the API; the command centre opens and runs incidents (``operations:manage``).
Reader = Annotated[
    Actor,
    Depends(
        page_requires(
            Permission.RECORDS_READ,
            "Incidents are the command centre's and the bureaus it asks for help.",
        )
    ),
]
Opener = Annotated[Actor, Depends(page_requires(Permission.OPERATIONS_MANAGE, ONLY_CCC))]
Manager = Annotated[
    Actor,
    Depends(
        page_requires(Permission.OPERATIONS_MANAGE, "Incidents are run by the command centre.")
    ),
]


def _team(text: str) -> list[dict[str, str]]:
    """``Name, role`` a line."""
    return [
        {"name": name.strip(), "role": role.strip() or "member"}
        for name, _, role in (line.partition(",") for line in lines(text))
    ]


def _requests(text: str) -> list[dict[str, str]]:
    """``CC: what is asked`` a line."""
    return [
        {"country": country.strip(), "text": asked.strip()}
        for country, _, asked in (line.partition(":") for line in lines(text))
    ]


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request, session: DbSession, actor: Reader, status: str = ""
) -> Response:
    chosen = status if status in ("open", "deployed", "closed") else None
    found, total = list_incidents(session, actor=actor, status=chosen, limit=200)
    context = {"actor": actor, "incidents": found, "total": total, "status": chosen or ""}
    context["manager"] = may_manage(actor)
    return render(request, "incidents.html", context)


def _new_page(
    request: Request, actor: Actor, form: dict[str, str], errors: dict[str, str], status: int
) -> Response:
    context = {"actor": actor, "form": form, "errors": errors}
    return render(request, "incident_new.html", context, status_code=status)


@router.get("/incidents/new", response_class=HTMLResponse)
def new_incident_page(request: Request, actor: Opener) -> Response:
    return _new_page(request, actor, {}, {}, 200)


@router.post("/incidents/new", response_class=HTMLResponse)
async def new_incident(request: Request, session: DbSession, actor: Opener, now: Now) -> Response:
    form = await posted(request)
    data: dict[str, Any] = {
        k: form.get(k, "") for k in ("title", "description", "country", "place")
    }
    data |= {
        "occurred_at": utc(form.get("occurred_at", "")),
        "team": _team(form.get("team", "")),
        "requests": _requests(form.get("requests", "")),
    }
    try:
        body = body_of(IncidentCreate, data)
        incident = incidents.create_incident(session, body, actor=actor, now=now)
    except (AppError, ValidationError) as exc:
        session.rollback()
        errors = field_errors(exc, NEW_FIELDS)
        return _new_page(request, actor, form, errors, error_status(exc))
    session.commit()
    return RedirectResponse(f"/incidents/{incident.reference}", status_code=303)


def _page(
    request: Request, session: Session, actor: Actor, ident: str, *, posted_form: str = "",
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    try:
        incident = load_incident(session, ident, actor)
    except AppError:
        return problem_page(request, actor, NOT_FOUND, 404)
    note_read(session, incident, actor)  # opened, or shown again after a refused change
    session.commit()
    context = {
        "actor": actor,
        "incident": incident_view(session, incident, actor),
        "posted": posted_form,
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "incident.html", context, status_code=status)


@router.get("/incidents/{ident}", response_class=HTMLResponse)
def incident_page(request: Request, session: DbSession, actor: Reader, ident: str) -> Response:
    return _page(request, session, actor, ident)


async def _change(
    request: Request, session: DbSession, actor: Actor, ident: str, name: str, act: Act
) -> Response:
    def again(
        actor: Actor, form_name: str, form: dict[str, str], errors: dict[str, str], status: int
    ) -> Response:
        return _page(request, session, actor, ident, posted_form=form_name, form=form,
                     errors=errors, status=status)  # fmt: skip

    return await change(
        request, session, actor, name=name, known=PAGE_FORMS[name.partition("-")[0]],
        act=act, done=f"/incidents/{ident}", again=again,
    )  # fmt: skip


@router.post("/incidents/{ident}/step/{step}", response_class=HTMLResponse)
async def incident_step(
    request: Request, session: DbSession, actor: Manager, now: Now, ident: str, step: str
) -> Response:
    def act(actor: Actor, _form: dict[str, str]) -> Any:
        return incidents.transition_incident(session, ident, step, actor=actor, now=now)

    return await _change(request, session, actor, ident, "step", act)


@router.post("/incidents/{ident}/team", response_class=HTMLResponse)
async def incident_team(
    request: Request, session: DbSession, actor: Manager, now: Now, ident: str
) -> Response:
    def act(actor: Actor, form: dict[str, str]) -> Any:
        body = body_of(TeamMemberCreate, {k: form.get(k, "") for k in PAGE_FORMS["team"]})
        return incidents.add_team_member(session, ident, body, actor=actor, now=now)

    return await _change(request, session, actor, ident, "team", act)


@router.post("/incidents/{ident}/requests", response_class=HTMLResponse)
async def incident_request(
    request: Request, session: DbSession, actor: Manager, now: Now, ident: str
) -> Response:
    def act(actor: Actor, form: dict[str, str]) -> Any:
        body = body_of(RequestCreate, {k: form.get(k, "") for k in PAGE_FORMS["request"]})
        return incidents.add_request(session, ident, body, actor=actor, now=now)

    return await _change(request, session, actor, ident, "request", act)


@router.post("/incidents/{ident}/requests/{request_id}/answer", response_class=HTMLResponse)
async def incident_answer(
    request: Request, session: DbSession, actor: Reader, now: Now, ident: str,
    request_id: uuid.UUID,
) -> Response:  # fmt: skip
    def act(actor: Actor, form: dict[str, str]) -> Any:
        body = body_of(AnswerBody, {"answer": form.get("answer", "")})
        return incidents.answer_request(session, ident, request_id, body, actor=actor, now=now)

    # Each request has its own answer form (``answer-<id>``): errors and values go back
    # to the one posted.
    return await _change(request, session, actor, ident, f"answer-{request_id}", act)


@router.post("/incidents/{ident}/notes", response_class=HTMLResponse)
async def incident_note(
    request: Request, session: DbSession, actor: Manager, now: Now, ident: str
) -> Response:
    def act(actor: Actor, form: dict[str, str]) -> Any:
        body = body_of(NoteCreate, {"text": form.get("text", ""), "at": utc(form.get("at", ""))})
        return incidents.add_incident_note(session, ident, body, actor=actor, now=now)

    return await _change(request, session, actor, ident, "note", act)
