"""What every route declares about who may call it, in one shape.

A route's declaration is carried by the dependency that enforces it (``requires(P)``,
the signed-in actor, the console's page guards, ``anyone``), so what a route declares
and what it checks cannot drift apart. ``tests/access/test_route_declarations.py`` walks
every route of the app and calls it as every role, comparing each answer with
``expected_refusal``: a route that declares nothing fails that test.

Machine clients (API keys) are refused by default: a route admits them only if its
declaration names their scope (``clients``); the one check is ``members.deps.admit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from interlink.access.permissions import Permission
from interlink.access.roles import ROLE_PERMISSIONS, ClientScope, Role

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
    clients: frozenset[ClientScope] = frozenset()
    """The scopes of the machine clients admitted (none: API keys are refused)."""

    def __str__(self) -> str:
        text = f"{self.audience}:{self.permission}" if self.permission else str(self.audience)
        return text + "".join(f"+{scope}-keys" for scope in sorted(self.clients))


_RANK = {Audience.PUBLIC: 0, Audience.SIGNED_IN: 1, Audience.PERSON: 2, Audience.MEMBER_BUREAU: 3}


def combine(parts: Iterable[Declared]) -> Declared | None:
    """A route's whole declaration from its dependencies' parts: the narrowest audience,
    the one permission named (None if nothing is declared), and the client scopes every
    part that signs a caller in admits (each such part refuses the others). Two different
    permissions on one route are a mistake, not a conjunction."""
    parts = list(parts)
    if not parts:
        return None
    audience = max((part.audience for part in parts), key=_RANK.__getitem__)
    permissions = {part.permission for part in parts if part.permission is not None}
    if len(permissions) > 1:
        named = ", ".join(sorted(permissions))
        raise ValueError(f"a route declares several permissions ({named}); declare one")
    clients = frozenset(ClientScope)
    for part in parts:
        if part.audience is not Audience.PUBLIC:
            clients &= part.clients
    if audience is Audience.PUBLIC:
        clients = frozenset()
    return Declared(audience, permissions.pop() if permissions else None, clients)


def expected_refusal(
    declared: Declared,
    role: Role | None,
    *,
    secretariat: bool,
    scope: ClientScope = ClientScope.SCREENING,
) -> int | None:
    """The status the route must refuse ``role`` with (None: it must not refuse on
    access grounds); ``role`` None is a caller who has not signed in, and ``scope`` is
    the key's when ``role`` is a machine client."""
    if declared.audience is Audience.PUBLIC:
        return None
    if role is None:
        return 401
    if role is Role.CLIENT and scope not in declared.clients:
        return 403
    if declared.permission is not None and declared.permission not in ROLE_PERMISSIONS[role]:
        return 403
    if declared.audience is Audience.MEMBER_BUREAU and secretariat:
        return 403
    if declared.audience is Audience.PERSON and role is Role.CLIENT:
        return 403
    return None
