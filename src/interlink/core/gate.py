"""The admission gate of a server process: at most so many HTTP requests inside the
application at once, the others waiting their turn in the event loop.

A request takes a turn only once its body is in (``core.bodies``: read within its
route's size and time limits, 413 or 408 otherwise), and leaves as soon as its answer
starts: by then its route has run and its database session is closed (``core.deps``).
An answer the client stops reading is sent in pieces, each within
``SEND_STALL_SECONDS``; past that the client is dropped. So slow senders and slow readers
hold sockets, never turns, and health and screening keep answering.

Work an answer still does after it has started (each line of a streamed screening) takes
a turn of its own for each piece (``turn``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from interlink.core.bodies import (
    Body,
    BodyRefused,
    ClientGone,
    Receive,
    Send,
    read_body,
    until_gone,
)
from interlink.core.limits import SEND_STALL_SECONDS, BodyLimit, body_limit

__all__ = ["ADMITTED", "Gate", "turn"]

log = logging.getLogger("interlink.gate")

ADMITTED = 32
"""Requests a server process works on at once by default (``INTERLINK_REQUESTS_IN_FLIGHT``);
the others wait their turn (see ``Gate``)."""
UNGATED = ("/api/v1/stream",)
"""Live streams stay open for hours and hold neither a thread nor a connection while they
wait: they do not take a turn."""
SEND_PIECE = 64 * 1024
"""An answer is written in pieces of this size, each within the stall deadline."""
TURNS = "interlink.turns"
"""Where the gate leaves its turns in the request's scope (for ``turn``)."""


class _Turn:
    """One request's turn: taken once, given back once (when its answer starts, or at
    the latest when the request ends)."""

    def __init__(self, turns: asyncio.Semaphore) -> None:
        self._turns = turns
        self._held = False

    async def take(self) -> None:
        await self._turns.acquire()
        self._held = True

    def leave(self) -> None:
        if self._held:
            self._held = False
            self._turns.release()


@asynccontextmanager
async def turn(scope: MutableMapping[str, Any]) -> AsyncIterator[None]:
    """A turn of the gate that admitted the request, for one piece of work its answer
    does once started (none needed when no gate is in front: tests, ``asgi.py``)."""
    turns: asyncio.Semaphore | None = scope.get(TURNS)
    if turns is None:
        yield
        return
    async with turns:
        yield


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

    def __init__(
        self,
        app: Any,
        limit: int = ADMITTED,
        *,
        bodies: Callable[[str, str], BodyLimit] = body_limit,
        stall_seconds: float = SEND_STALL_SECONDS,
    ) -> None:
        self.app = app
        self.limit = limit
        self.bodies = bodies
        self.stall_seconds = stall_seconds
        self._turns: asyncio.Semaphore | None = None

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(UNGATED):  # no turn, but a reader that stalls is dropped
            gone = asyncio.Event()
            await self.app(scope, until_gone(receive, gone), self._sender(send, None, gone))
            return
        if self._turns is None:  # made in the server's own event loop
            self._turns = asyncio.Semaphore(self.limit)
        limit = self.bodies(scope.get("method", "GET"), scope["path"])
        try:
            body = await read_body(scope, receive, limit)
        except BodyRefused as refusal:
            await refusal.answer(scope, send)
            return
        except ClientGone:
            return
        try:
            await self._admit(scope, receive, send, body)
        finally:
            if body is not None:
                body.close()

    async def _admit(self, scope: Any, receive: Receive, send: Send, body: Body | None) -> None:
        assert self._turns is not None
        scope[TURNS] = self._turns
        gone = asyncio.Event()
        mine = _Turn(self._turns)
        await mine.take()
        try:
            receiving = body.receiver(receive, gone) if body else until_gone(receive, gone)
            await self.app(scope, receiving, self._sender(send, mine, gone))
        finally:
            mine.leave()
        if gone.is_set():
            log.warning(
                "%s %s: the client read nothing of the answer for %g s; dropped",
                scope.get("method"), scope.get("path"), self.stall_seconds,
            )  # fmt: skip

    def _sender(self, send: Send, mine: _Turn | None, gone: asyncio.Event) -> Send:
        """``send`` that gives the turn back when the answer starts, writes the body in
        pieces each within the stall deadline, and drops a client that stalls past it:
        what the application sends next is discarded, and it is told the client left."""

        async def within_deadline(message: dict[str, Any]) -> None:
            if gone.is_set():
                return
            try:
                async with asyncio.timeout(self.stall_seconds):
                    await send(message)
            except TimeoutError:
                gone.set()

        async def deliver(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and mine is not None:
                mine.leave()
            body = message.get("body", b"")
            if message["type"] != "http.response.body" or len(body) <= SEND_PIECE:
                await within_deadline(message)
                return
            more = message.get("more_body", False)
            for start in range(0, len(body), SEND_PIECE):
                last = start + SEND_PIECE >= len(body)
                piece = body[start : start + SEND_PIECE]
                await within_deadline(
                    {"type": "http.response.body", "body": piece, "more_body": more or not last}
                )

        return deliver
