"""Request-scoped context: the request id (for logs and audit) and the acting user.

Set by the HTTP middleware for requests and by the CLI for commands, so that code
far from the edge (audit, logging) sees the same values either way.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = [
    "RequestIdFilter",
    "configure_logging",
    "new_request_id",
    "request_id_var",
    "request_scope",
]

request_id_var: ContextVar[str | None] = ContextVar("interlink_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def request_scope(request_id: str | None = None) -> Iterator[str]:
    """Run a block (a CLI command, a background job) under its own request id."""
    value = request_id or new_request_id()
    token = request_id_var.set(value)
    try:
        yield value
    finally:
        request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root = logging.getLogger("interlink")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
