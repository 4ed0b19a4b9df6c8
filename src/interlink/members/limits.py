"""How many sign-in attempts a minute are let through (``Settings``): per username tried
(known or not, so the limit tells nothing about which accounts exist) and per client
address (against trying many usernames). The account lockout (``auth.authenticate``)
still counts the failures of each real account."""

from __future__ import annotations

from interlink.core.config import Settings
from interlink.core.ratelimit import RateLimiter

__all__ = ["check_signin"]


def check_signin(limits: RateLimiter, settings: Settings, username: str, address: str) -> None:
    """Spend one sign-in attempt for ``username`` from ``address``, or raise 429."""
    if not settings.rate_limits:
        return
    limits.check(
        f"signin:address:{address}",
        settings.signin_per_minute_per_address,
        "sign-in attempts from this address",
    )
    limits.check(
        f"signin:user:{username.strip().casefold()}",
        settings.signin_per_minute,
        "sign-in attempts for this username",
    )
