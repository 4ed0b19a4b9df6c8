"""Domain errors that carry their HTTP status, and their RFC 9457 problem rendering.

Services raise these; the app turns them (and validation errors) into
``application/problem+json`` answers with a precise ``detail``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from interlink.core.context import request_id_var

__all__ = [
    "AppError",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "Unauthorized",
    "install_error_handlers",
    "problem",
]

log = logging.getLogger("interlink.errors")
PROBLEM_JSON = "application/problem+json"


class AppError(Exception):
    """An error a caller caused or must know about; ``status`` is its HTTP status."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(AppError):
    """Absent, or invisible to the actor (the two are indistinguishable on purpose)."""

    status = 404
    title = "Not found"


class Conflict(AppError):
    status = 409
    title = "Conflict"


class Unauthorized(AppError):
    status = 401
    title = "Unauthorized"


class Forbidden(AppError):
    """The actor's role lacks the permission (the object's existence is not at stake)."""

    status = 403
    title = "Forbidden"


class InvalidInput(AppError):
    """Well-formed input that breaks a rule; ``field`` names where."""

    status = 422
    title = "Invalid input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message}])
        self.field = field


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if instance:
        body["instance"] = instance
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        field = _field_path(error.get("loc", ()))
        errors.append({"field": field, "message": error.get("msg", "invalid")})
    return errors


HtmlProblem = Callable[[Request, int, str, str], Response | None]
"""Renders an error as a page for the console's requests (None: not one of them)."""


_UNSTORABLE = {
    "UntranslatableCharacter": "a text holds a NUL character (\\u0000), which is not kept",
    "CharacterNotInRepertoire": "a text holds a character that cannot be stored",
    "StringDataRightTruncation": "a text is longer than its field keeps",
    "NumericValueOutOfRange": "a number is out of the range its field keeps",
    "DatetimeFieldOverflow": "a date or time is out of the range kept",
}
"""The database's refusals of a value (PostgreSQL's error classes), said to the client."""


def install_error_handlers(app: FastAPI, html: HtmlProblem | None = None) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        page = html(request, exc.status, exc.title, exc.detail) if html else None
        if page is not None:
            page.headers.update(getattr(exc, "headers", None) or {})
            return page
        headers = dict(getattr(exc, "headers", None) or {})  # Retry-After of a 429
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return problem(
            exc.status,
            exc.title,
            exc.detail,
            errors=exc.errors,
            headers=headers or None,
            instance=request.url.path,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        page = html(request, 422, "Invalid input", detail) if html else None
        if page is not None:
            return page
        return problem(422, "Invalid input", detail, errors=errors, instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized"}
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such resource: {request.url.path}"
        return problem(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            detail,
            headers=getattr(exc, "headers", None),
            instance=request.url.path,
        )

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> Response:
        # The database refused a value the schemas let through (PostgreSQL keeps no NUL
        # character in text): the request's transaction is rolled back, nothing written.
        reason = _UNSTORABLE.get(type(exc.orig).__name__) or (
            _UNSTORABLE["UntranslatableCharacter"] if "NUL" in str(exc.orig) else
            "a value cannot be stored"
        )  # fmt: skip
        errors = [{"field": "body", "message": reason}]
        page = html(request, 422, "Invalid input", reason) if html else None
        if page is not None:
            return page
        return problem(422, "Invalid input", f"body: {reason}", errors=errors,
                       instance=request.url.path)  # fmt: skip

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            500,
            "Internal error",
            "the server failed to answer; the error is logged with this request id",
            instance=request.url.path,
        )
