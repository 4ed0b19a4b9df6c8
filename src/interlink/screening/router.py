"""``POST /api/v1/screen`` (one query) and ``/screen/stream`` (NDJSON in, NDJSON out)."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.core.bodies import spooled
from interlink.core.deps import DbSession, Now, SettingsDep
from interlink.core.errors import AppError
from interlink.core.gate import turn
from interlink.core.limits import STREAM_BODY_BYTES
from interlink.core.ratelimit import rate_limiter
from interlink.screening import service
from interlink.screening.index import ScreeningIndex
from interlink.screening.limits import LimitedScreener, take_screening
from interlink.screening.schemas import ScreenRequest, ScreenResult

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["screening"])


def screening_index(request: Request) -> ScreeningIndex:
    index: ScreeningIndex = request.app.state.screening_index
    return index


@router.post("/screen", response_model=ScreenResult)
def screen(
    session: DbSession,
    actor: LimitedScreener,
    body: ScreenRequest,
    index: Annotated[ScreeningIndex, Depends(screening_index)],
    now: Now,
) -> dict[str, Any]:
    result = service.screen(session, body, actor=actor, index=index, now=now)
    session.commit()
    return result


@router.post(
    "/screen/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
    summary="Screen NDJSON queries, one answer line per query line",
)
async def screen_stream(
    request: Request,
    actor: LimitedScreener,
    settings: SettingsDep,
    index: Annotated[ScreeningIndex, Depends(screening_index)],
) -> StreamingResponse:
    """Each input line is a screening body; each output line is its result, in order, or
    ``{"line": n, "error": {...}}`` for a line that is not a valid query.

    The request body (up to ``STREAM_BODY_BYTES``) is in before the first answer, in a
    temporary file beyond a few hundred kilobytes: ASGI servers may consume the request
    channel to watch for disconnects while a streamed response is sent, so reading and
    answering at once is not portable. Each line is screened in a turn of its own at the
    server's admission gate (``core.gate.turn``): a client slow to read the answers
    holds no turn while it does not read.

    Each line is one screening of the caller's allowance (the call took the first); a
    line beyond it is answered ``{"line": n, "error": {"status": 429, ...}}`` with the
    seconds to wait, to be sent again later.
    """
    body = await spooled(request, STREAM_BODY_BYTES)
    factory = request.app.state.session_factory
    clock = request.app.state.clock

    limits = rate_limiter(request)

    async def answers() -> AsyncIterator[bytes]:
        session = await run_in_threadpool(factory)
        first = True
        try:
            for number, line in enumerate(body, start=1):
                if line.strip():
                    wait = None if first else take_screening(limits, settings, actor)
                    first = False
                    if wait is not None:
                        yield _refused(number, wait)
                        continue
                    async with turn(request.scope):
                        answer = await run_in_threadpool(
                            _answer, session, actor, index, number, line, clock
                        )
                    yield answer
        finally:
            body.close()
            await run_in_threadpool(session.close)

    return StreamingResponse(answers(), media_type="application/x-ndjson")


def _refused(number: int, wait: float) -> bytes:
    error = {
        "status": 429,
        "detail": "screenings: this account's allowance is spent; send the line again later",
        "retry_after": max(1, math.ceil(wait)),
    }
    return json.dumps({"line": number, "error": error}).encode() + b"\n"


def _answer(
    session: Session,
    actor: Actor,
    index: ScreeningIndex,
    number: int,
    line: bytes,
    clock: Callable[[], datetime],
) -> bytes:
    try:
        body = ScreenRequest.model_validate_json(line)
        result = service.screen(session, body, actor=actor, index=index, now=clock())
        session.commit()
        return ScreenResult.model_validate(result).model_dump_json().encode() + b"\n"
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in error["loc"]) or "line", "message": error["msg"]}
            for error in exc.errors()
        ]
        session.rollback()
        return (
            json.dumps({"line": number, "error": {"status": 422, "errors": errors}}).encode()
            + b"\n"
        )
    except AppError as exc:
        session.rollback()
        error = {"status": exc.status, "detail": exc.detail, "errors": exc.errors}
        return json.dumps({"line": number, "error": error}).encode() + b"\n"
