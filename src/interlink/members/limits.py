"""How many sign-in attempts a minute are let through (``Settings``): per client address
(against one address trying many usernames) and per username from one address (known or
not, so the limit tells nothing about which accounts exist). Not per username alone: a
stranger could then spend the owner's allowance and keep them out. Failed attempts are
counted, and back off, in ``backoff.py``."""

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
        f"signin:user:{username.strip().casefold()}:{address}",
        settings.signin_per_minute,
        "sign-in attempts for this username from this address",
    )
