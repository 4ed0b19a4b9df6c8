"""The command centre's screen: its counters, the world map of the last 24 hours and the
charts are drawn from what the operator may see, on a controlled clock; the map's
geometry is whole (every member country has an outline, none drawn round the world)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.core.types import utcnow
from interlink.hits.reads import hits_per_hour, response_times
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.web.worldmap import NONE, country_paths
from tests.web.test_pages import _signin

Auth = Callable[[User], dict[str, str]]
PERSON = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09",
          "visibility": {"mode": "all_members"}}  # fmt: skip
QUERY = {"person": {"name": "Jean Dupont", "date_of_birth": "1971-03-09"}}


class Clock:
    def __init__(self) -> None:
        self.now = utcnow().replace(minute=30, second=0, microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(client: TestClient) -> Iterator[Clock]:
    controlled = Clock()
    client.app.state.clock = controlled  # type: ignore[attr-defined]
    yield controlled


def _screen(client: TestClient, who: User, auth: Auth) -> Any:
    response = client.post("/api/v1/screen", json=QUERY, headers=auth(who))
    assert response.status_code == 200 and response.json()["hit"], response.text
    hits = client.get("/api/v1/hits", headers=auth(who)).json()["items"]
    return max(hits, key=lambda hit: hit["created_at"])


def _fills(page: str) -> dict[str, str]:
    found = re.findall(r'<path d="[^"]*" fill="(#[0-9a-f]{6})" data-country="(\w\w)"', page)
    return {code: fill for fill, code in found}


def test_the_screen_counts_what_the_operator_sees(
    client: TestClient, clock: Clock, make_user: Callable[..., User], auth: Auth,
    session: Session,
) -> None:  # fmt: skip
    france, germany = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    italy, operator = make_user(Role.OFFICER, "IT"), make_user(Role.OPERATOR, "SEC")
    created = client.post("/api/v1/records/persons", json=PERSON, headers=auth(france))
    assert created.status_code == 201, created.text
    clock.now -= timedelta(hours=3)
    first = _screen(client, germany, auth)
    path = f"/api/v1/hits/{first['id']}/confirmation"
    asked = client.post(path, json={"priority": "urgent"}, headers=auth(germany))
    assert asked.status_code == 200, asked.text
    clock.now += timedelta(minutes=3)
    answer = {"answer": "confirmed", "details": "he is wanted"}
    assert client.put(path, json=answer, headers=auth(france)).status_code == 200
    clock.now += timedelta(hours=2, minutes=57)  # back to the present hour
    _screen(client, italy, auth)

    as_operator = actor_for_user(operator)
    per_hour = hits_per_hour(session, actor=as_operator, now=clock.now)
    assert len(per_hour) == 24 and per_hour[-1] == 1 and per_hour[-4] == 1 and sum(per_hour) == 2
    # An officer sees the hits its own bureau made or owns, not another's.
    assert sum(hits_per_hour(session, actor=actor_for_user(italy), now=clock.now)) == 1
    assert response_times(session, actor=as_operator, now=clock.now)["2-5 min"] == 1

    _signin(client, germany)
    assert client.get("/ccc").status_code == 403
    assert client.get("/ccc/map").status_code == 403
    client.cookies.clear()
    _signin(client, operator)
    page = client.get("/ccc")
    assert page.status_code == 200, page.text
    assert re.search(r'id="count-day">2<', page.text)
    fills = _fills(page.text)
    assert fills["FR"] != NONE and fills["DE"] != NONE and fills["IT"] != NONE
    assert fills["JP"] == NONE  # nothing happened there
    assert "France (FR)" in page.text and "Time to confirm a hit" in page.text
    fragment = client.get("/ccc/map")
    assert fragment.status_code == 200 and 'id="world-map"' in fragment.text
    assert "<html" not in fragment.text


def test_the_map_has_every_member_and_nothing_drawn_round_the_world() -> None:
    shapes = {code: path for code, _, path in country_paths() if code}
    assert {"FR", "DE", "US", "BR", "RU", "JP", "NG", "AU", "FJ"} <= set(shapes)
    for code, path in shapes.items():
        for subpath in path.split("M")[1:]:
            xs = [float(point.split()[0]) for point in subpath.rstrip("Z").split("L")]
            steps = [abs(b - a) for a, b in itertools.pairwise(xs)]
            assert max(steps, default=0) < 180, code  # no line across the map
            assert all(0 <= x <= 360 for x in xs), code
    assert shapes["RU"].count("M") > 1  # Russia's far east lies across the antimeridian
