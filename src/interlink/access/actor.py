"""Who is acting: a signed-in user or a machine client, with the bureau they act for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from interlink.access.permissions import Permission
from interlink.access.roles import ROLE_PERMISSIONS, ClientScope, Role

__all__ = ["Actor"]


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting party as every service sees it.

    ``country`` is the bureau's ISO alpha-2 code, ``None`` for the General Secretariat;
    ``scope`` is a machine client's (``None`` for a user).
    """

    id: uuid.UUID
    name: str
    role: Role
    bureau_id: uuid.UUID
    bureau_code: str
    country: str | None
    kind: str = "user"
    permissions: frozenset[Permission] = field(default=frozenset())
    scope: ClientScope | None = None

    @classmethod
    def build(
        cls,
        *,
        id: uuid.UUID,
        name: str,
        role: Role,
        bureau_id: uuid.UUID,
        bureau_code: str,
        country: str | None,
        kind: str = "user",
        scope: ClientScope | None = None,
    ) -> Actor:
        return cls(
            id=id,
            name=name,
            role=role,
            bureau_id=bureau_id,
            bureau_code=bureau_code,
            country=country,
            kind=kind,
            permissions=ROLE_PERMISSIONS[role],
            scope=scope,
        )

    @property
    def is_secretariat(self) -> bool:
        return self.country is None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions
