"""``create_app(settings)``: routers, middleware, error handlers, lifespan."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from interlink import __version__
from interlink.access.declared import Audience
from interlink.analysis.router import router as analysis_router
from interlink.analysis.trends_router import router as analysis_trends_router
from interlink.audit.checkpoint import checkpoint_directory, checkpoint_round, keep_checkpoints
from interlink.audit.router import router as audit_router
from interlink.changes.router import router as changes_router
from interlink.core import metrics
from interlink.core.config import Settings
from interlink.core.context import configure_logging, new_request_id, request_id_var
from interlink.core.db import make_engine, make_session_factory
from interlink.core.deps import DbSession, Now, SettingsDep
from interlink.core.errors import (
    document_problems,
    install_error_handlers,
    problem,
    problem_response,
)
from interlink.core.events import Listener
from interlink.core.jobs import JobRegistry
from interlink.core.ratelimit import limiter_for, rate_limiter
from interlink.core.signing import installation_key
from interlink.core.types import utcnow
from interlink.dataprotection.router import router as data_protection_router
from interlink.hits.router import router as hits_router
from interlink.hits.watcher import watch_deadlines
from interlink.interop.public_notices import router as public_notices_router
from interlink.members.deps import anyone, declare
from interlink.members.router import router as members_router
from interlink.messaging.router import router as messaging_router
from interlink.messaging.stream import router as stream_router
from interlink.node.guard import refuse_shared_writes
from interlink.notices.router import router as notices_router
from interlink.operations.router import router as operations_router
from interlink.records.extras_router import router as record_extras_router
from interlink.records.router import router as records_router
from interlink.screening.index import ScreeningIndex
from interlink.screening.router import router as screening_router
from interlink.web.admin import router as web_admin_router
from interlink.web.audit_pages import router as web_audit_router
from interlink.web.ccc import router as web_ccc_router
from interlink.web.graph import router as web_graph_router
from interlink.web.groups import router as web_groups_router
from interlink.web.messages import router as web_messages_router
from interlink.web.notices import router as web_notices_router
from interlink.web.operations import router as web_operations_router
from interlink.web.pages import html_problem
from interlink.web.profile import router as web_profile_router
from interlink.web.records import router as web_records_router
from interlink.web.router import router as web_router
from interlink.web.trends import router as web_trends_router
from interlink.web.uploads import router as web_uploads_router

__all__ = ["create_app"]

log = logging.getLogger("interlink.http")


CONSOLE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""The console's content security policy: its own scripts and styles only (no inline
script anywhere), never framed."""


def _secure_headers(request: Request, response: Response) -> None:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    is_page = response.headers.get("content-type", "").startswith("text/html")
    if is_page and not request.url.path.startswith(("/docs", "/redoc")):  # FastAPI's own
        response.headers.setdefault("Content-Security-Policy", CONSOLE_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")


def metrics_scraper(request: Request, settings: SettingsDep) -> None:
    """Lets through the scrapers ``metrics.may_scrape`` admits; anyone else is told, as for
    a path that does not exist, 404 (declared public: the network decides, not an account)."""
    client = request.client.host if request.client else None
    if not metrics.may_scrape(settings, client, request.headers.keys()):
        raise StarletteHTTPException(404)


declare(metrics_scraper, Audience.PUBLIC)


def create_app(
    settings: Settings, *, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """The ASGI application. Tests pass their own ``session_factory`` (rolled back per test)."""
    settings.ensure_secure()
    configure_logging(settings.log_level)
    checkpoint_dir = None
    if settings.audit_checkpoint_dir is not None:
        checkpoint_dir = checkpoint_directory(settings.audit_checkpoint_dir)
    engine = None
    if session_factory is None:
        engine = make_engine(settings.database_url)
        session_factory = make_session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        listener = None
        if settings.database_url.startswith(("postgresql", "postgres")):
            listener = Listener(settings.database_url.replace("+psycopg", "", 1))
            listener.start()
        watcher = None
        if settings.watch_seconds > 0:
            watcher = asyncio.create_task(
                watch_deadlines(
                    app.state.session_factory, lambda: app.state.clock(), settings.watch_seconds
                )
            )
        checkpoints = None
        if checkpoint_dir is not None:
            key = installation_key(settings)
            factory = app.state.session_factory
            await checkpoint_round(factory, key, checkpoint_dir)  # one at start, then each period
            checkpoints = asyncio.create_task(
                keep_checkpoints(factory, key, checkpoint_dir, settings.audit_checkpoint_minutes)
            )
        yield
        if checkpoints is not None:
            checkpoints.cancel()
        if watcher is not None:
            watcher.cancel()
        if listener is not None:
            listener.stop()
        app.state.rate_limiter.close()
        if engine is not None:
            engine.dispose()

    app = FastAPI(
        title="Interlink",
        version=__version__,
        description="Open platform for international police cooperation.",
        lifespan=lifespan,
        # A national node changes only what is its own (node/guard.py).
        dependencies=[Depends(refuse_shared_writes)],
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.state.screening_index = ScreeningIndex()
    app.state.clock = utcnow
    app.state.jobs = JobRegistry()
    # In Redis when configured, so that every server process spends one allowance.
    app.state.rate_limiter = limiter_for(settings)
    install_error_handlers(app, html=html_problem)
    document_problems(app, throttle=rate_limiter)

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get("x-request-id", "")
        request_id = (
            incoming if 8 <= len(incoming) <= 64 and incoming.isprintable() else new_request_id()
        )
        token = request_id_var.set(request_id)
        mode = metrics.screening_mode.set(metrics.screening_mode_for(request.url.path))
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception:  # answered 500 by the error handler outside this middleware
            metrics.observe_request(
                request.method, request.scope, 500, time.perf_counter() - started
            )
            raise
        finally:
            metrics.screening_mode.reset(mode)
            request_id_var.reset(token)
        response.headers["X-Request-ID"] = request_id
        seconds = time.perf_counter() - started
        # The route is known once routed: the router wrote it into the request's scope.
        metrics.observe_request(request.method, request.scope, response.status_code, seconds)
        elapsed = seconds * 1000
        # The server's own time (to the first byte), for the browser's tools and the bench.
        response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        _secure_headers(request, response)
        log.info(
            "%s %s -> %s in %.1f ms",
            request.method,
            request.url.path,
            response.status_code,
            elapsed,
            extra={"request_id": request_id},
        )
        return response

    if settings.trusted_proxies:
        # Added last, so outermost: everything after sees the client the proxies name.
        # Here rather than in uvicorn, whose default trusts 127.0.0.1 (cli._serve turns
        # its own off), so that a request from anyone else is taken as it comes.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)

    @app.get(
        "/api/v1/health",
        tags=["health"],
        dependencies=[Depends(anyone)],
        responses={503: problem_response("The database does not answer")},
    )
    def health(session: DbSession) -> Any:
        try:
            session.execute(text("SELECT 1"))
        except Exception:  # the database's own error class varies by driver
            log.exception("health check: database does not answer")
            return problem(503, "Unavailable", "the database does not answer")
        return {"status": "ok"}

    @app.get(
        "/metrics",
        tags=["health"],
        include_in_schema=False,  # for Prometheus on the operator's network, not API clients
        dependencies=[Depends(metrics_scraper)],
        response_class=Response,
    )
    def metrics_page(request: Request, session: DbSession, now: Now) -> Response:
        # JobRegistry offers no count of its own; its table is read without its lock
        # (a copy of the values: a job starting meanwhile is counted at the next scrape).
        jobs = list(request.app.state.jobs._jobs.values())
        running = sum(job.state == "running" for job in jobs)
        body, content_type = metrics.scrape(
            settings, session, now, running, request.headers.get("accept")
        )
        return Response(body, media_type=content_type)

    app.include_router(members_router)
    app.include_router(audit_router)
    app.include_router(records_router)
    app.include_router(record_extras_router)
    app.include_router(screening_router)
    app.include_router(changes_router)
    app.include_router(notices_router)
    app.include_router(hits_router)
    app.include_router(operations_router)
    app.include_router(analysis_router)
    app.include_router(data_protection_router)
    app.include_router(messaging_router)
    app.include_router(stream_router)
    app.include_router(web_router)
    app.include_router(web_ccc_router)
    app.include_router(web_uploads_router)
    app.include_router(web_notices_router)
    app.include_router(web_messages_router)
    app.include_router(web_records_router)
    app.include_router(web_operations_router)
    app.include_router(web_admin_router)
    app.include_router(web_audit_router)
    app.include_router(web_profile_router)
    app.include_router(analysis_trends_router)
    app.include_router(web_trends_router)
    app.include_router(web_graph_router)
    app.include_router(web_groups_router)
    app.mount(
        "/static", StaticFiles(directory=Path(__file__).parent / "web" / "static"), name="static"
    )
    app.include_router(public_notices_router)
    return app
