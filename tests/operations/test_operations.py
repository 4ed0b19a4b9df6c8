"""Operations through the API: planning one (participating countries, targets drawn from
notices and records), its lifecycle, who sees it (the command centre, the countries
taking part, nobody else), what participating bureaus may do (mark their tasks done,
report their results), and the traces every change leaves (timeline, audit, event)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.core.events import Event
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.messaging.stream import audience_clause
from tests.operations.conftest import Auth, made

Who = dict[str, User]


def _errors(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [error["field"] for error in response.json()["errors"]]


def test_an_operation_is_planned_with_countries_and_targets(
    client: TestClient, people: Who, auth: Auth, targets: dict[str, str],
    operation: dict[str, Any], session: Session,
) -> None:  # fmt: skip
    assert re.fullmatch(r"OP-2026-\d{4}", operation["reference"])
    assert operation["status"] == "planned" and operation["countries"] == ["DE", "FR"]
    assert operation["steps"] == ["activate", "close"] and operation["may_manage"] is True
    notice, vehicle = operation["targets"]
    assert notice["notice_id"] == targets["notice"] and notice["href"].startswith("/notices/")
    assert notice["note"] == "ring leader" and notice["kind"] == "blue notice"
    assert vehicle["href"] == f"/records/vehicles/{targets['vehicle']}"
    headers = auth(people["operator"])
    by_reference = made(
        client.get(f"/api/v1/operations/{operation['reference']}", headers=headers), 200
    )
    assert by_reference["id"] == operation["id"]
    assert operation["timeline"][0]["text"] == "operation Operation Lionfish planned"
    entry, read = session.scalars(
        select(AuditEntry).where(AuditEntry.object_id == operation["id"]).order_by(AuditEntry.seq)
    ).all()
    assert read.action == "operation.read" and read.actor == people["operator"].username
    assert entry.action == "operation" and entry.after["what"] == "created"
    assert entry.bureau == "SEC" and sorted(entry.after["target_ids"]) == sorted(
        [targets["notice"], targets["vehicle"]]
    )
    event = session.scalars(select(Event).where(Event.object_id == operation["id"])).one()
    assert (event.topic, event.owner, event.audience) == ("operation.created", "SEC", ",CCC,DE,FR,")
    assert (
        "target_ids" not in event.payload and event.payload["reference"] == operation["reference"]
    )


def test_bad_input_is_refused_naming_the_field(
    client: TestClient, people: Who, auth: Auth, targets: dict[str, str]
) -> None:
    headers = auth(people["operator"])
    good = {"name": "Op", "objective": "Catch them", "countries": ["FR"]}

    def fields(**change: Any) -> list[str]:
        return _errors(client.post("/api/v1/operations", json=good | change, headers=headers))

    assert fields(name="  ") == ["body.name"]
    assert fields(countries=["FR", "XX"]) == ["body.countries.1"]
    assert fields(countries=["SEC"]) == ["body.countries.0"]
    assert fields(start_date="2026-12-10", end_date="2026-12-01") == ["body.end_date"]
    assert fields(targets=[{}]) == ["body.targets.0"]
    assert fields(targets=[{"notice_id": targets["notice"], "record_id": targets["vehicle"]}]) == [
        "body.targets.0"
    ]
    ghost = "00000000-0000-0000-0000-000000000009"
    assert fields(targets=[{"record_id": targets["vehicle"]}, {"notice_id": ghost}]) == [
        "body.targets.1.notice_id"
    ]
    assert fields(targets=[{"record_id": ghost}]) == ["body.targets.0.record_id"]
    assert fields(colour="red") == ["body.colour"]
    assert (
        client.get("/api/v1/operations", headers=headers).json()["total"] == 0
    )  # no partial write


def test_a_deleted_record_is_no_target(
    client: TestClient, people: Who, auth: Auth, targets: dict[str, str]
) -> None:
    gone = client.delete(f"/api/v1/records/vehicles/{targets['vehicle']}",
                         params={"reason": "recovered"}, headers=auth(people["fr"]))  # fmt: skip
    assert gone.status_code == 204, gone.text
    body = {"name": "Op", "objective": "x", "targets": [{"record_id": targets["vehicle"]}]}
    response = client.post("/api/v1/operations", json=body, headers=auth(people["operator"]))
    assert _errors(response) == ["body.targets.0.record_id"]
    assert response.json()["detail"].endswith("that you may see")


def test_lifecycle_takes_legal_steps_only(
    client: TestClient, people: Who, auth: Auth, operation: dict[str, Any]
) -> None:
    headers = auth(people["operator"])
    path = f"/api/v1/operations/{operation['id']}"
    assert client.post(f"{path}/close", headers=auth(people["fr"])).status_code == 403
    active = made(client.post(f"{path}/activate", headers=headers), 200)
    assert active["status"] == "active" and active["activated_at"].startswith("2026-11-28T09:00")
    assert active["steps"] == ["close"]
    assert client.post(f"{path}/activate", headers=headers).status_code == 409
    assert _errors(client.post(f"{path}/suspend", headers=headers)) == ["path.step"]
    closed = made(client.post(f"{path}/close", headers=headers), 200)
    assert closed["status"] == "closed" and closed["steps"] == []
    for step in ("activate", "close"):
        assert client.post(f"{path}/{step}", headers=headers).status_code == 409
    assert client.patch(path, json={"name": "Renamed"}, headers=headers).status_code == 409
    task = {"title": "Raid", "country": "FR"}
    assert client.post(f"{path}/tasks", json=task, headers=headers).status_code == 409
    topics = [entry["text"] for entry in closed["timeline"]]
    assert topics[-2:] == ["operation activated", "operation closed"]


def test_who_sees_an_operation(
    client: TestClient, people: Who, auth: Auth, targets: dict[str, str],
    operation: dict[str, Any], session: Session,
) -> None:  # fmt: skip
    path = f"/api/v1/operations/{operation['id']}"
    for who in ("fr", "fr_supervisor", "de"):
        seen = made(client.get(path, headers=auth(people[who])), 200)
        assert seen["may_manage"] is False and seen["steps"] == []
        listed = client.get("/api/v1/operations", headers=auth(people[who])).json()
        assert [item["id"] for item in listed["items"]] == [operation["id"]]
    # France sees its own draft notice among the targets; Germany may not, and is not told.
    french = client.get(path, headers=auth(people["fr"])).json()["targets"]
    german = client.get(path, headers=auth(people["de"])).json()
    assert len(french) == 2 and [t["record_id"] for t in german["targets"]] == [targets["vehicle"]]
    assert targets["notice"] not in str(german)
    for who in ("it", "analyst"):
        assert client.get(path, headers=auth(people[who])).status_code == 404
        by_ref = f"/api/v1/operations/{operation['reference']}"
        assert client.get(by_ref, headers=auth(people[who])).status_code == 404
        assert client.get("/api/v1/operations", headers=auth(people[who])).json()["total"] == 0
    assert client.get(path, headers=auth(people["auditor"])).status_code == 403
    # Participants read; they do not run the operation.
    de = auth(people["de"])
    assert client.patch(path, json={"name": "Mine"}, headers=de).status_code == 403
    assert client.post(f"{path}/tasks", json={"title": "x", "country": "DE"},
                       headers=de).status_code == 403  # fmt: skip
    assert client.post(f"{path}/notes", json={"text": "x"}, headers=de).status_code == 403
    # Each opening is on the audit trail (targets name people); refusals open nothing.
    readers = session.scalars(
        select(AuditEntry.actor).where(
            AuditEntry.action == "operation.read", AuditEntry.object_id == operation["id"]
        )
    ).all()
    assert sorted(set(readers)) == sorted(people[w].username for w in ("fr", "fr_supervisor", "de"))


def test_participants_mark_their_tasks_and_report_their_results(
    client: TestClient, people: Who, auth: Auth, targets: dict[str, str],
    operation: dict[str, Any],
) -> None:  # fmt: skip
    operator, fr, de = auth(people["operator"]), auth(people["fr"]), auth(people["de"])
    path = f"/api/v1/operations/{operation['id']}"
    assert _errors(client.post(f"{path}/tasks", json={"title": "Raid", "country": "IT"},
                               headers=operator)) == ["body.country"]  # fmt: skip
    made(client.post(f"{path}/tasks", json={"title": "Watch the garage", "country": "DE"},
                     headers=operator))  # fmt: skip
    view = made(client.post(f"{path}/tasks", json={"title": "Raid the port", "country": "FR",
                            "due": "2026-12-02"}, headers=operator))  # fmt: skip
    tasks = {task["country"]: task["id"] for task in view["tasks"]}
    done = made(client.patch(f"{path}/tasks/{tasks['FR']}", json={"done": True}, headers=fr), 200)
    mine = next(t for t in done["tasks"] if t["id"] == tasks["FR"])
    assert mine["done"] and mine["done_by"] == people["fr"].username
    assert client.patch(f"{path}/tasks/{tasks['DE']}", json={"done": True},
                        headers=fr).status_code == 403  # fmt: skip
    assert client.patch(f"{path}/tasks/{tasks['FR']}", json={"title": "Other"},
                        headers=fr).status_code == 403  # fmt: skip
    assert client.patch(f"{path}/tasks/{tasks['FR']}", json={"done": True},
                        headers=auth(people["it"])).status_code == 404  # fmt: skip
    # A country still holding tasks cannot leave the operation.
    leave = client.patch(path, json={"countries": ["FR"]}, headers=operator)
    assert _errors(leave) == ["body.countries"] and "DE" in leave.json()["detail"]
    # Results come once the operation is active; a bureau reports its own country's.
    arrest = {"kind": "arrest", "count": 2, "description": "two drivers"}
    assert client.post(f"{path}/results", json=arrest, headers=fr).status_code == 409
    made(client.post(f"{path}/activate", headers=operator), 200)
    view = made(client.post(f"{path}/results", json=arrest, headers=fr))
    assert view["results"][0]["country"] == "FR" and view["results"][0]["bureau"] == "FR"
    assert _errors(client.post(f"{path}/results", json=arrest | {"country": "DE"},
                               headers=fr)) == ["body.country"]  # fmt: skip
    assert _errors(client.post(f"{path}/results", json={"kind": "rescue"},
                               headers=fr)) == ["body.kind"]  # fmt: skip
    assert _errors(client.post(f"{path}/results", json={"kind": "seizure"},
                               headers=operator)) == ["body.country"]  # fmt: skip
    hidden = next(t["id"] for t in view["targets"] if t["notice_id"])
    assert _errors(client.post(f"{path}/results", json={"kind": "located_person",
                               "target_id": hidden}, headers=de)) == ["body.target_id"]  # fmt: skip
    seized = {"kind": "seizure", "country": "DE", "count": 3, "description": "stolen cars",
              "target_id": next(t["id"] for t in view["targets"] if t["record_id"])}  # fmt: skip
    final = made(client.post(f"{path}/results", json=seized, headers=operator))
    assert final["results_summary"] == {
        "by_kind": {"arrest": 2, "seizure": 3, "located_person": 0},
        "by_country": {"DE": 3, "FR": 2},
    }
    # A result is a change on the timeline (its kind is the result's, in the text).
    assert ("change", "seizure: 3 in DE") in [(e["kind"], e["text"]) for e in final["timeline"]]
    seizure = next(r for r in final["results"] if r["kind"] == "seizure")
    assert seizure["target_id"] == seized["target_id"] and seizure["recorded_by"] == (
        people["operator"].username
    )


def test_every_change_is_traced(
    client: TestClient, people: Who, auth: Auth, targets: dict[str, str],
    operation: dict[str, Any], session: Session,
) -> None:  # fmt: skip
    operator = auth(people["operator"])
    path = f"/api/v1/operations/{operation['id']}"
    made(client.patch(path, json={"countries": ["FR", "DE", "IT"], "name": "Lionfish II"},
                      headers=operator), 200)  # fmt: skip
    unchanged = made(client.patch(path, json={"name": "Lionfish II"}, headers=operator), 200)
    note = {"text": "Briefing held in Lyon", "at": "2026-11-27T18:00:00Z"}
    view = made(client.post(f"{path}/notes", json=note, headers=operator))
    person = {"record_id": targets["person"], "note": "the driver"}
    view = made(client.post(f"{path}/targets", json=person, headers=operator))
    assert _errors(client.post(f"{path}/targets", json=person, headers=operator)) == [
        "body.record_id"
    ]
    target = next(t["id"] for t in view["targets"] if t["record_id"] == targets["person"])
    view = made(client.delete(f"{path}/targets/{target}", headers=operator), 200)
    assert len(view["targets"]) == 2 and len(unchanged["timeline"]) == 2
    texts = [(entry["kind"], entry["text"]) for entry in view["timeline"]]
    assert texts[0] == ("note", "Briefing held in Lyon")  # in the order things happened
    assert ("change", "changed name, countries") in texts and ("change", "target added") in texts
    events = session.scalars(
        select(Event).where(Event.object_id == operation["id"]).order_by(Event.id)
    ).all()
    assert [e.topic for e in events] == [
        "operation.created", "operation.updated", "operation.note_added",
        "operation.target_added", "operation.target_removed",
    ]  # fmt: skip
    assert events[1].audience == ",CCC,DE,FR,IT,"
    assert events[1].payload["changes"] == {"countries": ["DE", "FR", "IT"], "name": "Lionfish II"}
    assert targets["person"] not in str([e.payload for e in events])  # Germany may not see it
    audited = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_id == operation["id"], AuditEntry.action == "operation")
        .order_by(AuditEntry.seq)
    ).all()
    assert [a.after["what"] for a in audited] == [
        "created", "updated", "note_added", "target_added", "target_removed"
    ]  # fmt: skip
    assert audited[1].before == {"countries": ["DE", "FR"], "name": "Operation Lionfish"}
    assert audited[3].after["record_id"] == targets["person"]
    italy = client.get(path, headers=auth(people["it"]))
    assert italy.status_code == 200  # a country that joined sees it


def test_lists_filter(
    client: TestClient, people: Who, auth: Auth, operation: dict[str, Any]
) -> None:
    headers = auth(people["operator"])
    other = {"name": "Operation Sandstorm", "objective": "Firearms", "countries": ["ES"]}
    made(client.post("/api/v1/operations", json=other, headers=headers))

    def names(**params: Any) -> list[str]:
        response = client.get("/api/v1/operations", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert sorted(names()) == ["Operation Lionfish", "Operation Sandstorm"]
    assert names(country="es") == ["Operation Sandstorm"]
    assert names(q="lionFISH") == ["Operation Lionfish"]
    assert names(q=operation["reference"]) == ["Operation Lionfish"]
    assert names(status="active") == []
    for params, field in (({"status": "done"}, "query.status"), ({"country": "XX"}, "country")):
        response = client.get("/api/v1/operations", params=params, headers=headers)
        assert _errors(response) == [field]


def test_the_live_stream_tells_only_who_may_see_it(
    client: TestClient, people: Who, auth: Auth, make_user: Any, operation: dict[str, Any],
    session: Session,
) -> None:  # fmt: skip
    """A bureau's analyst may not open the operation: nor does the stream tell them of it."""
    path = f"/api/v1/operations/{operation['id']}/notes"
    made(client.post(path, json={"text": "raid at dawn"}, headers=auth(people["operator"])))
    french_analyst = make_user(Role.ANALYST, "FR")
    assert client.get(f"/api/v1/operations/{operation['id']}",
                      headers=auth(french_analyst)).status_code == 404  # fmt: skip

    def told(user: User) -> list[str]:
        query = select(Event.topic).where(
            Event.object_id == operation["id"], audience_clause(actor_for_user(user))
        )
        return list(session.scalars(query))

    assert told(french_analyst) == []
    assert told(people["it"]) == []  # not taking part
    assert told(people["fr"]) == ["operation.created", "operation.note_added"]
    assert told(people["operator"]) == ["operation.created", "operation.note_added"]


def test_a_time_past_the_calendars_edge_is_refused(
    client: TestClient, people: Who, auth: Auth, operation: dict[str, Any]
) -> None:
    note = {"text": "x", "at": "0001-01-01T00:00:00+05:00"}  # before year 1 in UTC
    path = f"/api/v1/operations/{operation['id']}/notes"
    assert _errors(client.post(path, json=note, headers=auth(people["operator"]))) == ["body.at"]
