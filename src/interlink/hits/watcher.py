"""The server's watch over confirmation deadlines: every ``watch_seconds`` it escalates
the requests that went past theirs (``service.escalate_overdue``), in a worker thread
with a session of its own, so that no request waits for it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from interlink.hits.service import escalate_overdue

__all__ = ["escalate_once", "watch_deadlines"]

log = logging.getLogger("interlink.hits")


def escalate_once(factory: sessionmaker[Session], clock: Callable[[], datetime]) -> int:
    with factory() as session:
        escalated = escalate_overdue(session, now=clock())
        session.commit()
        return len(escalated)


async def watch_deadlines(
    factory: sessionmaker[Session], clock: Callable[[], datetime], seconds: float
) -> None:
    """Run until cancelled (the app's shutdown)."""
    while True:
        await asyncio.sleep(seconds)
        try:
            count = await run_in_threadpool(escalate_once, factory, clock)
            if count:
                log.warning("%d confirmation request(s) overdue: escalated", count)
        except Exception:  # the next round tries again; the error is logged with its cause
            log.exception("escalating overdue confirmations failed")
