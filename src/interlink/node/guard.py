"""The one rule a node adds: its shared data is central's, read-only here.

A national node is a replica (``node_state`` holds its one row): records, notices and
sharing groups arrive from central's change feed, and whatever a node's user sent to
other bureaus from there (a message, a diffusion, an answer to a hit) would reach no one.
So a node takes, besides reading, only what is its own: signing in and out, its users'
passwords, its own users and API clients, and screening, whose hits it queues for
central (``sync.deliver_hits``). The services refuse shared writes themselves
(``require_writable``, also for the command line); ``refuse_shared_writes`` is the same
rule for every HTTP route, so that a route added later is refused on a node unless it is
listed here.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from interlink.core.deps import DbSession
from interlink.core.errors import Conflict
from interlink.node.models import NodeState

__all__ = ["NODE_WRITES", "is_node", "refuse_shared_writes", "require_writable"]

NODE_WRITES: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/api/v1/auth/token"),
        ("POST", "/api/v1/auth/signout"),
        ("POST", "/signin"),
        ("POST", "/signout"),
        ("POST", "/profile/password"),
        ("POST", "/api/v1/users"),
        ("PATCH", "/api/v1/users/{user_id}"),
        ("POST", "/api/v1/api-clients"),
        ("DELETE", "/api/v1/api-clients/{client_id}"),
        ("POST", "/admin/users/new"),
        ("POST", "/admin/users/{user_id}"),
        ("POST", "/admin/api-clients"),
        ("POST", "/admin/api-clients/{client_id}/revoke"),
        ("POST", "/api/v1/screen"),
        ("POST", "/api/v1/screen/stream"),
        ("POST", "/screen"),
        ("POST", "/screen/batch"),
        ("POST", "/api/v1/hits"),
        ("POST", "/api/v1/audit/verify"),  # a read: checkpoints in the body
    }
)
"""The state-changing routes (method, path template) a node answers itself."""

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _state(session: Session) -> NodeState | None:
    return session.get(NodeState, 1)


def _refusal(state: NodeState) -> Conflict:
    return Conflict(
        "this is a national node: it screens and reads its copy of the central system's "
        f"data; do this on the central system ({state.central_url})"
    )


def is_node(session: Session) -> bool:
    """Whether this database is a national node's replica."""
    return _state(session) is not None


def require_writable(session: Session) -> None:
    """Refuse to change shared data on a national node (a replica of central's)."""
    state = _state(session)
    if state is not None:
        raise _refusal(state)


def refuse_shared_writes(request: Request, session: DbSession) -> None:
    """Every route's first dependency: on a node, a state-changing request that is not in
    ``NODE_WRITES`` gets a 409 naming the central system, before anything is read."""
    if request.method in _READS:
        return
    route = request.scope.get("route")
    if (request.method, getattr(route, "path", request.url.path)) not in NODE_WRITES:
        require_writable(session)
