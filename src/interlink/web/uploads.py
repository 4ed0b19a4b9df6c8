"""Console pages for long work: a manifest of travellers screened in batch, and a file of
records imported into the bureau's databases. Each runs as a job (``core.jobs``) whose
progress the page shows as it goes; the screening report is downloaded at the end.

The work is the command line's (``screening.manifest.screen_rows``,
``records.file_import.import_file``), as the signed-in user, under the same rules.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from interlink.access import Actor, Permission, Visibility
from interlink.core.csvcells import writer as csv_writer
from interlink.core.deps import DbSession, SettingsDep
from interlink.core.errors import AppError, InvalidInput
from interlink.core.files import download_headers, safe_filename
from interlink.core.jobs import Job, JobRegistry
from interlink.core.limits import FORM_OVERHEAD_BYTES, UPLOAD_BYTES, UPLOAD_ROWS
from interlink.interop.base import HEAD, FormatError
from interlink.interop.formats import FORMATS, guess_format
from interlink.members.service import bureau_by_code, check_visibility
from interlink.records.file_import import import_file
from interlink.records.kinds import KINDS
from interlink.screening.manifest import REPORT_COLUMNS, read_manifest, screen_rows
from interlink.web.pages import problem_page, render
from interlink.web.session import CSRF_FIELD, PageActor, check_csrf, page_requires

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = UPLOAD_BYTES
MAX_TRAVELLERS = UPLOAD_ROWS
"""Travellers per uploaded manifest (held in memory while they are screened); larger
manifests go through ``interlink screen``."""
IMPORT_BATCH = 1000  # small batches: the page's progress moves every thousand records

Screener = Annotated[
    Actor,
    Depends(
        page_requires(
            Permission.SCREENING_RUN,
            "Batch screening is for a member bureau's officers.",
            member_bureau=True,
        )
    ),
]
Importer = Annotated[
    Actor,
    Depends(
        page_requires(
            Permission.RECORDS_WRITE,
            "Importing records is for a member bureau's officers.",
            member_bureau=True,
        )
    ),
]


def _jobs(request: Request) -> JobRegistry:
    registry: JobRegistry = request.app.state.jobs
    return registry


def _refused_upload(request: Request, actor: Actor) -> str | None:
    """Why the upload is refused before its body is read (None: it may go on): the
    size it declares, and one job at a time for each user."""
    declared = request.headers.get("content-length", "")
    if not (declared.isascii() and declared.isdigit()):
        return "the upload must say its size (Content-Length)"
    if int(declared) > MAX_UPLOAD + FORM_OVERHEAD_BYTES:
        return f"at most {MAX_UPLOAD // (1024 * 1024)} MB per file"
    if (running := _jobs(request).running(actor.name)) is not None:
        return f"your job {running.title!r} is still running: wait for it to finish"
    return None


async def _upload(form: Any, name: str) -> tuple[str, bytes]:
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput(name, "choose a file to upload")
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput(name, f"at most {MAX_UPLOAD // (1024 * 1024)} MB per file")
    return safe_filename(upload.filename), data


@router.get("/screen/batch", response_class=HTMLResponse)
def batch_page(request: Request, actor: Screener) -> Response:
    return render(request, "batch.html", {"actor": actor, "errors": {}})


@router.post("/screen/batch", response_class=HTMLResponse)
async def batch_start(request: Request, settings: SettingsDep, actor: Screener) -> Response:
    if (refusal := _refused_upload(request, actor)) is not None:
        return render(request, "batch.html", {"actor": actor, "errors": {"manifest": refusal}},
                      413 if "MB" in refusal else 409)  # fmt: skip
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD) or ""))
    try:
        name, data = await _upload(form, "manifest")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput("manifest", "the file is not UTF-8 text") from exc
        if text.count("\n") > MAX_TRAVELLERS + 1:
            raise InvalidInput("manifest", f"at most {MAX_TRAVELLERS:,} travellers per upload "
                               "(the command line `interlink screen` takes more)")  # fmt: skip
        rows = read_manifest(io.StringIO(text, newline=""))
        if not rows:
            raise InvalidInput("manifest", "the manifest has no travellers")
    except AppError as exc:
        errors = {"manifest": exc.errors[0]["message"] if exc.errors else exc.detail}
        return render(request, "batch.html", {"actor": actor, "errors": errors}, 422)
    factory, url = request.app.state.session_factory, settings.database_url

    def work(job: Job) -> None:
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(REPORT_COLUMNS)

        def progress(chunk: Any, counts: dict[str, int]) -> None:
            job.done += chunk.screened + len(chunk.skipped)
            job.summary = dict(counts)

        with factory() as own:
            job.summary = screen_rows(
                own, url, rows, actor=actor, source=name, report=writer.writerows,
                progress=progress,
            )  # fmt: skip
        job.result = out.getvalue().encode()
        job.result_name = f"{Path(name).stem}-report.csv"

    job = Job(title=f"Screening {name}", owner=actor.name, total=len(rows))
    _jobs(request).start(job, work)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _import_context(actor: Actor, form: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    return {"actor": actor, "formats": sorted(FORMATS), "kinds": sorted(KINDS),
            "form": form, "errors": errors}  # fmt: skip


@router.get("/records/import", response_class=HTMLResponse)
def import_page(request: Request, actor: Importer) -> Response:
    return render(request, "import.html", _import_context(actor, {}, {}))


def _count_lines(data: bytes, name: str) -> int | None:
    if name in ("csv", "ftm"):
        return max(data.count(b"\n") + (not data.endswith(b"\n")) - (name == "csv"), 0)
    return None  # XML and STIX bundles: not one record per line


@router.post("/records/import", response_class=HTMLResponse)
async def import_start(request: Request, session: DbSession, actor: Importer) -> Response:
    if (refusal := _refused_upload(request, actor)) is not None:
        context = _import_context(actor, {}, {"file": refusal})
        return render(request, "import.html", context, 413 if "MB" in refusal else 409)
    raw = await request.form()
    check_csrf(request, str(raw.get(CSRF_FIELD) or ""))
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    path: Path | None = None
    try:
        filename, data = await _upload(raw, "file")
        kind = form.get("kind") or None
        if kind is not None and kind not in KINDS:
            raise InvalidInput("kind", f"one of {', '.join(sorted(KINDS))}")
        countries = [c.strip().upper() for c in form.get("visibility_countries", "").split(",")]
        try:
            visibility = Visibility.model_validate(
                {"mode": form.get("visibility_mode") or "owner_only",
                 "countries": [c for c in countries if c]}
            )  # fmt: skip
        except ValidationError as exc:
            raise InvalidInput("visibility", exc.errors()[0]["msg"]) from exc
        check_visibility(session, visibility, sharer=actor.country)
        owner = bureau_by_code(session, actor.country or "", field="owner").code
        # The client's name is not a path here: only its extension, which says the format.
        handle, name = tempfile.mkstemp(suffix=_extension(filename))
        os.close(handle)
        path = Path(name)
        path.write_bytes(data)
        try:
            chosen = form.get("format") or guess_format(path)
        except FormatError as exc:
            raise InvalidInput("format", str(exc)) from exc
        if chosen not in FORMATS:
            raise InvalidInput("format", f"one of {', '.join(sorted(FORMATS))}")
        if (check := FORMATS[chosen].check_start) is not None:
            try:
                check(data[:HEAD])
            except FormatError as exc:
                raise InvalidInput("file", str(exc)) from exc
        if chosen == "csv" and kind is None:
            raise InvalidInput("kind", "a CSV file holds one kind of record: choose it")
    except AppError as exc:
        if path is not None:
            path.unlink(missing_ok=True)
        field = str((exc.errors or [{}])[0].get("field", "file")).split(".")[0]
        errors = {field: exc.errors[0]["message"] if exc.errors else exc.detail}
        return render(request, "import.html", _import_context(actor, form, errors), 422)
    except BaseException:
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    session.commit()
    factory = request.app.state.session_factory
    upload = path

    def work(job: Job) -> None:
        def progress(report: Any) -> None:
            job.done = report.seen
            job.summary = {"created": report.created, "updated": report.updated,
                           "unchanged": report.unchanged, "bad": report.failed}  # fmt: skip

        try:
            with factory() as own:
                report = import_file(
                    own, upload, chosen, kind=kind, owner=bureau_by_code(own, owner),
                    visibility=visibility, actor_name=actor.name, batch_size=IMPORT_BATCH,
                    progress=progress, actor=actor, source=_short(filename),
                )  # fmt: skip
        except FormatError as exc:
            raise InvalidInput("file", str(exc)) from exc
        finally:
            upload.unlink(missing_ok=True)
        progress(report)
        job.message = "; ".join(str(problem) for problem in report.problems[:20])

    job = Job(title=f"Importing {filename}", owner=actor.name, total=_count_lines(data, chosen))
    _jobs(request).start(job, work)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _short(filename: str, most: int = 64) -> str:
    """The name as the audit trail keeps it (64 characters), its extension kept."""
    if len(filename) <= most:
        return filename
    suffix = _extension(filename)
    return filename[: most - len(suffix) - 1] + "…" + suffix


def _extension(filename: str) -> str:
    suffix = "".join(Path(filename).suffixes[-2:]).lower()  # .ftm.json
    return suffix if len(suffix) <= 16 and suffix.replace(".", "").isalnum() else ""


def _own_job(request: Request, actor: Actor, job_id: str) -> Job | Response:
    """The actor's job (the registry keeps each user's jobs to them), or a 404 page."""
    job = _jobs(request).get(job_id, actor.name)
    if job is None:
        return problem_page(request, actor, "Not found: no such job of yours.", 404)
    return job


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, actor: PageActor, job_id: str) -> Response:
    job = _own_job(request, actor, job_id)
    if not isinstance(job, Job):
        return job
    if request.headers.get("HX-Request"):
        return render(request, "_job.html", {"job": job})
    return render(request, "job.html", {"actor": actor, "job": job})


@router.get("/jobs/{job_id}/report")
def job_report(request: Request, actor: PageActor, job_id: str) -> Response:
    job = _own_job(request, actor, job_id)
    if not isinstance(job, Job):
        return job
    if job.result is None:
        return problem_page(request, actor, "This job has no report (yet).", 404)
    headers = download_headers(job.result_name)
    return Response(job.result, media_type="text/csv; charset=utf-8", headers=headers)
