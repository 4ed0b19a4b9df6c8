"""What every route declares about who may call it, in one shape.

A route's declaration is carried by the dependency that enforces it (``requires(P)``,
the signed-in actor, the console's page guards, ``anyone``), so what a route declares
and what it checks cannot drift apart. ``tests/access/test_route_declarations.py`` walks
every route of the app and calls it as every role, comparing each answer with
``expected_refusal``: a route that declares nothing fails that test.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from interlink.access.permissions import Permission
from interlink.access.roles import ROLE_PERMISSIONS, Role

__all__ = ["Audience", "Declared", "combine", "expected_refusal"]


class Audience(StrEnum):
    """Who may call a route at all, before any permission."""

    PUBLIC = "public"
    """Anyone, signed in or not (the public notices API, signing in)."""
    SIGNED_IN = "signed-in"
    """Any account; the permission (if any) and the service's rules decide the rest."""
    PERSON = "person"
    """A person's account: machine clients (API keys) are refused (signing out)."""
    MEMBER_BUREAU = "member-bureau"
    """A user of a national bureau: the secretariat's accounts are refused."""


@dataclass(frozen=True, slots=True)
class Declared:
    """One dependency's part of a route's declaration."""

    audience: Audience
    permission: Permission | None = None

    def __str__(self) -> str:
        return f"{self.audience}:{self.permission}" if self.permission else str(self.audience)


_RANK = {Audience.PUBLIC: 0, Audience.SIGNED_IN: 1, Audience.PERSON: 2, Audience.MEMBER_BUREAU: 3}


def combine(parts: Iterable[Declared]) -> Declared | None:
    """A route's whole declaration from its dependencies' parts: the narrowest audience
    and the one permission named (None if nothing is declared). Two different
    permissions on one route are a mistake, not a conjunction."""
    parts = list(parts)
    if not parts:
        return None
    audience = max((part.audience for part in parts), key=_RANK.__getitem__)
    permissions = {part.permission for part in parts if part.permission is not None}
    if len(permissions) > 1:
        named = ", ".join(sorted(permissions))
        raise ValueError(f"a route declares several permissions ({named}); declare one")
    return Declared(audience, permissions.pop() if permissions else None)


def expected_refusal(declared: Declared, role: Role | None, *, secretariat: bool) -> int | None:
    """The status the route must refuse ``role`` with (None: it must not refuse on
    access grounds); ``role`` None is a caller who has not signed in."""
    if declared.audience is Audience.PUBLIC:
        return None
    if role is None:
        return 401
    if declared.permission is not None and declared.permission not in ROLE_PERMISSIONS[role]:
        return 403
    if declared.audience is Audience.MEMBER_BUREAU and secretariat:
        return 403
    if declared.audience is Audience.PERSON and role is Role.CLIENT:
        return 403
    return None
