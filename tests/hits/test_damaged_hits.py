"""A hit report's ``query`` is a screening body, bounded like one: nested ones are refused
422 before anything is written. A hit whose stored JSON is damaged all the same (planted
in the table) does not break the lists and reads of hits for anyone who sees it: it is
shown, marked damaged, without the part that cannot be read."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.hits.models import Hit
from interlink.members.models import User
from tests.damaged import NOT_JSON, nested, plant

Auth = Callable[[User], dict[str, str]]
PERSON = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09",
          "visibility": {"mode": "all_members"}}  # fmt: skip
QUERY = {"person": {"name": "Jean Dupont", "date_of_birth": "1971-03-09"}}


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "fr": make_user(Role.OFFICER, "FR"),
        "de": make_user(Role.OFFICER, "DE"),
        "reviewer": make_user(Role.REVIEWER, "SEC"),
        "operator": make_user(Role.OPERATOR, "SEC"),
        "analyst": make_user(Role.ANALYST, "SEC"),
    }


@pytest.fixture
def record_id(client: TestClient, people: dict[str, User], auth: Auth) -> str:
    response = client.post("/api/v1/records/persons", json=PERSON, headers=auth(people["fr"]))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _report(client: TestClient, who: User, auth: Auth, record_id: str, query: Any) -> Any:
    """``query``: an object, or its JSON text (nested deeper than the client can encode)."""
    text = query if isinstance(query, str) else json.dumps(query)
    body = f'{{"record_id": "{record_id}", "query": {text}, "note": "national copy"}}'
    headers = {**auth(who), "Content-Type": "application/json"}
    return client.post("/api/v1/hits", content=body, headers=headers)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Hit)) or 0


def _deep(levels: int) -> str:
    return '{"person": ' * levels + '{"name": "Jean Dupont"}' + "}" * levels


@pytest.mark.parametrize("levels", [3, 300, 1000])
def test_a_nested_report_is_refused_and_nothing_is_written(
    client: TestClient, session: Session, people: dict[str, User], auth: Auth,
    record_id: str, levels: int,
) -> None:  # fmt: skip
    before = _count(session)
    response = _report(client, people["de"], auth, record_id, _deep(levels))
    assert response.status_code == 422, response.text[:500]
    # Nested 1,000 deep, the body is not even decoded: the answer names the body itself.
    assert response.json()["errors"][0]["field"].startswith(
        "body.query" if levels < 999 else "body"
    )
    assert _count(session) == before
    assert client.get("/api/v1/hits", headers=auth(people["de"])).status_code == 200


@pytest.mark.parametrize("query", [{"reported": "x"}, {"person": {"name": "x" * 401}}, []])
def test_a_report_whose_query_is_no_screening_body_is_refused(
    client: TestClient, people: dict[str, User], auth: Auth, record_id: str, query: Any
) -> None:
    response = _report(client, people["de"], auth, record_id, query)
    assert response.status_code == 422, response.text[:500]


def _damaged_texts(session: Session) -> list[str]:
    texts = [nested(200), nested(5000)]
    if session.get_bind().dialect.name == "sqlite":  # PostgreSQL refuses text that is no JSON
        texts.append(NOT_JSON)
    return texts


def test_a_damaged_hit_does_not_break_the_hits_list_for_anyone_who_sees_it(
    client: TestClient, session: Session, people: dict[str, User], auth: Auth, record_id: str
) -> None:
    good = _report(client, people["de"], auth, record_id, QUERY)
    assert good.status_code == 201, good.text
    planted = []
    for text in _damaged_texts(session):
        response = _report(client, people["de"], auth, record_id, QUERY)
        hit_id = uuid.UUID(response.json()["id"])
        plant(session, Hit.__table__.c.query, hit_id, text)
        planted.append(str(hit_id))

    for who in ("de", "fr", "reviewer", "operator", "analyst"):
        listed = client.get("/api/v1/hits", headers=auth(people[who]))
        assert listed.status_code == 200, (who, listed.text[:300])
        items = {item["id"]: item for item in listed.json()["items"]}
        assert set(planted) | {good.json()["id"]} <= set(items)
        assert items[good.json()["id"]]["query"] == QUERY
        assert "damaged" not in items[good.json()["id"]]
        for hit_id in planted:
            assert items[hit_id]["query"] is None
            assert "query" in items[hit_id]["damaged"]
            one = client.get(f"/api/v1/hits/{hit_id}", headers=auth(people[who]))
            assert one.status_code == 200 and "query" in one.json()["damaged"]
    # The owner still answers a damaged hit: it is not lost to the confirmation loop.
    asked = client.post(f"/api/v1/hits/{planted[0]}/confirmation", json={"priority": "urgent"},
                        headers=auth(people["de"]))  # fmt: skip
    assert asked.status_code == 200, asked.text
    answered = client.put(f"/api/v1/hits/{planted[0]}/confirmation",
                          json={"answer": "not_same"}, headers=auth(people["fr"]))  # fmt: skip
    assert answered.status_code == 200 and answered.json()["status"] == "not_same"
    stats = client.get("/api/v1/hits/stats", headers=auth(people["reviewer"]))
    assert stats.status_code == 200
