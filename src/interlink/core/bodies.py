"""Request bodies read before a request takes its turn at the admission gate
(``core.gate``), within their route's limits (``core.limits.body_limit``): a size, refused
413 as soon as the declared length or the bytes received pass it, and a time for the
whole body, refused 408. Both refusals close the connection. A slow sender so holds a
socket and a little memory, never one of the turns that health and screening need.

A body is kept in memory up to ``SPOOL_MEMORY_BYTES`` and in a temporary file beyond, then
handed to the application as if it came from the socket; a route that works through a
large body line by line reads the file itself (``spooled``) instead of a copy in memory.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Awaitable, Callable
from typing import IO, Any

from starlette.requests import Request

from interlink.core.errors import PROBLEM_JSON, InvalidInput
from interlink.core.limits import SPOOL_MEMORY_BYTES, BodyLimit, megabytes

__all__ = ["Body", "BodyRefused", "ClientGone", "TooLarge", "read_body", "spooled", "until_gone"]

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CHUNK = 64 * 1024
SCOPE_KEY = "interlink.body"
"""Where the body read by the gate is left in the request's scope."""


class TooLarge(InvalidInput):
    """A body (or a part of it) larger than its limit, found by the route itself."""

    status = 413
    title = "Content too large"


class ClientGone(Exception):
    """The client went away before its body was in."""


class BodyRefused(Exception):
    """A body that breaks its route's limit: the answer to send instead of the route's."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail

    async def answer(self, scope: dict[str, Any], send: Send) -> None:
        problem = {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": scope.get("path"),
            "errors": [{"field": "body", "message": self.detail}],
        }
        content = json.dumps(problem).encode()
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(content)).encode()),
            (b"connection", b"close"),  # the rest of the body is not read
        ]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": content, "more_body": False})


def _too_large(limit: BodyLimit) -> BodyRefused:
    return BodyRefused(
        413,
        "Content too large",
        f"the body is larger than {megabytes(limit.size)}, the most this route takes "
        f"({limit.name})",
    )


class Body:
    """A request body read whole, replayed to the application."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
        self.size = 0
        self._replayed = 0
        self._done = False

    @property
    def untouched(self) -> bool:
        """Whether the application has read none of it yet."""
        return self._replayed == 0 and not self._done

    def receiver(self, receive: Receive, gone: asyncio.Event) -> Receive:
        """The application's ``receive``: the body's chunks, then what the socket says
        (a disconnection), or a disconnection once ``gone`` is set (a client dropped
        for not reading its answer)."""
        self.file.seek(0)

        async def replay() -> Message:
            if gone.is_set():
                return {"type": "http.disconnect"}
            if not self._done:
                chunk = self.file.read(CHUNK)
                self._replayed += len(chunk)
                self._done = self._replayed >= self.size
                return {"type": "http.request", "body": chunk, "more_body": not self._done}
            return await _first(receive(), gone)

        return replay

    def close(self) -> None:
        self.file.close()


def until_gone(receive: Receive, gone: asyncio.Event) -> Receive:
    """``receive``, or a disconnection once ``gone`` is set."""

    async def receiving() -> Message:
        if gone.is_set():
            return {"type": "http.disconnect"}
        return await _first(receive(), gone)

    return receiving


async def _first(receiving: Awaitable[Message], gone: asyncio.Event) -> Message:
    """What the socket says next, or a disconnection as soon as ``gone`` is set."""
    message_task = asyncio.ensure_future(receiving)
    gone_task = asyncio.ensure_future(gone.wait())
    done, _ = await asyncio.wait({message_task, gone_task}, return_when=asyncio.FIRST_COMPLETED)
    for task in (message_task, gone_task):
        if task not in done:
            task.cancel()
    if message_task in done:
        return message_task.result()
    return {"type": "http.disconnect"}


def _declared_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value)  # the server has checked it is a number
    return None


def _has_body(scope: dict[str, Any]) -> bool:
    declared = _declared_length(scope)
    if declared is not None:
        return declared > 0
    return any(name == b"transfer-encoding" for name, _ in scope.get("headers", ()))


async def read_body(scope: dict[str, Any], receive: Receive, limit: BodyLimit) -> Body | None:
    """The request's body, read within ``limit`` (``BodyRefused`` if it breaks it,
    ``ClientGone`` if the client left meanwhile); None if the request has none."""
    if not _has_body(scope):
        return None
    declared = _declared_length(scope)
    if declared is not None and declared > limit.size:
        raise _too_large(limit)
    body = Body()
    try:
        async with asyncio.timeout(limit.seconds):
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientGone
                chunk = message.get("body", b"")
                body.size += len(chunk)
                if body.size > limit.size:
                    raise _too_large(limit)
                body.file.write(chunk)
                more = message.get("more_body", False)
    except TimeoutError:
        body.close()
        raise BodyRefused(
            408,
            "Request timeout",
            f"the body did not arrive whole within {limit.seconds:g} s, the most this route "
            f"waits for it ({limit.name.replace('BYTES', 'SECONDS')})",
        ) from None
    except BaseException:
        body.close()
        raise
    scope[SCOPE_KEY] = body
    return body


async def spooled(request: Request, size: int, field: str = "body") -> IO[bytes]:
    """The request's body as a file positioned at its start: the one the gate read, or
    read here into a temporary file (``TooLarge`` past ``size`` bytes). The caller
    closes it; closing the gate's own is harmless."""
    body = request.scope.get(SCOPE_KEY)
    if isinstance(body, Body) and body.untouched:
        body.file.seek(0)
        return body.file
    file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > size:
            file.close()
            raise TooLarge(field, f"larger than {megabytes(size)}, the most this route takes")
        file.write(chunk)
    file.seek(0)
    return file
