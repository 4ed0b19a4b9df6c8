"""Every permission in Interlink, as one enum (``resource:action``).

Routes declare the one they need; roles grant sets of them (``roles.py``).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Action", "Permission"]


class Permission(StrEnum):
    RECORDS_READ = "records:read"
    RECORDS_WRITE = "records:write"
    SCREENING_RUN = "screening:run"
    NOTICES_REQUEST = "notices:request"
    NOTICES_APPROVE = "notices:approve"
    NOTICES_REVIEW = "notices:review"
    MESSAGES_SEND = "messages:send"
    HITS_ANSWER = "hits:answer"
    OPERATIONS_MANAGE = "operations:manage"
    ANALYSIS_RUN = "analysis:run"
    GROUPS_MANAGE = "groups:manage"
    BUREAU_USERS_MANAGE = "bureau-users:manage"
    MEMBERS_MANAGE = "members:manage"
    AUDIT_READ = "audit:read"
    DATA_PROTECTION = "data-protection:manage"


class Action(StrEnum):
    """What an actor wants to do with one shared object."""

    READ = "read"
    SCREEN = "screen"
    UPDATE = "update"
    DELETE = "delete"

    @property
    def permission(self) -> Permission:
        return {
            Action.READ: Permission.RECORDS_READ,
            Action.SCREEN: Permission.SCREENING_RUN,
            Action.UPDATE: Permission.RECORDS_WRITE,
            Action.DELETE: Permission.RECORDS_WRITE,
        }[self]

    @property
    def is_write(self) -> bool:
        return self in (Action.UPDATE, Action.DELETE)
