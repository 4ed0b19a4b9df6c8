"""The admission gate of a server process: at most so many HTTP requests inside the
application at once, the others waiting their turn in the event loop."""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["ADMITTED", "Gate"]

ADMITTED = 32
"""Requests a server process works on at once by default (``INTERLINK_REQUESTS_IN_FLIGHT``);
the others wait their turn (see ``Gate``)."""
UNGATED = ("/api/v1/stream",)
"""Live streams stay open for hours and hold neither a thread nor a connection while they
wait: they do not take a turn."""


class Gate:
    """Admits at most ``limit`` HTTP requests into the application at once, in arrival
    order; the others wait in the event loop, holding no thread and no connection.

    Routes run in a pool of 40 threads, and a request keeps its database connection (and,
    on SQLite, the write lock once it has written) from one thread to the next: the route,
    then the serialisation of its answer. With 200 clients, 40 threads could all be
    waiting for a connection or for the write lock while the requests that held them
    waited for a thread: no request moved until the 10 s lock wait or the 30 s pool wait
    ran out (``python -m bench.load``: 228 requests in 40 s, all failed). With fewer
    requests inside than threads and connections, the holders always find a thread.
    """

    def __init__(self, app: Any, limit: int = ADMITTED) -> None:
        self.app = app
        self.limit = limit
        self._turns: asyncio.Semaphore | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNGATED):
            await self.app(scope, receive, send)
            return
        if self._turns is None:  # made in the server's own event loop
            self._turns = asyncio.Semaphore(self.limit)
        async with self._turns:
            await self.app(scope, receive, send)
