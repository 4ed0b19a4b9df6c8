"""Incidents through the API: the command centre opens one (what, where, when), deploys
a team and asks member countries for help; a country asked reads the incident and
answers its own request, nobody else sees it; every change is traced."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.audit.models import AuditEntry
from interlink.core.events import Event
from interlink.members.models import User
from tests.operations.conftest import Auth, made

Who = dict[str, User]
BODY = {
    "title": "Bomb threat at Lyon Part-Dieu",
    "description": "Anonymous call; suspect seen boarding a train to Frankfurt.",
    "country": "fr",
    "place": "Lyon Part-Dieu station",
    "occurred_at": "2026-11-28T07:40:00+01:00",
    "team": [{"name": "A. Moreau", "role": "team leader"}],
    "requests": [{"country": "DE", "text": "Meet the 09:12 train at Frankfurt Hbf."}],
}


def _fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [error["field"] for error in response.json()["errors"]]


def test_an_incident_is_opened_and_answered(
    client: TestClient, people: Who, auth: Auth, session: Session
) -> None:
    operator, de = auth(people["operator"]), auth(people["de"])
    incident = made(client.post("/api/v1/incidents", json=BODY, headers=operator))
    assert re.fullmatch(r"IR-2026-\d{4}", incident["reference"])
    assert incident["occurred_at"].startswith("2026-11-28T06:40")  # stored in UTC
    assert (incident["status"], incident["country"], incident["countries"]) == (
        "open",
        "FR",
        ["DE"],
    )
    assert incident["team"][0]["role"] == "team leader" and incident["steps"] == ["deploy", "close"]
    path = f"/api/v1/incidents/{incident['reference']}"
    seen = made(client.get(path, headers=de), 200)
    (request,) = seen["requests"]
    assert request["may_answer"] and not seen["may_manage"]
    # The country where it happened was not asked: like any other, it does not see it.
    for who in ("fr", "it", "analyst"):
        assert client.get(path, headers=auth(people[who])).status_code == 404
        assert client.get("/api/v1/incidents", headers=auth(people[who])).json()["items"] == []
    answer = f"{path}/requests/{request['id']}/answer"
    assert client.put(answer, json={"answer": "x"}, headers=operator).status_code == 403
    assert client.put(answer, json={"answer": "x"}, headers=auth(people["it"])).status_code == 404
    assert _fields(client.put(answer, json={"answer": " "}, headers=de)) == ["body.answer"]
    done = made(client.put(answer, json={"answer": "Two officers on the platform."},
                           headers=de), 200)  # fmt: skip
    assert done["requests"][0]["answered"] and done["requests"][0]["answered_by"] == (
        people["de"].username
    )
    assert client.put(answer, json={"answer": "again"}, headers=de).status_code == 409
    assert client.post(f"{path}/requests", json={"country": "DE", "text": "x"},
                       headers=de).status_code == 403  # fmt: skip
    events = session.scalars(
        select(Event).where(Event.object_id == incident["id"]).order_by(Event.id)
    ).all()
    assert [(e.topic, e.audience) for e in events] == [
        ("incident.created", ",CCC,DE,"), ("incident.request_answered", ",CCC,DE,"),
    ]  # fmt: skip
    audited = session.scalars(
        select(AuditEntry).where(AuditEntry.object_id == incident["id"]).order_by(AuditEntry.seq)
    ).all()
    assert [(a.action, a.actor) for a in audited] == [
        ("incident", people["operator"].username),  # opened it
        ("incident.read", people["de"].username),  # read it (the refused readers did not)
        ("incident", people["de"].username),  # answered
    ]  # fmt: skip


def test_bad_input_is_refused_naming_the_field(client: TestClient, people: Who, auth: Auth) -> None:
    headers = auth(people["operator"])

    def fields(**change: Any) -> list[str]:
        return _fields(client.post("/api/v1/incidents", json=BODY | change, headers=headers))

    assert fields(occurred_at="2026-11-28T07:40:00") == ["body.occurred_at"]
    assert fields(country="XX") == ["body.country"]
    assert fields(place="") == ["body.place"]
    assert fields(requests=[{"country": "DE", "text": "a"}, {"country": "ZZ", "text": "b"}]) == [
        "body.requests.1.country"
    ]
    assert fields(team=[{"name": "A"}]) == ["body.team.0.role"]
    assert client.post("/api/v1/incidents", json=BODY,
                       headers=auth(people["de"])).status_code == 403  # fmt: skip
    assert client.get("/api/v1/incidents", headers=headers).json()["total"] == 0


def test_lifecycle_and_requests_widen_who_sees_it(
    client: TestClient, people: Who, auth: Auth, session: Session
) -> None:
    operator = auth(people["operator"])
    body = BODY | {"team": [], "requests": []}
    incident = made(client.post("/api/v1/incidents", json=body, headers=operator))
    path = f"/api/v1/incidents/{incident['id']}"
    assert client.post(f"{path}/deploy", headers=operator).status_code == 409  # no team yet
    made(client.post(f"{path}/team", json={"name": "K. Brandt", "role": "liaison"},
                     headers=operator))  # fmt: skip
    deployed = made(client.post(f"{path}/deploy", headers=operator), 200)
    assert deployed["status"] == "deployed" and deployed["steps"] == ["close"]
    assert client.post(f"{path}/deploy", headers=operator).status_code == 409
    assert client.get(path, headers=auth(people["it"])).status_code == 404
    made(client.post(f"{path}/requests", json={"country": "it", "text": "Check Milan."},
                     headers=operator))  # fmt: skip
    assert client.get(path, headers=auth(people["it"])).status_code == 200
    listed = client.get("/api/v1/incidents", params={"country": "IT"}, headers=operator).json()
    assert [i["id"] for i in listed["items"]] == [incident["id"]]
    changed = made(client.patch(path, json={"place": "Lyon, platform K"}, headers=operator), 200)
    assert changed["place"] == "Lyon, platform K"
    assert _fields(client.patch(path, json={"title": None}, headers=operator)) == ["body.title"]
    made(client.post(f"{path}/notes", json={"text": "Suspect detained"}, headers=operator))
    closed = made(client.post(f"{path}/close", headers=operator), 200)
    assert closed["status"] == "closed" and closed["closed_at"]
    request = closed["requests"][0]
    late = client.put(f"{path}/requests/{request['id']}/answer", json={"answer": "Nothing"},
                      headers=auth(people["it"]))  # fmt: skip
    assert late.status_code == 409
    assert client.post(f"{path}/close", headers=operator).status_code == 409
    texts = [entry["text"] for entry in closed["timeline"]]
    assert texts == [
        "incident opened: Bomb threat at Lyon Part-Dieu, Lyon Part-Dieu station",
        "K. Brandt (liaison) joins the team", "incident deployed",
        "request to IT: Check Milan.", "changed place", "Suspect detained", "incident closed",
    ]  # fmt: skip
    topics = session.scalars(
        select(Event.topic).where(Event.object_id == incident["id"]).order_by(Event.id)
    ).all()
    assert topics[-1] == "incident.closed" and "incident.request_sent" in topics
