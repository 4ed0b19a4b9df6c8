"""The one rule a node adds to the services: its shared data is central's, read-only here."""

from __future__ import annotations

from sqlalchemy.orm import Session

from interlink.core.errors import Conflict
from interlink.node.models import NodeState

__all__ = ["require_writable"]


def require_writable(session: Session) -> None:
    """Refuse to change shared data on a national node (a replica of central's)."""
    if session.get(NodeState, 1) is not None:
        raise Conflict(
            "this is a national node: its records and notices are copies of the central "
            "system's; change them there"
        )
