"""Console pages of operations: the list, the planning form (inline errors on their
fields), and an operation's page with its targets, tasks, results and timeline, and the
forms of whoever may act on it (the command centre: steps, targets, tasks, notes,
participating countries; a participating bureau: its tasks done, its results).

They call the operations services as the API does; the incidents pages join this
router (``web/incidents.py``).
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
from interlink.operations import service
from interlink.operations.reads import (
    list_operations,
    load_operation,
    may_manage,
    note_read,
    operation_view,
)
from interlink.operations.schemas import (
    NoteCreate,
    OperationCreate,
    OperationUpdate,
    ResultCreate,
    TargetRef,
    TaskCreate,
    TaskUpdate,
)
from interlink.web.forms import error_status, field_errors
from interlink.web.incidents import router as incidents_router
from interlink.web.operations_forms import (
    Act,
    body_of,
    change,
    codes,
    lines,
    posted,
    utc,
)
from interlink.web.pages import problem_page, render
from interlink.web.session import page_requires

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

NEW_FIELDS = {"name", "objective", "start_date", "end_date", "countries", "notices", "records"}
# The fields of each form on an operation's page, as the API names them.
PAGE_FORMS = {
    "step": set(),
    "countries": {"countries"},
    "target": {"notice_id", "record_id", "note"},
    "task": {"title", "country", "due"},
    "taskdone": {"done"},
    "result": {"kind", "country", "count", "description", "target_id"},
    "note": {"text", "at"},
}
NOT_FOUND = "Not found: no such operation that you may see."
# Participating bureaus read operations and answer their tasks with ``records:read``, as
# in the API; the command centre plans and runs them (``operations:manage``).
Reader = Annotated[
    Actor,
    Depends(
        page_requires(
            Permission.RECORDS_READ,
            "Operations are the command centre's and the bureaus taking part in them.",
        )
    ),
]
Planner = Annotated[
    Actor,
    Depends(
        page_requires(Permission.OPERATIONS_MANAGE, "Operations are planned by the command centre.")
    ),
]


def _new_field(path: str) -> str:
    """``targets.3.record_id`` -> the records box; ``countries.1`` -> countries."""
    if path.startswith("targets."):
        return "records" if path.endswith("record_id") else "notices"
    return path.split(".")[0]


@router.get("/operations", response_class=HTMLResponse)
def operations_page(
    request: Request, session: DbSession, actor: Reader, status: str = ""
) -> Response:
    chosen = status if status in ("planned", "active", "closed") else None
    found, total = list_operations(session, actor=actor, status=chosen, limit=200)
    context = {"actor": actor, "operations": found, "total": total, "status": chosen or ""}
    context["manager"] = may_manage(actor)
    return render(request, "operations.html", context)


def _new_page(
    request: Request, actor: Actor, form: dict[str, str], errors: dict[str, str], status: int
) -> Response:
    context = {"actor": actor, "form": form, "errors": errors}
    return render(request, "operation_new.html", context, status_code=status)


@router.get("/operations/new", response_class=HTMLResponse)
def new_operation_page(request: Request, actor: Planner) -> Response:
    return _new_page(request, actor, {}, {}, 200)


@router.post("/operations/new", response_class=HTMLResponse)
async def new_operation(request: Request, session: DbSession, actor: Planner, now: Now) -> Response:
    form = await posted(request)
    targets = [{"notice_id": line} for line in lines(form.get("notices", ""))]
    targets += [{"record_id": line} for line in lines(form.get("records", ""))]
    data: dict[str, Any] = {
        name: form.get(name, "") for name in ("name", "objective", "start_date", "end_date")
    }
    data |= {"countries": codes(form.get("countries", "")), "targets": targets}
    try:
        body = body_of(OperationCreate, data)
        operation = service.create_operation(session, body, actor=actor, now=now)
    except (AppError, ValidationError) as exc:
        session.rollback()
        return _new_page(
            request, actor, form, field_errors(exc, NEW_FIELDS, _new_field), error_status(exc)
        )
    session.commit()
    return RedirectResponse(f"/operations/{operation.reference}", status_code=303)


def _page(
    request: Request, session: Session, actor: Actor, ident: str, *, posted_form: str = "",
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    try:
        operation = load_operation(session, ident, actor)
    except AppError:
        return problem_page(request, actor, NOT_FOUND, 404)
    note_read(session, operation, actor)  # opened, or shown again after a refused change
    session.commit()
    view = operation_view(session, operation, actor)
    context = {
        "actor": actor,
        "op": view,
        "country_options": [(code, code) for code in view["countries"]],
        "target_options": [(str(t["id"]), t["label"]) for t in view["targets"]],
        "posted": posted_form,
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "operation.html", context, status_code=status)


@router.get("/operations/{ident}", response_class=HTMLResponse)
def operation_page(request: Request, session: DbSession, actor: Reader, ident: str) -> Response:
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
        request, session, actor, name=name, known=PAGE_FORMS[name], act=act,
        done=f"/operations/{ident}", again=again,
    )  # fmt: skip


@router.post("/operations/{ident}/step/{step}", response_class=HTMLResponse)
async def operation_step(
    request: Request, session: DbSession, actor: Planner, now: Now, ident: str, step: str
) -> Response:
    def act(actor: Actor, _form: dict[str, str]) -> Any:
        return service.transition_operation(session, ident, step, actor=actor, now=now)

    return await _change(request, session, actor, ident, "step", act)


@router.post("/operations/{ident}/countries", response_class=HTMLResponse)
async def operation_countries(
    request: Request, session: DbSession, actor: Planner, now: Now, ident: str
) -> Response:
    def act(actor: Actor, form: dict[str, str]) -> Any:
        body = OperationUpdate(countries=codes(form.get("countries", "")))
        return service.update_operation(session, ident, body, actor=actor, now=now)

    return await _change(request, session, actor, ident, "countries", act)


@router.post("/operations/{ident}/targets", response_class=HTMLResponse)
async def operation_target(
    request: Request, session: DbSession, actor: Planner, now: Now, ident: str
) -> Response:
    def act(actor: Actor, form: dict[str, str]) -> Any:
        body = body_of(TargetRef, {k: form.get(k, "").strip() for k in PAGE_FORMS["target"]})
        return service.add_target(session, ident, body, actor=actor, now=now)

    return await _change(request, session, actor, ident, "target", act)


@router.post("/operations/{ident}/tasks", response_class=HTMLResponse)
async def operation_task(
    request: Request, session: DbSession, actor: Planner, now: Now, ident: str
) -> Response:
    def act(actor: Actor, form: dict[str, str]) -> Any:
        body = body_of(TaskCreate, {k: form.get(k, "") for k in PAGE_FORMS["task"]})
        return service.add_task(session, ident, body, actor=actor, now=now)

    return await _change(request, session, actor, ident, "task", act)


@router.post("/operations/{ident}/tasks/{task_id}", response_class=HTMLResponse)
async def operation_task_done(
    request: Request, session: DbSession, actor: Reader, now: Now, ident: str,
    task_id: uuid.UUID,
) -> Response:  # fmt: skip
    def act(actor: Actor, form: dict[str, str]) -> Any:
        body = TaskUpdate(done=form.get("done") == "1")
        return service.update_task(session, ident, task_id, body, actor=actor, now=now)

    return await _change(request, session, actor, ident, "taskdone", act)


@router.post("/operations/{ident}/results", response_class=HTMLResponse)
async def operation_result(
    request: Request, session: DbSession, actor: Reader, now: Now, ident: str
) -> Response:
    def act(actor: Actor, form: dict[str, str]) -> Any:
        body = body_of(ResultCreate, {k: form.get(k, "") for k in PAGE_FORMS["result"]})
        return service.add_result(session, ident, body, actor=actor, now=now)

    return await _change(request, session, actor, ident, "result", act)


@router.post("/operations/{ident}/notes", response_class=HTMLResponse)
async def operation_note(
    request: Request, session: DbSession, actor: Planner, now: Now, ident: str
) -> Response:
    def act(actor: Actor, form: dict[str, str]) -> Any:
        data = {"text": form.get("text", ""), "at": utc(form.get("at", ""))}
        return service.add_note(session, ident, body_of(NoteCreate, data), actor=actor, now=now)

    return await _change(request, session, actor, ident, "note", act)


router.include_router(incidents_router)
