"""The hit loop through the API: a screening that finds another bureau's record makes a
hit (the owner and the command centre told), the screening bureau asks for
confirmation, the owner answers within the deadline or the request escalates, and an
outcome closes the hit with its follow-ups. Deadlines run on a controlled clock."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.core.events import Event
from interlink.hits.service import escalate_overdue
from interlink.members.models import User

Auth = Callable[[User], dict[str, str]]
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
PERSON = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09",
          "nationalities": ["FR"]}  # fmt: skip
QUERY = {"person": {"name": "Jean Dupont", "date_of_birth": "1971-03-09"}}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(client: TestClient) -> Iterator[Clock]:
    controlled = Clock()
    client.app.state.clock = controlled  # type: ignore[attr-defined]
    yield controlled


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "fr": make_user(Role.OFFICER, "FR"),
        "de": make_user(Role.OFFICER, "DE"),
        "it": make_user(Role.OFFICER, "IT"),
        "operator": make_user(Role.OPERATOR, "SEC"),
        "reviewer": make_user(Role.REVIEWER, "SEC"),
    }


@pytest.fixture
def record(client: TestClient, people: dict[str, User], auth: Auth) -> dict[str, Any]:
    body = {**PERSON, "visibility": {"mode": "all_members"}}
    response = client.post("/api/v1/records/persons", json=body, headers=auth(people["fr"]))
    assert response.status_code == 201, response.text
    return response.json()


def _screen(client: TestClient, who: User, auth: Auth, query: dict[str, Any] = QUERY) -> Any:
    response = client.post("/api/v1/screen", json=query, headers=auth(who))
    assert response.status_code == 200, response.text
    return response.json()


def _hits(client: TestClient, who: User, auth: Auth, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/hits", params=params, headers=auth(who))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _hit(client: TestClient, people: dict[str, User], auth: Auth) -> dict[str, Any]:
    assert _screen(client, people["de"], auth)["hit"] is True
    (hit,) = _hits(client, people["de"], auth)
    return hit


def test_a_hit_on_another_bureaus_record(
    client: TestClient, clock: Clock, people: dict[str, User], auth: Auth,
    record: dict[str, Any], session: Session,
) -> None:  # fmt: skip
    hit = _hit(client, people, auth)
    assert (hit["owner"], hit["screening_bureau"], hit["record_id"]) == ("FR", "DE", record["id"])
    assert hit["query"] == QUERY and hit["score"] >= 0.8 and hit["explanation"]["name"]
    assert hit["status"] == "open" and hit["system"] == "user"
    assert hit["created_at"].startswith("2026-11-28T09:00")
    assert [h["id"] for h in _hits(client, people["fr"], auth)] == [hit["id"]]
    assert [h["id"] for h in _hits(client, people["operator"], auth)] == [hit["id"]]
    assert _hits(client, people["it"], auth) == []
    path = f"/api/v1/hits/{hit['id']}"
    assert client.get(path, headers=auth(people["it"])).status_code == 404
    event = session.scalars(select(Event).where(Event.object_id == hit["id"])).one()
    assert (event.topic, event.owner, event.audience) == ("hit.created", "FR", ",DE,CCC,")
    # Screening one's own records, or finding nothing near the threshold, makes no hit.
    assert _screen(client, people["fr"], auth)["hit"] is True
    _screen(
        client, people["de"], auth, {"person": {"name": "Jean Dupont", "date_of_birth": "1990"}}
    )
    assert len(_hits(client, people["reviewer"], auth)) == 1


def test_confirmed_within_the_deadline(
    client: TestClient, clock: Clock, people: dict[str, User], auth: Auth, record: Any
) -> None:
    hit = _hit(client, people, auth)
    path = f"/api/v1/hits/{hit['id']}/confirmation"
    asked = client.post(path, json={"priority": "urgent", "note": "at gate B12"},
                        headers=auth(people["de"]))  # fmt: skip
    assert asked.status_code == 200, asked.text
    assert asked.json()["due_at"].startswith("2026-11-28T09:10")
    assert asked.json()["status"] == "confirmation_requested"
    clock.advance(minutes=9)
    assert _hits(client, people["fr"], auth, overdue=True) == []
    answer = {"answer": "confirmed", "details": "arrest him; extradition papers follow"}
    done = client.put(path, json=answer, headers=auth(people["fr"]))
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "confirmed" and body["confirmed_at"].startswith("2026-11-28T09:09")
    assert body["confirmations"][0]["answer"] == "confirmed" and not body["overdue"]


def test_overdue_requests_escalate_once(
    client: TestClient, clock: Clock, people: dict[str, User], auth: Auth, record: Any,
    session: Session,
) -> None:  # fmt: skip
    hit = _hit(client, people, auth)
    path = f"/api/v1/hits/{hit['id']}/confirmation"
    client.post(path, json={"priority": "routine"}, headers=auth(people["de"]))
    clock.advance(minutes=59)
    assert escalate_overdue(session, now=clock.now) == []
    clock.advance(minutes=2)
    assert [h["id"] for h in _hits(client, people["operator"], auth, overdue=True)] == [hit["id"]]
    assert client.get(f"/api/v1/hits/{hit['id']}", headers=auth(people["fr"])).json()["overdue"]
    escalated = escalate_overdue(session, now=clock.now)
    assert [str(h.id) for h in escalated] == [hit["id"]]
    assert escalate_overdue(session, now=clock.now) == []  # once
    session.commit()
    topics = [e.topic for e in session.scalars(select(Event).where(Event.object_id == hit["id"]))]
    assert topics == ["hit.created", "hit.confirmation_requested", "hit.escalated"]
    late = client.put(path, json={"answer": "not_same"}, headers=auth(people["fr"]))
    assert late.status_code == 200 and late.json()["status"] == "not_same"
    last = session.scalars(select(Event).where(Event.object_id == hit["id"])).all()[-1]
    assert last.topic == "hit.answered" and last.payload["late"] is True


def test_who_may_do_what(
    client: TestClient, clock: Clock, people: dict[str, User], auth: Auth, record: Any
) -> None:
    hit = _hit(client, people, auth)
    path = f"/api/v1/hits/{hit['id']}/confirmation"
    assert client.post(path, json={"priority": "urgent"},
                       headers=auth(people["fr"])).status_code == 403  # fmt: skip
    assert client.post(path, json={"priority": "urgent"},
                       headers=auth(people["it"])).status_code == 404  # fmt: skip
    bad = client.post(path, json={"priority": "soon"}, headers=auth(people["de"]))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.priority"
    unasked = client.put(path, json={"answer": "not_same"}, headers=auth(people["fr"]))
    assert unasked.status_code == 409
    client.post(path, json={"priority": "urgent"}, headers=auth(people["de"]))
    again = client.post(path, json={"priority": "urgent"}, headers=auth(people["de"]))
    assert again.status_code == 409
    assert client.put(path, json={"answer": "not_same"},
                      headers=auth(people["de"])).status_code == 403  # fmt: skip
    vague = client.put(path, json={"answer": "confirmed"}, headers=auth(people["fr"]))
    assert vague.status_code == 422 and vague.json()["errors"][0]["field"] == "body.details"
    more = {"answer": "more_information", "details": "fingerprints, please"}
    assert client.put(path, json=more, headers=auth(people["fr"])).json()["status"] == (
        "more_information"
    )
    # More information asked: the screening bureau asks again once it has it.
    clock.advance(minutes=30)
    asked = client.post(path, json={"priority": "routine"}, headers=auth(people["de"]))
    assert asked.status_code == 200 and len(asked.json()["confirmations"]) == 2


def test_outcome_closes_the_hit_and_offers_follow_ups(
    client: TestClient, clock: Clock, people: dict[str, User], auth: Auth,
    record: dict[str, Any], make_user: Callable[..., User],
) -> None:  # fmt: skip
    supervisor = make_user(Role.SUPERVISOR, "FR")
    red = {
        "type": "red",
        "data": {
            "person": {"record_id": record["id"]}, "purpose": "prosecution",
            "charges": [{"offence": "Armed robbery", "law": "art. 311-8",
                         "max_penalty_months": 240}],
            "warrant": {"issuing_authority": "Tribunal de Paris", "issuing_country": "FR",
                        "date": "2026-01-02", "reference": "AW-1"},
            "summary": "Robbed three jewellers in Paris in 2025.",
        },
    }  # fmt: skip
    notice = client.post("/api/v1/notices", json=red, headers=auth(people["fr"])).json()
    for action, who in (("submit", people["fr"]), ("approve", supervisor)):
        client.post(f"/api/v1/notices/{notice['id']}/{action}", json={}, headers=auth(who))
    published = client.post(f"/api/v1/notices/{notice['id']}/publish", json={"resolutions": []},
                            headers=auth(people["reviewer"]))  # fmt: skip
    assert published.status_code == 200, published.text
    hit = _hit(client, people, auth)
    path = f"/api/v1/hits/{hit['id']}/outcome"
    assert client.post(path, json={"outcome": "arrested"},
                       headers=auth(people["it"])).status_code == 404  # fmt: skip
    # An arrest follows the owner's confirmation, not a bare score.
    early = client.post(path, json={"outcome": "arrested"}, headers=auth(people["de"]))
    assert early.status_code == 409
    confirmation = f"/api/v1/hits/{hit['id']}/confirmation"
    client.post(confirmation, json={"priority": "urgent"}, headers=auth(people["de"]))
    client.put(confirmation, json={"answer": "confirmed", "details": "arrest him"},
               headers=auth(people["fr"]))  # fmt: skip
    done = client.post(path, json={"outcome": "arrested", "details": "at Frankfurt airport"},
                       headers=auth(people["de"]))  # fmt: skip
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "closed" and body["outcome"] == "arrested"
    (offer,) = body["follow_ups"]
    assert offer["action"] == "cancel_notice" and offer["notice"] == notice["reference"]
    assert offer["body"] == {"cancel_reason": "arrested"}
    again = client.post(path, json={"outcome": "located"}, headers=auth(people["fr"]))
    assert again.status_code == 409


def test_statistics(
    client: TestClient, clock: Clock, people: dict[str, User], auth: Auth, record: Any
) -> None:
    first = _hit(client, people, auth)
    client.post(f"/api/v1/hits/{first['id']}/confirmation", json={"priority": "urgent"},
                headers=auth(people["de"]))  # fmt: skip
    clock.advance(minutes=4)
    client.put(f"/api/v1/hits/{first['id']}/confirmation",
               json={"answer": "not_same"}, headers=auth(people["fr"]))  # fmt: skip
    _screen(client, people["de"], auth)
    stats = client.get("/api/v1/hits/stats", headers=auth(people["operator"])).json()
    assert stats["total"] == 2 and stats["by_database"] == {"persons": 2}
    assert stats["by_owner"] == {"FR": 2} and stats["by_screening_country"] == {"DE": 2}
    assert stats["time_to_confirm_seconds"]["median"] == 240.0
    assert stats["by_status"] == {"not_same": 1, "open": 1}
    assert client.get("/api/v1/hits/stats", headers=auth(people["it"])).json()["total"] == 0


def test_a_hit_found_by_other_means_is_reported(
    client: TestClient, clock: Clock, people: dict[str, User], auth: Auth,
    record: dict[str, Any],
) -> None:  # fmt: skip
    body = {"record_id": record["id"], "query": QUERY, "note": "national copy of the list"}
    reported = client.post("/api/v1/hits", json=body, headers=auth(people["de"]))
    assert reported.status_code == 201, reported.text
    assert reported.json()["owner"] == "FR" and reported.json()["score"] == 1.0
    own = client.post("/api/v1/hits", json=body, headers=auth(people["fr"]))
    assert own.status_code == 422 and own.json()["errors"][0]["field"] == "body.record_id"
    ghost = {**body, "record_id": "00000000-0000-0000-0000-000000000009"}
    assert client.post("/api/v1/hits", json=ghost, headers=auth(people["de"])).status_code == 422


def test_the_servers_watch_escalates_and_commits(
    client: TestClient, clock: Clock, people: dict[str, User], auth: Auth, record: Any,
    session_factory: Any,
) -> None:  # fmt: skip
    from interlink.hits.watcher import escalate_once

    hit = _hit(client, people, auth)
    client.post(f"/api/v1/hits/{hit['id']}/confirmation", json={"priority": "urgent"},
                headers=auth(people["de"]))  # fmt: skip
    assert escalate_once(session_factory, clock) == 0
    clock.advance(minutes=11)
    assert escalate_once(session_factory, clock) == 1
    seen = client.get(f"/api/v1/hits/{hit['id']}", headers=auth(people["operator"])).json()
    assert seen["escalated_at"].startswith("2026-11-28T09:11") and seen["overdue"]


def test_no_action_closes_an_open_request(
    client: TestClient, clock: Clock, people: dict[str, User], auth: Auth, record: Any
) -> None:
    hit = _hit(client, people, auth)
    client.post(f"/api/v1/hits/{hit['id']}/confirmation", json={"priority": "routine"},
                headers=auth(people["de"]))  # fmt: skip
    closed = client.post(f"/api/v1/hits/{hit['id']}/outcome", json={"outcome": "no_action"},
                         headers=auth(people["de"]))  # fmt: skip
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["confirmations"][0]["answer"] == "withdrawn"
    assert _hits(client, people["operator"], auth, overdue=True) == []


def test_list_filters_and_bad_parameters(
    client: TestClient, clock: Clock, people: dict[str, User], auth: Auth, record: Any
) -> None:
    hit = _hit(client, people, auth)
    client.post(f"/api/v1/hits/{hit['id']}/confirmation", json={"priority": "urgent"},
                headers=auth(people["de"]))  # fmt: skip
    who = people["operator"]
    assert [h["id"] for h in _hits(client, who, auth, owner="FR")] == [hit["id"]]
    assert _hits(client, who, auth, owner="DE") == []
    assert [h["id"] for h in _hits(client, who, auth, screened_by="DE")] == [hit["id"]]
    due = "2026-11-28T09:10:00+00:00"
    assert [h["id"] for h in _hits(client, who, auth, due_before=due)] == [hit["id"]]
    assert _hits(client, who, auth, due_before="2026-11-28T09:09:00+00:00") == []
    assert [h["id"] for h in _hits(client, who, auth, status="confirmation_requested")] == [
        hit["id"]
    ]
    for params, field in (
        ({"due_before": "2026-11-28T09:10:00"}, "query.due_before"),
        ({"status": "lost"}, "query.status"),
        ({"owner": "XX"}, "owner"),
    ):
        response = client.get("/api/v1/hits", params=params, headers=auth(who))
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["field"] == field


def test_two_bureaus_acting_at_once_take_turns(fresh_database_url: str) -> None:
    import threading

    from sqlalchemy import select as select_

    from interlink.access import Actor, Visibility, VisibilityMode
    from interlink.core.db import make_engine, make_session_factory
    from interlink.core.errors import Conflict
    from interlink.hits.service import (
        answer_confirmation,
        record_outcome,
        report_hit,
        request_confirmation,
    )
    from interlink.members.models import Bureau
    from interlink.records.models import Record

    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)

    def actor(session: Any, code: str) -> Actor:
        office = session.scalars(select_(Bureau).where(Bureau.code == code)).one()
        return Actor.build(id=uuid.uuid4(), name=f"{code.lower()}.o", role=Role.OFFICER,
                           bureau_id=office.id, bureau_code=code, country=code)  # fmt: skip

    with factory() as session:
        france, germany = actor(session, "FR"), actor(session, "DE")
        vehicle = Record.example(owner_bureau_id=france.bureau_id)
        vehicle.set_visibility(Visibility(mode=VisibilityMode.ALL_MEMBERS))
        session.add(vehicle)
        session.flush()
        hit, _ = report_hit(session, vehicle.id, {"vehicle": {"plate": "AB"}}, None,
                         actor=germany, now=T0)  # fmt: skip
        request_confirmation(session, hit.id, "urgent", None, actor=germany, now=T0)
        answer_confirmation(session, hit.id, "confirmed", "seize it", actor=france, now=T0)
        session.commit()
        hit_id = hit.id
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def act(who: Actor, outcome: str) -> None:
        with factory() as session:
            barrier.wait()
            try:
                record_outcome(session, hit_id, outcome, None, actor=who, now=T0)
                session.commit()
                outcomes.append(outcome)
            except Conflict:
                session.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=act, args=(france, "seized")),
               threading.Thread(target=act, args=(germany, "returned"))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert sorted(outcomes)[0] == "conflict" and len(outcomes) == 2
