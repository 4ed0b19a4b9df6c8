"""The access policy: permissions, roles, visibility and ``restrict()`` (default deny)."""

from interlink.access.actor import Actor
from interlink.access.permissions import Action, Permission
from interlink.access.policy import check_permission, require, restrict, visible_clause
from interlink.access.roles import ROLE_PERMISSIONS, SECRETARIAT_ROLES, ClientScope, Role
from interlink.access.visibility import SharedMixin, Visibility, VisibilityMode

__all__ = [
    "ROLE_PERMISSIONS",
    "SECRETARIAT_ROLES",
    "Action",
    "Actor",
    "ClientScope",
    "Permission",
    "Role",
    "SharedMixin",
    "Visibility",
    "VisibilityMode",
    "check_permission",
    "require",
    "restrict",
    "visible_clause",
]
