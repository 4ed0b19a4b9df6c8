"""Console pages of the shared databases: the kinds, a kind's records (words, owner), a
record and its history, and the create and edit forms with the visibility chooser.

Forms are made from each kind's model by ``web.model_forms`` (as notice requests are):
text, numbers, dates and choices get an input, lists of words (aliases, nationalities)
one a line, lists of structures (a person's identity documents and links) numbered rows
with "add another". The records services validate and decide, as for the API; each
error is shown on its field.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from interlink.access import Action, Actor, Permission, Visibility
from interlink.core.deps import DbSession
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
    record_history,
    record_view,
    update_record,
    validation_to_invalid_input,
)
from interlink.web.model_forms import (
    FormData,
    FormStyle,
    as_form_data,
    errors_by_path,
    layout,
    parse_data,
    read_form,
)
from interlink.web.pages import problem_page, render
from interlink.web.session import CSRF_FIELD, check_csrf, page_requires

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Reader = Annotated[
    Actor, Depends(page_requires(Permission.RECORDS_READ, "Your role does not read the records."))
]
Writer = Annotated[
    Actor,
    Depends(page_requires(Permission.RECORDS_WRITE, "Records are created by a bureau's officers.")),
]
Editor = Annotated[
    Actor,
    Depends(
        page_requires(Permission.RECORDS_WRITE, "Only the bureau that owns a record edits it.")
    ),
]

RECORD_FORMS = FormStyle(
    labels={"plate_country": "Country of the plate", "vin": "VIN (vehicle identification number)"}
)
_VISIBILITY = ("visibility_mode", "visibility_countries")


def _body(kind: str, form: FormData, positions: dict[str, list[int]]) -> dict[str, Any]:
    body = parse_data(KINDS[kind], form, positions, style=RECORD_FORMS)
    mode = form.get("visibility_mode", [""])[0] or "owner_only"
    listed = form.get("visibility_countries", [""])[0]
    body["visibility"] = {"mode": mode, "countries": [c.strip() for c in listed.split(",")
                                                      if c.strip()]}  # fmt: skip
    return body


def _errors(exc: AppError, positions: dict[str, list[int]]) -> dict[str, str]:
    """Each error on its field (``data.year``); the visibility's on the chooser."""
    found = errors_by_path(exc, positions, under="data")
    for path in [p for p in found if p.startswith("data.visibility")]:
        found.setdefault("visibility", found.pop(path))
    return found


def _kind_or_404(request: Request, actor: Any, kind: str) -> Response | None:
    if kind in KINDS:
        return None
    return problem_page(request, actor, f"Not found: no record kind {kind!r}.", 404)


@router.get("/records", response_class=HTMLResponse)
def kinds_page(request: Request, actor: Reader) -> Response:
    return render(request, "records.html", {"actor": actor, "kinds": list(KINDS), "rows": None})


@router.get("/records/{kind}", response_class=HTMLResponse)
def list_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    kind: str,
    q: str = "",
    owner: str = "",
) -> Response:
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
    request: Request, actor: Any, kind: str, form: FormData, errors: dict[str, str],
    action: str, status_code: int = 200, add: str = "",
) -> Response:  # fmt: skip
    errors = dict(errors)
    nodes = layout(KINDS[kind], form, {}, errors=errors, add=add, style=RECORD_FORMS)
    values = {name: form.get(name, [""])[0] for name in _VISIBILITY}
    context = {"actor": actor, "kind": kind, "nodes": nodes, "values": values,
               "errors": errors, "action": action}  # fmt: skip
    return render(request, "record_form.html", context, status_code=status_code)


@router.get("/records/{kind}/new", response_class=HTMLResponse)
def new_page(request: Request, actor: Writer, kind: str) -> Response:
    if (missing := _kind_or_404(request, actor, kind)) is not None:
        return missing
    return _form_page(request, actor, kind, {}, {}, f"/records/{kind}/new")


@router.post("/records/{kind}/new", response_class=HTMLResponse)
async def create(request: Request, session: DbSession, actor: Writer, kind: str) -> Response:
    form = await read_form(request)
    check_csrf(request, form.get(CSRF_FIELD, [""])[0])
    if (missing := _kind_or_404(request, actor, kind)) is not None:
        return missing
    action = f"/records/{kind}/new"
    if add := form.get("_add", [""])[0]:  # one more row: the form again, nothing written
        return _form_page(request, actor, kind, form, {}, action, add=add)
    positions: dict[str, list[int]] = {}
    try:
        try:
            body = create_schema(kind).model_validate(_body(kind, form, positions))
        except ValidationError as exc:
            raise validation_to_invalid_input(exc) from None
        record = create_record(session, kind, body, actor=actor)
    except AppError as exc:
        session.rollback()
        return _form_page(request, actor, kind, form, _errors(exc, positions), action,
                          exc.status)  # fmt: skip
    session.commit()
    return RedirectResponse(f"/records/{kind}/{record.id}", status_code=303)


def _values(view: dict[str, Any], kind: str) -> FormData:
    """A record as its edit form carries it."""
    fields = KINDS[kind].model_fields
    form = as_form_data({name: view[name] for name in fields if view.get(name) is not None})
    visibility: Visibility = view["visibility"]
    form["visibility_mode"] = [visibility.mode.value]
    form["visibility_countries"] = [", ".join(visibility.countries)]
    return form


@router.get("/records/{kind}/{record_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, session: DbSession, actor: Editor, kind: str, record_id: str
) -> Response:
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
    request: Request, session: DbSession, actor: Editor, kind: str, record_id: str
) -> Response:
    form = await read_form(request)
    check_csrf(request, form.get(CSRF_FIELD, [""])[0])
    action = f"/records/{kind}/{record_id}/edit"
    if (missing := _kind_or_404(request, actor, kind)) is not None:
        return missing
    if add := form.get("_add", [""])[0]:
        return _form_page(request, actor, kind, form, {}, action, add=add)
    positions: dict[str, list[int]] = {}
    try:
        identifier = uuid.UUID(record_id)
        body = _body(kind, form, positions)
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
        return _form_page(request, actor, kind, form, _errors(exc, positions), action, exc.status)
    session.commit()
    return RedirectResponse(f"/records/{kind}/{record_id}", status_code=303)


@router.get("/records/{kind}/{record_id}", response_class=HTMLResponse)
def record_page(
    request: Request, session: DbSession, actor: Reader, kind: str, record_id: str
) -> Response:
    try:
        record = get_record(session, kind, uuid.UUID(record_id), actor=actor)
    except (AppError, ValueError):
        # Invisible and absent look the same, as in the API.
        return problem_page(request, actor, "Not found: no such record that you may see.", 404)
    session.commit()  # the read of person data is audited
    view = record_view(record, bureau_codes(session))
    return render(request, "record.html", {"actor": actor, "record": view})


@router.get("/records/{kind}/{record_id}/history", response_class=HTMLResponse)
def history_page(
    request: Request, session: DbSession, actor: Reader, kind: str, record_id: str
) -> Response:
    """The versions as the API's history gives them: withheld where the reader's bureau
    was not among those the version's own visibility named."""
    try:
        identifier = uuid.UUID(record_id)
        versions = record_history(session, kind, identifier, actor=actor)
        record = load_record(session, kind, identifier, actor, Action.READ, include_deleted=True)
    except (AppError, ValueError):
        return problem_page(request, actor, "Not found: no such record that you may see.", 404)
    session.commit()  # the read of person data is audited
    view = record_view(record, bureau_codes(session))
    return render(request, "record_history.html",
                  {"actor": actor, "record": view, "versions": versions})  # fmt: skip
