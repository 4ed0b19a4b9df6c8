"""Console pages of notices: the bureau's list and the Red notice request form (inline
errors on their fields), a notice's page with the steps the signed-in user may take, and
the secretariat's review desk (the queue; flags cleared or upheld with reasons).

They call the notices services as the API does; a step refused there is refused here,
with the same message.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from interlink.access import Action, Actor, Permission, restrict
from interlink.core.deps import DbSession, SettingsDep
from interlink.core.errors import AppError
from interlink.members.service import bureau_codes
from interlink.notices.reads import get_notice, list_notices, load_notice, notice_view
from interlink.notices.schemas import NoticeCreate, NoticeFilters, TransitionBody
from interlink.notices.service import check_requester, create_notice
from interlink.notices.transitions import apply_transition
from interlink.notices.types import NoticeType
from interlink.notices.workflow import Status, steps_for
from interlink.records.models import Record
from interlink.web.pages import problem_page, render, signed_in
from interlink.web.session import CSRF_FIELD, check_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# Where each field of a Red request sits in the notice's data, and back.
RED_FIELDS = {
    "person.record_id": "person_record",
    "purpose": "form",
    "charges.0.offence": "offence",
    "charges.0.law": "law",
    "charges.0.max_penalty_months": "max_penalty_months",
    "charges.0.remaining_months": "remaining_months",
    "charges.0.category": "offence",
    "warrant.issuing_authority": "warrant_authority",
    "warrant.issuing_country": "warrant_country",
    "warrant.date": "warrant_date",
    "warrant.reference": "warrant_reference",
    "summary": "summary",
}


def _red_data(form: dict[str, str]) -> dict[str, Any]:
    def number(name: str) -> int | str | None:
        value = form.get(name, "").strip()
        # Anything but a plain small number goes to validation as it is (a 422 on it).
        if value.isascii() and value.isdigit() and len(value) <= 9:
            return int(value)
        return value or None

    charge = {
        "offence": form.get("offence", ""),
        "law": form.get("law", ""),
        "max_penalty_months": number("max_penalty_months"),
        "remaining_months": number("remaining_months"),
    }
    return {
        "person": {"record_id": form.get("person_record", "")},
        "purpose": form.get("purpose", ""),
        "charges": [{k: v for k, v in charge.items() if v not in (None, "")}],
        "warrant": {
            "issuing_authority": form.get("warrant_authority", ""),
            "issuing_country": form.get("warrant_country", ""),
            "date": form.get("warrant_date", ""),
            "reference": form.get("warrant_reference", ""),
        },
        "summary": form.get("summary", ""),
    }


def _field_errors(exc: AppError) -> dict[str, str]:
    """The form field each error belongs to (``body.data.warrant.date`` -> warrant_date)."""
    found: dict[str, str] = {}
    for error in exc.errors or [{"field": "", "message": exc.detail}]:
        path = str(error.get("field", "")).removeprefix("body.data.").removeprefix("body.")
        name = next((f for p, f in RED_FIELDS.items() if path.startswith(p)), "form")
        found.setdefault(name, str(error["message"]))
    return found


def _own_persons(session: DbSession, actor: Actor) -> list[Record]:
    query = select(Record).where(
        Record.kind == "persons",
        Record.owner_bureau_id == actor.bureau_id,
        Record.deleted_at.is_(None),
    )
    return list(
        session.scalars(restrict(query, actor, Action.READ).order_by(Record.title).limit(500))
    )


@router.get("/notices", response_class=HTMLResponse)
def notices_page(request: Request, session: DbSession, settings: SettingsDep) -> Response:
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    filters = NoticeFilters(country=actor.country) if actor.country else NoticeFilters()
    notices, _ = list_notices(session, filters, actor=actor, limit=100, offset=0)
    session.commit()
    return render(request, "notices.html", {"actor": actor, "notices": notices})


@router.get("/notices/new", response_class=HTMLResponse)
def new_notice_page(request: Request, session: DbSession, settings: SettingsDep) -> Response:
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        check_requester(actor)
    except AppError as exc:
        return problem_page(request, actor, exc.detail, exc.status)
    context = {"actor": actor, "persons": _own_persons(session, actor), "form": {}, "errors": {}}
    return render(request, "notice_new.html", context)


@router.post("/notices/new", response_class=HTMLResponse)
async def new_notice(request: Request, session: DbSession, settings: SettingsDep) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get(CSRF_FIELD))
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    body = NoticeCreate(
        type=NoticeType.RED, data=_red_data(form), public_extract=bool(form.get("public"))
    )
    try:
        notice = create_notice(session, body, actor=actor)
    except AppError as exc:
        session.rollback()
        context = {
            "actor": actor,
            "persons": _own_persons(session, actor),
            "form": form,
            "errors": _field_errors(exc),
        }
        return render(request, "notice_new.html", context, status_code=exc.status)
    session.commit()
    return RedirectResponse(f"/notices/{notice.id}", status_code=303)


def _steps(notice: Any, actor: Actor) -> list[str]:
    by_owner = notice.owner_bureau_id == actor.bureau_id
    return steps_for(notice.kind, Status(notice.status), by_owner=by_owner, actor=actor)


@router.get("/notices/{ident}", response_class=HTMLResponse)
def notice_page(
    request: Request, session: DbSession, settings: SettingsDep, ident: str
) -> Response:
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        notice = get_notice(session, "notice", ident, actor=actor)  # audited, as in the API
    except AppError:
        return problem_page(request, actor, "Not found: no such notice that you may see.", 404)
    session.commit()
    view = notice_view(session, notice, bureau_codes(session), actor)
    context = {"actor": actor, "notice": view, "steps": _steps(notice, actor), "error": None}
    return render(request, "notice.html", context)


@router.post("/notices/{ident}/{action}", response_class=HTMLResponse)
async def notice_step(
    request: Request, session: DbSession, settings: SettingsDep, ident: str, action: str
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get(CSRF_FIELD))
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    reason = form.get("reason") or None
    resolutions = [
        {"flag": key.removeprefix("flag:"), "decision": value, "reason": reason or ""}
        for key, value in form.items()
        if key.startswith("flag:") and value in ("cleared", "upheld")
    ]
    try:
        body = TransitionBody.model_validate(
            {
                "reason": reason,
                "cancel_reason": form.get("cancel_reason") or None,
                "resolutions": resolutions,
            }
        )
        apply_transition(session, "notice", ident, action, body, actor=actor)
    except (AppError, ValueError) as exc:
        session.rollback()
        try:
            notice = load_notice(session, "notice", ident, actor, Action.READ)
        except AppError:
            return problem_page(request, actor, "Not found: no such notice that you may see.", 404)
        view = notice_view(session, notice, bureau_codes(session), actor)
        message = exc.detail if isinstance(exc, AppError) else str(exc).splitlines()[0]
        context = {"actor": actor, "notice": view, "steps": _steps(notice, actor), "error": message}
        status = exc.status if isinstance(exc, AppError) else 422
        return render(request, "notice.html", context, status_code=status)
    session.commit()
    return RedirectResponse(f"/notices/{ident}", status_code=303)


@router.get("/review", response_class=HTMLResponse)
def review_desk(request: Request, session: DbSession, settings: SettingsDep) -> Response:
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    if not actor.can(Permission.NOTICES_REVIEW):
        return problem_page(request, actor, "The review desk is the secretariat reviewers'.", 403)
    queue = []
    for status in ("under_review", "revised"):
        found, _ = list_notices(
            session, NoticeFilters(status=status), actor=actor, limit=200, offset=0
        )
        queue += found
    diffusions, _ = list_notices(
        session, NoticeFilters(kind="diffusion", status="sent"), actor=actor, limit=200, offset=0
    )
    session.commit()
    context = {"actor": actor, "queue": queue, "diffusions": diffusions}
    return render(request, "review.html", context)
