"""``GET /api/v1/changes``: the change feed national nodes replicate from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from interlink.access import Actor, ClientScope, Permission
from interlink.changes.feed import read_changes
from interlink.changes.schemas import ChangePage
from interlink.core.deps import DbSession
from interlink.core.limits import FEED_PAGE
from interlink.members.deps import requires

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/changes", tags=["changes"])

# A national node's key replicates; a border system's screens and reads nothing.
Replicator = Annotated[
    Actor, Depends(requires(Permission.SCREENING_RUN, clients=[ClientScope.NODE]))
]


@router.get("", response_model=ChangePage)
def changes(
    session: DbSession,
    actor: Replicator,
    since: Annotated[
        str,
        Query(max_length=32, description="The cursor of the last page read; 0 from the start"),
    ] = "0",
    limit: Annotated[int, Query(ge=1, le=FEED_PAGE)] = 500,
) -> ChangePage:
    """Every change to the records and published notices the caller may screen against,
    in commit order: upserts, and removals of what the caller could see and no longer can.
    For a national node's API key (scope ``node``), records whose owner lets machine
    clients learn only that there is a hit (``contact_only``) carry only what matching
    compares; a border system's key (scope ``screening``) is refused."""
    page = read_changes(session, actor=actor, since=since, limit=limit)
    session.commit()  # the page's audit entry
    return ChangePage(
        items=page.items, cursor=page.cursor, more=page.more, bureau=actor.bureau_code
    )
