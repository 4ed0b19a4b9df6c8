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
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from interlink.core.context import request_id_var

__all__ = [
    "AppError",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "Problem",
    "Unauthorized",
    "describe_problems",
    "document_problems",
    "install_error_handlers",
    "problem",
    "problem_response",
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


class ProblemField(BaseModel):
    """One field of the request that is wrong, and why."""

    field: str = Field(description="where: body.date_of_birth, query.limit, path.record_id ...")
    message: str


class Problem(BaseModel):
    """An error answer (RFC 9457 problem details, ``application/problem+json``)."""

    type: str = Field(default="about:blank")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str | None = Field(default=None, description="the path asked")
    request_id: str | None = Field(default=None, description="as in the X-Request-ID header")
    errors: list[ProblemField] | None = Field(
        default=None, description="the fields that are wrong (invalid input)"
    )


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
        if exc.status_code == 400:
            # The framework could not parse the body (not UTF-8, not JSON, a broken
            # multipart form): invalid input like any other, said the same way.
            errors = [{"field": "body", "message": detail}]
            return problem(422, "Invalid input", f"body: {detail}", errors=errors,
                           instance=request.url.path)  # fmt: skip
        return problem(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            detail,
            headers=getattr(exc, "headers", None),
            instance=request.url.path,
        )

    def _invalid_value(request: Request, field: str, reason: str) -> Response:
        page = html(request, 422, "Invalid input", reason) if html else None
        if page is not None:
            return page
        errors = [{"field": field, "message": reason}]
        return problem(422, "Invalid input", f"{field}: {reason}", errors=errors,
                       instance=request.url.path)  # fmt: skip

    def _internal_error(request: Request) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            500,
            "Internal error",
            "the server failed to answer; the error is logged with this request id",
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
        return _invalid_value(request, "body", reason)

    @app.exception_handler(StatementError)
    async def _unbindable(request: Request, exc: StatementError) -> Response:
        # A value the schemas let through that cannot even be sent to the database: a
        # date and time at the edge of the calendar that moves past it in UTC, or one
        # without its offset (the columns keep aware UTC times, ``core/types.py``).
        reason = _unbindable_reason(exc.orig)
        if reason is None:
            return _internal_error(request)
        return _invalid_value(request, "request", reason)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> Response:
        # Date arithmetic on a date the caller gave (a window before 0001-01-01 or after
        # 9999-12-31); any other overflow is the server's own failure.
        reason = _unbindable_reason(exc)
        if reason is None:
            return _internal_error(request)
        return _invalid_value(request, "request", reason)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _internal_error(request)


def _unbindable_reason(error: BaseException | None) -> str | None:
    """What to tell the caller of a value that failed on its way to the database (None:
    not a value the caller gave, the server's own failure)."""
    if isinstance(error, OverflowError) and str(error) == "date value out of range":
        return "a date or time is out of the range kept (0001-01-01 to 9999-12-31, in UTC)"
    if isinstance(error, ValueError) and str(error).startswith("naive datetime"):
        return "a date and time needs its UTC offset (2026-01-31T09:30:00Z, +01:00 ...)"
    return None


PROBLEM_ANSWERS = {
    401: "Not signed in, or the credentials are refused",
    403: "The caller's role or bureau may not do this",
    404: "Absent, or not visible to the caller (the two are indistinguishable on purpose)",
    409: "The object's state does not allow this now",
    422: "The request is malformed or breaks a rule; ``errors`` names the fields",
}
"""The error answers the API documents, each as a ``Problem``."""

_WRITES = frozenset({"post", "put", "patch", "delete"})


def problem_response(description: str) -> dict[str, Any]:
    """An OpenAPI response: a ``Problem`` (for a route's ``responses=``)."""
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _problem_statuses(operation: dict[str, Any], method: str) -> list[int]:
    """The error answers an operation may give, from what it takes: credentials (401,
    403), identifiers of objects (404), changes (409), any input (422)."""
    statuses: list[int] = []
    parameters = operation.get("parameters", [])
    takes_input = bool(parameters) or "requestBody" in operation
    secured = bool(operation.get("security"))
    if secured:
        statuses += [401, 403, 404]
    elif any(parameter.get("in") == "path" for parameter in parameters):
        statuses.append(404)
    if secured and method in _WRITES:
        statuses.append(409)
    if takes_input:
        statuses.append(422)
    return statuses


def describe_problems(description: dict[str, Any]) -> dict[str, Any]:
    """Document the ``application/problem+json`` error answers of every operation of an
    OpenAPI ``description`` (in place; returned). FastAPI documents only its own
    validation error, as ``application/json`` with a shape the app never sends; this
    replaces it with the ``Problem`` the error handlers answer."""
    schemas = description.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    for item in description.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "delete", "patch", "head", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in _problem_statuses(operation, method):
                declared = responses.get(str(status))
                if declared is None or "HTTPValidationError" in str(declared):
                    # Not declared by the route, or FastAPI's own validation error.
                    responses[str(status)] = problem_response(PROBLEM_ANSWERS[status])
    used = str(description.get("paths"))
    for name in ("HTTPValidationError", "ValidationError"):
        if name in schemas and f"/{name}'" not in used:
            del schemas[name]
    return description


THROTTLED = {
    "description": "Too many calls a minute; call again after Retry-After seconds",
    "headers": {
        "Retry-After": {
            "description": "seconds until a call would pass",
            "schema": {"type": "integer"},
        }
    },
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
"""The 429 of a rate-limited operation."""


def _operations_using(app: FastAPI, dependency: Callable[..., Any]) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every documented route that runs ``dependency``."""
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        stack = [getattr(context, "dependant", None) or route.dependant]
        calls = []
        while stack:
            current = stack.pop()
            calls.append(current.call)
            stack.extend(current.dependencies)
        if dependency in calls:
            path = str(getattr(context, "path_format", None) or context.path)
            found.update((method.lower(), path) for method in context.methods or ())
    return found


def document_problems(app: FastAPI, *, throttle: Callable[..., Any] | None = None) -> None:
    """Make ``app.openapi()`` document the error answers (``describe_problems``), and the
    429 of every operation whose route runs ``throttle`` (the rate limiter's dependency)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            description = describe_problems(generate())
            limited = _operations_using(app, throttle) if throttle is not None else set()
            for method, path in limited:
                operation = description["paths"].get(path, {}).get(method)
                if operation is not None:
                    operation["responses"].setdefault("429", THROTTLED)
            app.openapi_schema = description
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
