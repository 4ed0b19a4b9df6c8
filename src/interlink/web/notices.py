"""Console pages of notices and diffusions: the bureau's lists, the request forms of every
type (a chooser, then the type's form, made from its model by ``notice_forms``, inline
errors on their fields), a notice's or diffusion's page with its status, history and the
steps the signed-in user may take, and the secretariat's review desk (the queue; flags
cleared or upheld with reasons).

They call the notices services as the API does; a step refused there is refused here,
with the same message.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from interlink.access import Action, Actor, Permission, restrict
from interlink.core.deps import DbSession
from interlink.core.errors import AppError, Forbidden
from interlink.members.service import bureau_codes, list_countries
from interlink.notices.reads import list_notices, load_notice, notice_history, notice_view
from interlink.notices.schemas import DiffusionCreate, NoticeCreate, NoticeFilters, TransitionBody
from interlink.notices.service import create_notice, send_diffusion
from interlink.notices.transitions import apply_transition
from interlink.notices.types import PUBLIC_TYPES, SUBJECT_KINDS, TYPE_MODELS, NoticeType
from interlink.notices.workflow import Status, steps_for
from interlink.records.models import Record
from interlink.records.service import validation_to_invalid_input
from interlink.web.model_forms import (
    FormData,
    RecordChoices,
    errors_by_path,
    layout,
    parse_data,
    read_form,
)
from interlink.web.notice_forms import NOTICE_FORMS, TYPE_INFO
from interlink.web.pages import problem_page, render
from interlink.web.session import CSRF_FIELD, check_csrf, page_requires

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PLURAL = {"notice": "notices", "diffusion": "diffusions"}
TYPE_VALUES = frozenset(t.value for t in NoticeType)

Reader = Annotated[
    Actor,
    Depends(
        page_requires(Permission.RECORDS_READ, "Your role does not read notices or diffusions.")
    ),
]
Requester = Annotated[
    Actor,
    Depends(
        page_requires(
            Permission.NOTICES_REQUEST,
            "Notices and diffusions are requested by a National Central Bureau.",
            member_bureau=True,
        )
    ),
]
Reviewer = Annotated[
    Actor,
    Depends(
        page_requires(Permission.NOTICES_REVIEW, "The review desk is the secretariat reviewers'.")
    ),
]


@router.get("/notices", response_class=HTMLResponse)
def notices_page(request: Request, session: DbSession, actor: Reader) -> Response:
    filters = NoticeFilters(country=actor.country) if actor.country else NoticeFilters()
    notices, _ = list_notices(session, filters, actor=actor, limit=100, offset=0)
    # Diffusions: the bureau's own and those sent to it.
    diffusions, _ = list_notices(
        session, NoticeFilters(kind="diffusion"), actor=actor, limit=100, offset=0
    )
    session.commit()
    context = {"actor": actor, "notices": notices, "diffusions": diffusions}
    return render(request, "notices.html", context)


def _own_records(session: DbSession, actor: Actor) -> RecordChoices:
    """For each role of subject, the bureau's records of the kinds it may be (a notice is
    about the requesting bureau's own records)."""
    choices: RecordChoices = {}
    for role, kinds in SUBJECT_KINDS.items():
        query = select(Record).where(
            Record.kind.in_(kinds),
            Record.owner_bureau_id == actor.bureau_id,
            Record.deleted_at.is_(None),
        )
        found = session.scalars(
            restrict(query, actor, Action.READ).order_by(Record.title).limit(500)
        )
        choices[role] = [
            (str(r.id), f"{r.title} ({r.kind})" if len(kinds) > 1 else r.title) for r in found
        ]
    return choices


def _recipient_choices(session: DbSession, actor: Actor) -> list[tuple[str, str]]:
    """The member countries a diffusion may go to (not the sender's own)."""
    members = list_countries(session, member=True)
    return sorted(((c.code, c.name) for c in members if c.code != actor.country),
                  key=lambda choice: choice[1])  # fmt: skip


def _unknown_type(request: Request, actor: Actor, type_value: str) -> Response | None:
    """The page saying there is no such notice type, or None."""
    if type_value not in TYPE_VALUES:
        return problem_page(request, actor, f"Not found: no notice type {type_value!r}.", 404)
    return None


def _form_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    kind: str,
    notice_type: NoticeType,
    form: FormData,
    *,
    errors: dict[str, str] | None = None,
    add: str = "",
    status_code: int = 200,
) -> Response:
    errors = dict(errors or {})
    nodes = layout(TYPE_MODELS[notice_type], form, _own_records(session, actor), errors=errors,
                   add=add, style=NOTICE_FORMS)  # fmt: skip
    context = {
        "actor": actor,
        "kind": kind,
        "type": notice_type.value,
        "name": TYPE_INFO[notice_type][0],
        "purpose": TYPE_INFO[notice_type][1],
        "nodes": nodes,
        "errors": errors,
        "public": notice_type in PUBLIC_TYPES and kind == "notice",
        "checked": form.get("public_extract", [""])[0] or "",
        "countries": _recipient_choices(session, actor) if kind == "diffusion" else [],
        "recipients": form.get("recipients", []),
        "action": f"/{PLURAL[kind]}/new/{notice_type.value}",
    }
    return render(request, "notice_new.html", context, status_code=status_code)


def _chooser(request: Request, actor: Actor, kind: str) -> Response:
    context = {"actor": actor, "kind": kind, "types": TYPE_INFO, "base": f"/{PLURAL[kind]}/new/"}
    return render(request, "notice_types.html", context)


@router.get("/notices/new", response_class=HTMLResponse)
@router.get("/diffusions/new", response_class=HTMLResponse)
def choose_type(request: Request, actor: Requester) -> Response:
    kind = "diffusion" if request.url.path.startswith("/diffusions") else "notice"
    return _chooser(request, actor, kind)


@router.get("/notices/new/{type_value}", response_class=HTMLResponse)
@router.get("/diffusions/new/{type_value}", response_class=HTMLResponse)
def request_form(
    request: Request, session: DbSession, actor: Requester, type_value: str
) -> Response:
    if (unknown := _unknown_type(request, actor, type_value)) is not None:
        return unknown
    kind = "diffusion" if request.url.path.startswith("/diffusions") else "notice"
    return _form_page(request, session, actor, kind, NoticeType(type_value), {})


@router.post("/notices/new/{type_value}", response_class=HTMLResponse)
@router.post("/diffusions/new/{type_value}", response_class=HTMLResponse)
async def file_request(
    request: Request, session: DbSession, actor: Requester, type_value: str
) -> Response:
    form = await read_form(request)
    check_csrf(request, form.get(CSRF_FIELD, [""])[0])
    if (unknown := _unknown_type(request, actor, type_value)) is not None:
        return unknown
    kind = "diffusion" if request.url.path.startswith("/diffusions") else "notice"
    notice_type = NoticeType(type_value)
    if add := form.get("_add", [""])[0]:  # one more row: the form again, nothing written
        return _form_page(request, session, actor, kind, notice_type, form, add=add)
    positions: dict[str, list[int]] = {}
    data = parse_data(TYPE_MODELS[notice_type], form, positions, style=NOTICE_FORMS)
    try:
        if kind == "notice":
            public = bool(form.get("public_extract", [""])[0])
            body = NoticeCreate(type=notice_type, data=data, public_extract=public)
            notice = create_notice(session, body, actor=actor)
        else:
            recipients = [code for code in form.get("recipients", []) if code]
            try:
                sent = DiffusionCreate(type=notice_type, data=data, recipients=recipients)
            except ValidationError as exc:
                raise validation_to_invalid_input(exc) from None
            notice = send_diffusion(session, sent, actor=actor)
    except AppError as exc:
        session.rollback()
        errors = errors_by_path(exc, positions)
        return _form_page(request, session, actor, kind, notice_type, form,
                          errors=errors, status_code=exc.status)  # fmt: skip
    session.commit()
    return RedirectResponse(f"/{PLURAL[kind]}/{notice.id}", status_code=303)


def _steps(notice: Any, actor: Actor) -> list[str]:
    by_owner = notice.owner_bureau_id == actor.bureau_id
    return steps_for(notice.kind, Status(notice.status), by_owner=by_owner, actor=actor)


def _show(
    request: Request,
    session: DbSession,
    actor: Actor,
    kind: str,
    ident: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The page of a notice or diffusion (an audited read, as in the API): its data and
    status, the steps the actor may take and, for the requesting bureau and the
    secretariat, the history of its transitions."""
    missing = problem_page(request, actor, f"Not found: no such {kind} that you may see.", 404)
    try:
        history: list[dict[str, Any]] | None = notice_history(session, kind, ident, actor=actor)[
            "transitions"
        ]
    except Forbidden:  # read (and audited), but the history is not this actor's
        history = None
    except AppError:
        return missing
    notice = load_notice(session, kind, ident, actor, Action.READ)
    session.commit()
    view = notice_view(session, notice, bureau_codes(session), actor)
    context = {"actor": actor, "notice": view, "steps": _steps(notice, actor), "error": error,
               "history": history, "base": f"/{PLURAL[kind]}/{notice.id}"}  # fmt: skip
    return render(request, "notice.html", context, status_code=status_code)


@router.get("/notices/{ident}", response_class=HTMLResponse)
@router.get("/diffusions/{ident}", response_class=HTMLResponse)
def notice_page(request: Request, session: DbSession, actor: Reader, ident: str) -> Response:
    kind = "diffusion" if request.url.path.startswith("/diffusions") else "notice"
    return _show(request, session, actor, kind, ident)


@router.post("/notices/{ident}/{action}", response_class=HTMLResponse)
@router.post("/diffusions/{ident}/{action}", response_class=HTMLResponse)
async def notice_step(
    request: Request, session: DbSession, actor: Reader, ident: str, action: str
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get(CSRF_FIELD))
    kind = "diffusion" if request.url.path.startswith("/diffusions") else "notice"
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
        apply_transition(session, kind, ident, action, body, actor=actor)
    except (AppError, ValueError) as exc:
        session.rollback()
        message = exc.detail if isinstance(exc, AppError) else str(exc).splitlines()[0]
        status = exc.status if isinstance(exc, AppError) else 422
        return _show(request, session, actor, kind, ident, error=message, status_code=status)
    session.commit()
    return RedirectResponse(f"/{PLURAL[kind]}/{ident}", status_code=303)


@router.get("/review", response_class=HTMLResponse)
def review_desk(request: Request, session: DbSession, actor: Reviewer) -> Response:
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
