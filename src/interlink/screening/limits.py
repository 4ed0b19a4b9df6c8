"""How many screenings a minute each caller may run (``Settings``): an officer's account
gets a desk's allowance, a border system's API client a lane's. One bucket per caller,
shared by the single, streamed and console screenings."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends

from interlink.access import Actor, Permission
from interlink.core.config import Settings
from interlink.core.deps import SettingsDep
from interlink.core.ratelimit import RateLimiter, RateLimits
from interlink.members.deps import requires

__all__ = ["LimitedScreener", "allowance", "check_screening", "wait_for_screening"]


def allowance(settings: Settings, actor: Actor) -> int:
    """Screenings a minute for ``actor`` (0: no limit)."""
    if not settings.rate_limits:
        return 0
    if actor.kind == "client":
        return settings.client_screening_per_minute
    return settings.screening_per_minute


def _key(actor: Actor) -> str:
    return f"screen:{actor.kind}:{actor.id}"


def check_screening(limits: RateLimiter, settings: Settings, actor: Actor) -> None:
    """Spend one screening of ``actor``'s allowance, or raise 429 with Retry-After."""
    limits.check(_key(actor), allowance(settings, actor), "screenings")


async def wait_for_screening(limits: RateLimiter, settings: Settings, actor: Actor) -> None:
    """Spend one screening, waiting for the allowance to refill if it is spent (a stream's
    later lines slow down to the allowed pace instead of failing)."""
    while (wait := limits.take(_key(actor), allowance(settings, actor))) is not None:
        await asyncio.sleep(min(wait, 5.0))


def _limited_screener(
    actor: Annotated[Actor, Depends(requires(Permission.SCREENING_RUN))],
    settings: SettingsDep,
    limits: RateLimits,
) -> Actor:
    check_screening(limits, settings, actor)
    return actor


LimitedScreener = Annotated[Actor, Depends(_limited_screener)]
"""A caller allowed to screen, who has one screening of their allowance left."""
