"""The Command and Coordination Centre's screen (operators, 24/7): counters, the live feed,
a world map of the last 24 hours' activity by country, and charts (hits per hour, notices
by type, how fast owners confirm hits).

Every figure comes from the domains' reads as the signed-in operator, so the screen
shows what the policy lets that operator see; the map's fragment is refreshed by htmx.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession, Now
from interlink.core.events import latest_event_id
from interlink.hits.reads import hits_per_hour, list_hits, response_times
from interlink.members.countries import all_countries
from interlink.messaging.stream import activity_by_bureau, recent_events
from interlink.notices.reads import count_by_type, list_notices
from interlink.notices.schemas import NoticeFilters
from interlink.notices.types import NoticeType
from interlink.operations.journal import LIVE_TOPICS
from interlink.web.charts import bar_chart
from interlink.web.pages import render
from interlink.web.session import page_requires
from interlink.web.worldmap import HEIGHT, WIDTH, country_paths, shade

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
WINDOW = timedelta(hours=24)
Operator = Annotated[
    Actor,
    Depends(
        page_requires(Permission.OPERATIONS_MANAGE, "The command centre is for its operators.")
    ),
]


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    return {country.code: country.name for country in all_countries()}


def _country_name(code: str) -> str:
    return _country_names().get(code, code)


def world_map(session: Session, actor: Actor, now: datetime) -> dict[str, Any]:
    """Each country's outline and fill by its share of the last 24 hours' activity."""
    activity = activity_by_bureau(session, actor, now - WINDOW)
    highest = max(activity.values(), default=0)
    shapes = [
        {
            "code": code,
            "name": name,
            "path": path,
            "count": activity.get(code or "", 0),
            "fill": shade(activity.get(code or "", 0), highest),
        }
        for code, name, path in country_paths()
    ]
    busiest = sorted(
        ((code, count) for code, count in activity.items() if len(code) == 2),
        key=lambda item: (-item[1], item[0]),
    )[:10]
    return {
        "shapes": shapes,
        "width": WIDTH,
        "height": HEIGHT,
        "busiest": [{"code": c, "name": _country_name(c), "count": n} for c, n in busiest],
        "highest": highest,
    }


def _charts(session: Session, actor: Actor, now: datetime, per_hour: list[int]) -> list[Any]:
    hours = [((now - timedelta(hours=len(per_hour) - 1 - i)).strftime("%H"), n)
             for i, n in enumerate(per_hour)]  # fmt: skip
    by_type = count_by_type(session, actor)
    types = [(kind.value, by_type.get(kind.value, 0)) for kind in NoticeType]
    answered = list(response_times(session, actor=actor, now=now).items())
    return [
        bar_chart("Hits per hour, last 24 hours (UTC)", hours, unit="hits"),
        bar_chart("Notices by type", types, unit="notices"),
        bar_chart("Time to confirm a hit, last 30 days", answered, unit="confirmations"),
    ]


def _counts(session: Session, actor: Actor, now: datetime, last_day: int) -> dict[str, int]:
    def hits(**filters: Any) -> int:
        return list_hits(session, actor=actor, now=now, limit=1, **filters)[1]

    review = list_notices(
        session, NoticeFilters(status="under_review"), actor=actor, limit=1, offset=0
    )[1]
    return {
        "open": hits(status="open") + hits(status="confirmation_requested"),
        "overdue": hits(overdue=True),
        "review": review,
        "last_day": last_day,
    }


def _feed(session: Session, actor: Actor) -> list[dict[str, str]]:
    recent = recent_events(session, actor)
    return [
        {"topic": e.topic, "text": e.payload.get("subject") or e.payload.get("title") or
         e.payload.get("record_kind") or ""}
        for e in recent
    ]  # fmt: skip


@router.get("/ccc", response_class=HTMLResponse)
def command_centre(request: Request, session: DbSession, actor: Operator, now: Now) -> Response:
    per_hour = hits_per_hour(session, actor=actor, now=now)
    context = {
        "actor": actor,
        "counts": _counts(session, actor, now, sum(per_hour)),
        "recent": _feed(session, actor),
        "map": world_map(session, actor, now),
        "charts": _charts(session, actor, now, per_hour),
        "last_event": latest_event_id(session),
        "now": now,
        "live_topics": LIVE_TOPICS,
    }
    session.commit()  # the lists' audit entries
    return render(request, "ccc.html", context)


@router.get("/ccc/map", response_class=HTMLResponse)
def command_centre_map(request: Request, session: DbSession, actor: Operator, now: Now) -> Response:
    """The map alone, for the page's periodic refresh."""
    context = {"map": world_map(session, actor, now), "now": now}
    return render(request, "_ccc_map.html", context)
