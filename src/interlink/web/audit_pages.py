"""The console's Audit pages, for auditors: searching the trail (actor, action, bureau,
object, dates; a page at a time), verifying the hash chain, and exporting the entries a
search finds as CSV or NDJSON.

An export carries every field the hash covers, in the form it was hashed (``at`` as
``YYYY-MM-DDTHH:MM:SS.ffffffZ``, before/after as JSON), with ``prev_hash`` and
``hash``, so the entries can be checked outside Interlink. In CSV, a text cell that a
spreadsheet would run as a formula (= + - @) is prefixed with ``'`` (``core.csvcells``,
as every CSV Interlink writes; its ``restore`` gives the hashed text back); NDJSON is
verbatim.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from interlink.access import Actor, Permission
from interlink.audit.checkpoint import (
    CheckpointError,
    CheckpointResult,
    check_checkpoint,
    parse_checkpoint,
    sign_head,
)
from interlink.audit.models import AuditEntry, AuditHead
from interlink.audit.service import AuditAction, entries_query, page_of, verify_chain
from interlink.audit.service import record as audit_record
from interlink.core.csvcells import writer as csv_writer
from interlink.core.db import reading
from interlink.core.deps import DbSession, Now, SettingsDep
from interlink.core.errors import AppError
from interlink.core.files import download, download_headers, export_spool, safe_filename
from interlink.core.signing import installation_key
from interlink.web.pages import problem_page, render
from interlink.web.session import CSRF_FIELD, check_csrf, page_requires

__all__ = ["EXPORT_FIELDS", "router"]

router = APIRouter(include_in_schema=False)

AUDIT = Permission.AUDIT_READ
NOT_YOURS = "The audit trail is read by auditors."
Auditor = Annotated[Actor, Depends(page_requires(AUDIT, NOT_YOURS))]
PAGE_SIZE = 50
MAX_CHECKPOINT_FILES = 100
MAX_CHECKPOINT_BYTES = 4096
"""A checkpoint is some 400 bytes; anything much larger is not one."""
EXPORT_FIELDS = ("seq", "at", "actor", "actor_id", "bureau", "request_id", "action",
                 "object_type", "object_id", "before", "after", "prev_hash", "hash")  # fmt: skip


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    action: str = ""
    bureau: str = ""
    object_type: str = ""
    object_id: str = ""
    since: str = ""
    until: str = ""


def _day(value: str) -> datetime:
    """A date (YYYY-MM-DD) or an ISO date-time, as an aware UTC moment."""
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _filters(request: Request) -> tuple[Filters, dict[str, str]]:
    """The search's filters from the query string, and an error for each bad one."""
    params = request.query_params
    values = {name: params.get(name, "").strip()[:64] for name in Filters.__dataclass_fields__}
    errors: dict[str, str] = {}
    if values["action"] and values["action"] not in {a.value for a in AuditAction}:
        errors["action"] = f"{values['action']!r} is not an action the trail records"
    for name in ("since", "until"):
        if values[name]:
            try:
                _day(values[name]) + timedelta(days=1)  # the end of an ``until`` day too
            except (ValueError, OverflowError):
                errors[name] = "not a date this trail could hold: write it as YYYY-MM-DD"
    since, until = values["since"], values["until"]
    if not errors and since and until and _day(since) > _day(until):
        errors["until"] = "the end of the period is before its start"
    return Filters(**values), errors


def _query(filters: Filters) -> Select[tuple[AuditEntry]]:
    until = None
    if filters.until:  # a date includes its whole day
        end = _day(filters.until)
        until = end + timedelta(days=1) if len(filters.until) == 10 else end
    return entries_query(
        actor=filters.actor or None,
        action=filters.action or None,
        bureau=filters.bureau.upper() or None,
        object_type=filters.object_type or None,
        object_id=filters.object_id or None,
        since=_day(filters.since) if filters.since else None,
        until=until,
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: DbSession, actor: Auditor, page: int = 1) -> Response:
    filters, errors = _filters(request)
    page = max(1, min(page, 10**6))
    entries: list[AuditEntry] = []
    total = 0
    if not errors:
        offset = (page - 1) * PAGE_SIZE
        entries, total = page_of(session, _query(filters), limit=PAGE_SIZE, offset=offset)
    context = {
        "actor": actor,
        "filters": asdict(filters),
        "errors": errors,
        "entries": entries,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "actions": [action.value for action in AuditAction],
        "query": urlencode({name: value for name, value in asdict(filters).items() if value}),
    }
    return render(request, "audit.html", context, status_code=422 if errors else 200)


@router.get("/audit/verify", response_class=HTMLResponse)
def verify_page(request: Request, session: DbSession, actor: Auditor, now: Now) -> Response:
    return render(request, "audit_verify.html", _verified(session, actor, now))


def _verified(
    session: Session,
    actor: Actor,
    now: datetime,
    checks: list[CheckpointResult] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    report = verify_chain(session)
    head = session.get(AuditHead, 1)
    bad = session.get(AuditEntry, report.first_bad_seq) if report.first_bad_seq else None
    return {"actor": actor, "report": report, "head": head, "bad": bad, "now": now,
            "checks": checks, "error": error}  # fmt: skip


@router.post("/audit/verify", response_class=HTMLResponse)
async def verify_checkpoints(
    request: Request, session: DbSession, settings: SettingsDep, actor: Auditor, now: Now
) -> Response:
    """The chain, and each uploaded checkpoint against this installation's key and the log."""
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD) or ""))
    uploads = [item for item in form.getlist("checkpoints") if isinstance(item, UploadFile)]
    try:
        if not uploads or not any(upload.filename for upload in uploads):
            raise CheckpointError("checkpoints: choose one or more checkpoint files (.json)")
        if len(uploads) > MAX_CHECKPOINT_FILES:
            raise CheckpointError(f"checkpoints: at most {MAX_CHECKPOINT_FILES} files at once")
        documents = []
        for upload in uploads:
            raw = await upload.read(MAX_CHECKPOINT_BYTES + 1)
            name = safe_filename(upload.filename or "checkpoint")
            if len(raw) > MAX_CHECKPOINT_BYTES:
                raise CheckpointError(f"checkpoints: {name} is too large for a checkpoint")
            documents.append((name, parse_checkpoint(raw, name, field="checkpoints")))
        public = installation_key(settings).public
    except AppError as exc:
        context = _verified(session, actor, now, error=exc.detail)
        return render(request, "audit_verify.html", context, status_code=422)
    checks = [check_checkpoint(session, doc, public, source) for source, doc in documents]
    return render(request, "audit_verify.html", _verified(session, actor, now, checks))


@router.get("/audit/checkpoint")
def checkpoint_download(session: DbSession, settings: SettingsDep, _actor: Auditor) -> Response:
    """The chain's head signed now, as a file to keep outside this server."""
    document = sign_head(session, installation_key(settings))
    name = f"checkpoint-{document.checkpoint.seq:012d}.json"
    return Response(
        document.model_dump_json(indent=2) + "\n",
        media_type="application/json",
        headers=download_headers(name),
    )


@router.get("/audit/public-key")
def public_key_download(settings: SettingsDep, _actor: Auditor) -> Response:
    """The installation's public key (PEM), for auditors and outsiders who check checkpoints
    and backups without Interlink's secret."""
    public = installation_key(settings).public
    headers = download_headers(f"interlink-{public.key_id}.pem")
    return Response(public.pem(), media_type="application/x-pem-file", headers=headers)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def exported(entry: AuditEntry) -> dict[str, Any]:
    """An entry as exported: every field its hash covers, as hashed."""
    row = {name: getattr(entry, name) for name in EXPORT_FIELDS}
    row["at"] = entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return row


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return _json(value)
    return "" if value is None else value


def _write(session: Session, query: Select[AuditEntry], kind: str, out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv_writer(text) if kind == "csv" else None
    if writer is not None:
        writer.writerow(EXPORT_FIELDS)
    rows = session.scalars(query.order_by(AuditEntry.seq).execution_options(yield_per=1000))
    for entry in rows:
        row = exported(entry)
        if writer is not None:
            writer.writerow([_cell(row[name]) for name in EXPORT_FIELDS])
        else:
            text.write(_json(row) + "\n")
    text.detach()  # the spool stays open for the answer


_MEDIA = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


@router.get("/audit/export")
def export(
    request: Request, session: DbSession, actor: Auditor, now: Now, format: str = "csv"
) -> Response:
    filters, errors = _filters(request)
    if format not in _MEDIA:
        errors["format"] = f"{format[:20]!r} is not an export format: csv or ndjson"
    if errors:
        detail = "; ".join(f"{name}: {message}" for name, message in errors.items())
        return problem_page(request, actor, f"Invalid input: {detail}", 422)
    spool = export_spool()
    with reading(session):  # a long read: on SQLite, writers (audited ones) go on meanwhile
        _write(session, _query(filters), format, spool)
    # Who took a copy of the trail, and of which part, is itself on the trail.
    audit_record(
        session,
        AuditAction.AUDIT_EXPORT,
        actor=actor,
        object_type="audit",
        after={"format": format, **{k: v for k, v in asdict(filters).items() if v}},
    )
    session.commit()  # fmt: skip
    filename = f"audit-{now:%Y%m%d-%H%M%S}.{format}"
    return download(spool, _MEDIA[format], filename)
