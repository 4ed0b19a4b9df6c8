"""Roles and the permissions each grants."""

from __future__ import annotations

from enum import StrEnum

from interlink.access.permissions import Permission as P

__all__ = ["ROLE_PERMISSIONS", "SECRETARIAT_ROLES", "ClientScope", "Role"]


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    REVIEWER = "reviewer"
    OPERATOR = "operator"
    ANALYST = "analyst"
    AUDITOR = "auditor"
    ADMIN = "admin"
    CLIENT = "client"
    """A machine client (an API key): what its ``ClientScope`` admits, nothing else."""


class ClientScope(StrEnum):
    """What a machine client's key is for: each route says which scopes it admits
    (``access.declared``), and a key is refused (403) everywhere else."""

    SCREENING = "screening"
    """A border system: screens travellers and documents (the default)."""
    NODE = "node"
    """A national node: replicates its bureau's data from the change feed and hands
    back the hits it made offline."""


_OFFICER = frozenset(
    {
        P.RECORDS_READ,
        P.RECORDS_WRITE,
        P.SCREENING_RUN,
        P.NOTICES_REQUEST,
        P.MESSAGES_SEND,
        P.HITS_ANSWER,
        P.GROUPS_MANAGE,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[P]] = {
    Role.OFFICER: _OFFICER,
    Role.SUPERVISOR: _OFFICER | {P.NOTICES_APPROVE, P.BUREAU_USERS_MANAGE},
    # Reviewers correct or delete any bureau's records when compliance requires it.
    # They also handle the requests of persons about the data held on them.
    Role.REVIEWER: frozenset(
        {
            P.RECORDS_READ,
            P.RECORDS_WRITE,
            P.SCREENING_RUN,
            P.NOTICES_REVIEW,
            P.MESSAGES_SEND,
            P.DATA_PROTECTION,
        }
    ),
    Role.OPERATOR: frozenset(
        {P.RECORDS_READ, P.SCREENING_RUN, P.OPERATIONS_MANAGE, P.MESSAGES_SEND}
    ),
    Role.ANALYST: frozenset({P.RECORDS_READ, P.SCREENING_RUN, P.ANALYSIS_RUN}),
    Role.AUDITOR: frozenset({P.AUDIT_READ}),
    # Administrators step into sharing groups for compliance (they own none).
    Role.ADMIN: frozenset(
        {P.MEMBERS_MANAGE, P.BUREAU_USERS_MANAGE, P.RECORDS_READ, P.GROUPS_MANAGE}
    ),
    Role.CLIENT: frozenset({P.SCREENING_RUN}),
}

SECRETARIAT_ROLES = frozenset({Role.REVIEWER, Role.OPERATOR, Role.AUDITOR, Role.ADMIN})
"""Roles that belong to the General Secretariat rather than a national bureau."""
