"""Console pages of the shared databases: the kinds, a kind's records (words, owner),
and the create and edit forms with the visibility chooser.

Forms are made from each kind's model: text, numbers, dates and choices get an input;
lists of words (aliases, nationalities) a comma-separated one; nested lists (identity
documents, links) stay with the API. The records services validate and decide, as for
the API; each error is shown on its field.
"""

from __future__ import annotations

import enum
import typing
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from interlink.access import Action, Permission, Visibility
from interlink.core.deps import DbSession, SettingsDep
from interlink.core.errors import AppError
from interlink.members.service import bureau_codes
from interlink.records.kinds import KINDS
from interlink.records.schemas import create_schema, update_schema
from interlink.records.service import (
    ListFilters,
    create_record,
    get_record,
    list_records,
    load_record,
    record_view,
    update_record,
    validation_to_invalid_input,
)
from interlink.web.forms import without_none
from interlink.web.pages import problem_page, render, signed_in
from interlink.web.session import CSRF_FIELD, check_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str  # text, number, list, choice
    choices: tuple[str, ...] = ()
    required: bool = False


def form_fields(kind: str) -> list[FormField]:
    fields = []
    for name, info in KINDS[kind].model_fields.items():
        annotation, _ = without_none(info.annotation)
        origin = typing.get_origin(annotation)
        base = typing.get_args(annotation)[0] if origin is typing.Annotated else annotation
        label = name.replace("_", " ").capitalize()
        if origin is list:
            inner = typing.get_args(annotation)[0]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                continue  # nested records: through the API
            fields.append(FormField(name, f"{label} (comma-separated)", "list"))
        elif isinstance(base, type) and issubclass(base, enum.Enum):
            choices = tuple(str(member.value) for member in base)
            fields.append(FormField(name, label, "choice", choices, info.is_required()))
        elif isinstance(base, type) and issubclass(base, BaseModel):
            continue
        elif base in (int, float):
            fields.append(FormField(name, label, "number", (), info.is_required()))
        else:
            fields.append(FormField(name, label, "text", (), info.is_required()))
    return fields


def _body(kind: str, form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for field in form_fields(kind):
        value = form.get(field.name, "").strip()
        if field.kind == "list":
            if value:
                body[field.name] = [part.strip() for part in value.split(",") if part.strip()]
        elif value:
            body[field.name] = value
    mode = form.get("visibility_mode") or "owner_only"
    countries = [c.strip() for c in form.get("visibility_countries", "").split(",") if c.strip()]
    body["visibility"] = {"mode": mode, "countries": countries}
    return body


def _errors(exc: AppError) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in exc.errors or [{"field": "", "message": exc.detail}]:
        path = str(error.get("field", "")).removeprefix("body.").split(".")[0] or "form"
        found.setdefault(path if path != "body" else "form", str(error["message"]))
    return found


def _kind_or_404(request: Request, actor: Any, kind: str) -> Response | None:
    if kind in KINDS:
        return None
    return problem_page(request, actor, f"Not found: no record kind {kind!r}.", 404)


@router.get("/records", response_class=HTMLResponse)
def kinds_page(request: Request, session: DbSession, settings: SettingsDep) -> Response:
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    return render(request, "records.html", {"actor": actor, "kinds": list(KINDS), "rows": None})


@router.get("/records/{kind}", response_class=HTMLResponse)
def list_page(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    kind: str,
    q: str = "",
    owner: str = "",
) -> Response:
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    if (missing := _kind_or_404(request, actor, kind)) is not None:
        return missing
    try:
        filters = ListFilters(q=q[:200] or None, owner=owner[:8] or None)
        rows, total = list_records(session, kind, filters, actor=actor, limit=100, offset=0)
    except AppError as exc:
        return problem_page(request, actor, exc.detail, exc.status)
    session.commit()
    codes = bureau_codes(session)
    context = {"actor": actor, "kinds": list(KINDS), "kind": kind, "rows": rows,
               "total": total, "codes": codes, "q": q, "owner": owner}  # fmt: skip
    return render(request, "records.html", context)


def _form_page(
    request: Request, actor: Any, kind: str, values: dict[str, str], errors: dict[str, str],
    action: str, status_code: int = 200,
) -> Response:  # fmt: skip
    context = {"actor": actor, "kind": kind, "fields": form_fields(kind), "values": values,
               "errors": errors, "action": action}  # fmt: skip
    return render(request, "record_form.html", context, status_code=status_code)


@router.get("/records/{kind}/new", response_class=HTMLResponse)
def new_page(request: Request, session: DbSession, settings: SettingsDep, kind: str) -> Response:
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    if (missing := _kind_or_404(request, actor, kind)) is not None:
        return missing
    if not actor.can(Permission.RECORDS_WRITE):
        return problem_page(request, actor, "Records are created by a bureau's officers.", 403)
    return _form_page(request, actor, kind, {}, {}, f"/records/{kind}/new")


@router.post("/records/{kind}/new", response_class=HTMLResponse)
async def create(
    request: Request, session: DbSession, settings: SettingsDep, kind: str
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get(CSRF_FIELD))
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    if (missing := _kind_or_404(request, actor, kind)) is not None:
        return missing
    try:
        try:
            body = create_schema(kind).model_validate(_body(kind, form))
        except ValidationError as exc:
            raise validation_to_invalid_input(exc) from None
        record = create_record(session, kind, body, actor=actor)
    except AppError as exc:
        session.rollback()
        return _form_page(request, actor, kind, form, _errors(exc), f"/records/{kind}/new",
                          exc.status)  # fmt: skip
    session.commit()
    return RedirectResponse(f"/records/{kind}/{record.id}", status_code=303)


def _values(view: dict[str, Any], kind: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for field in form_fields(kind):
        value = view.get(field.name)
        if isinstance(value, list):
            values[field.name] = ", ".join(str(v) for v in value)
        elif value is not None:
            values[field.name] = str(value.value if isinstance(value, enum.Enum) else value)
    visibility: Visibility = view["visibility"]
    values["visibility_mode"] = visibility.mode.value
    values["visibility_countries"] = ", ".join(visibility.countries)
    return values


@router.get("/records/{kind}/{record_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, session: DbSession, settings: SettingsDep, kind: str, record_id: str
) -> Response:
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        record = get_record(session, kind, uuid.UUID(record_id), actor=actor)
    except (AppError, ValueError):
        return problem_page(request, actor, "Not found: no such record that you may see.", 404)
    session.commit()
    try:  # the access policy says who may change it: the owner, the secretariat
        load_record(session, kind, record.id, actor, Action.UPDATE)
    except AppError:
        return problem_page(request, actor, "Only the bureau that owns a record edits it.", 403)
    values = _values(record_view(record, bureau_codes(session)), kind)
    return _form_page(request, actor, kind, values, {}, f"/records/{kind}/{record_id}/edit")


@router.post("/records/{kind}/{record_id}/edit", response_class=HTMLResponse)
async def edit(
    request: Request, session: DbSession, settings: SettingsDep, kind: str, record_id: str
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get(CSRF_FIELD))
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    action = f"/records/{kind}/{record_id}/edit"
    try:
        identifier = uuid.UUID(record_id)
        body = _body(kind, form)
        try:
            patch = update_schema(kind).model_validate(body)
        except ValidationError as exc:
            raise validation_to_invalid_input(exc) from None
        update_record(session, kind, identifier, patch, actor=actor)
    except ValueError:
        return problem_page(request, actor, "Not found: no such record that you may see.", 404)
    except AppError as exc:
        session.rollback()
        if exc.status == 404:
            return problem_page(request, actor, "Not found: no such record that you may see.", 404)
        return _form_page(request, actor, kind, form, _errors(exc), action, exc.status)
    session.commit()
    return RedirectResponse(f"/records/{kind}/{record_id}", status_code=303)


@router.get("/records/{kind}/{record_id}", response_class=HTMLResponse)
def record_page(
    request: Request, session: DbSession, settings: SettingsDep, kind: str, record_id: str
) -> Response:
    actor = signed_in(request, session, settings)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        record = get_record(session, kind, uuid.UUID(record_id), actor=actor)
    except (AppError, ValueError):
        # Invisible and absent look the same, as in the API.
        return problem_page(request, actor, "Not found: no such record that you may see.", 404)
    session.commit()  # the read of person data is audited
    view = record_view(record, bureau_codes(session))
    return render(request, "record.html", {"actor": actor, "record": view})
