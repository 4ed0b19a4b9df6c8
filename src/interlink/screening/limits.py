"""How many screenings a minute each caller may run (``Settings``): an officer's account
gets a desk's allowance, a border system's API client a lane's. One bucket per caller,
shared by the single, streamed and console screenings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from interlink.access import Actor, ClientScope, Permission
from interlink.core.config import Settings
from interlink.core.deps import SettingsDep
from interlink.core.ratelimit import RateLimiter, RateLimits
from interlink.members.deps import requires

__all__ = ["LimitedScreener", "allowance", "check_screening", "take_screening"]


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


def take_screening(limits: RateLimiter, settings: Settings, actor: Actor) -> float | None:
    """Spend one screening of ``actor``'s allowance: None if it passes, else the seconds
    until one would (a stream answers that line with a 429 instead of waiting, so that
    a throttled stream holds none of the server's slots)."""
    return limits.take(_key(actor), allowance(settings, actor))


def _limited_screener(
    actor: Annotated[
        Actor, Depends(requires(Permission.SCREENING_RUN, clients=[ClientScope.SCREENING]))
    ],
    settings: SettingsDep,
    limits: RateLimits,
) -> Actor:
    check_screening(limits, settings, actor)
    return actor


LimitedScreener = Annotated[Actor, Depends(_limited_screener)]
"""A caller allowed to screen, who has one screening of their allowance left."""
