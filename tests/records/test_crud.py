"""Create, read, update, delete, list and history for every record kind, with the
permission suite applied to each: owner, allowed country, excluded country, secretariat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.members.models import User
from interlink.records.kinds import KINDS
from tests.records.examples import CHANGE, VALID, WRONG

Auth = Callable[[User], dict[str, str]]
KIND_LIST = list(KINDS)


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "owner": make_user(Role.OFFICER, "FR"),
        "owner_supervisor": make_user(Role.SUPERVISOR, "FR"),
        "allowed": make_user(Role.OFFICER, "DE"),
        "excluded": make_user(Role.OFFICER, "IT"),
        "reviewer": make_user(Role.REVIEWER, "SEC"),
        "auditor": make_user(Role.AUDITOR, "SEC"),
    }


def _create(client: TestClient, kind: str, who: User, auth: Auth, **extra: Any) -> dict[str, Any]:
    body = {**VALID[kind], "visibility": {"mode": "only", "countries": ["DE"]}, **extra}
    response = client.post(f"/api/v1/records/{kind}", json=body, headers=auth(who))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("kind", KIND_LIST)
def test_lifecycle_and_permissions(
    client: TestClient, kind: str, people: dict[str, User], auth: Auth
) -> None:
    created = _create(client, kind, people["owner"], auth)
    path = f"/api/v1/records/{kind}/{created['id']}"
    assert created["owner"] == "FR" and created["version"] == 1
    assert created["visibility"] == {"mode": "only", "countries": ["DE"], "group": None}

    # Read: owner, listed country, secretariat yes; others 404 (not 403).
    for who in ("owner", "owner_supervisor", "allowed", "reviewer"):
        assert client.get(path, headers=auth(people[who])).status_code == 200, who
    assert client.get(path, headers=auth(people["excluded"])).status_code == 404
    assert client.get(path, headers=auth(people["auditor"])).status_code == 403
    assert client.get(path).status_code == 401

    # Lists show it to the same people only.
    for who, seen in [("owner", True), ("allowed", True), ("excluded", False), ("reviewer", True)]:
        listed = client.get(f"/api/v1/records/{kind}", headers=auth(people[who])).json()
        assert (created["id"] in {item["id"] for item in listed["items"]}) is seen, who

    # Update: owner bureau and secretariat; a reader elsewhere gets 404, not a hint.
    denied = client.patch(path, json=CHANGE[kind], headers=auth(people["allowed"]))
    assert denied.status_code == 404
    updated = client.patch(path, json=CHANGE[kind], headers=auth(people["owner_supervisor"]))
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    for field, value in CHANGE[kind].items():
        assert updated.json()[field] == value
    by_secretariat = client.patch(
        path, json={"visibility": {"mode": "all_members"}}, headers=auth(people["reviewer"])
    )
    assert by_secretariat.status_code == 200 and by_secretariat.json()["version"] == 3
    assert client.get(path, headers=auth(people["excluded"])).status_code == 200

    history = client.get(f"{path}/history", headers=auth(people["owner"])).json()
    assert [v["version"] for v in history] == [1, 2, 3]
    assert history[0]["visibility"]["mode"] == "only" and history[-1]["current"] is True

    # Delete: soft, with a reason; gone from reads and lists, history kept.
    assert client.delete(path, headers=auth(people["owner"])).status_code == 422
    assert (
        client.delete(path, params={"reason": "x"}, headers=auth(people["excluded"])).status_code
        == 422
    )
    gone = client.delete(
        path, params={"reason": "recovered by owner"}, headers=auth(people["excluded"])
    )
    assert gone.status_code == 404
    assert (
        client.delete(
            path, params={"reason": "recovered by owner"}, headers=auth(people["owner"])
        ).status_code
        == 204
    )
    assert client.get(path, headers=auth(people["owner"])).status_code == 404
    listed = client.get(f"/api/v1/records/{kind}", headers=auth(people["owner"])).json()
    assert created["id"] not in {item["id"] for item in listed["items"]}
    history = client.get(f"{path}/history", headers=auth(people["owner"])).json()
    assert history[-1]["deleted"] is True


@pytest.mark.parametrize("kind", KIND_LIST)
def test_bad_bodies_name_the_field_and_write_nothing(
    client: TestClient, kind: str, people: dict[str, User], auth: Auth
) -> None:
    body, field = WRONG[kind]
    response = client.post(f"/api/v1/records/{kind}", json=body, headers=auth(people["owner"]))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    listed = client.get(f"/api/v1/records/{kind}", headers=auth(people["owner"])).json()
    assert listed["total"] == 0


@pytest.mark.parametrize(
    ("visibility", "field"),
    [
        ({"mode": "only", "countries": ["GI"]}, "body.visibility.countries"),
        ({"mode": "public"}, "body.visibility.mode"),
        (
            {"mode": "group", "group": "00000000-0000-0000-0000-000000000000"},
            "body.visibility.group",
        ),
        ({"mode": "only"}, "body.visibility"),
    ],
)
def test_bad_visibility_is_refused(
    client: TestClient, people: dict[str, User], auth: Auth, visibility: dict[str, Any], field: str
) -> None:
    body = {**VALID["vehicles"], "visibility": visibility}
    response = client.post("/api/v1/records/vehicles", json=body, headers=auth(people["owner"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_patch_is_validated_as_a_whole(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    created = _create(client, "vehicles", people["owner"], auth)
    path = f"/api/v1/records/vehicles/{created['id']}"
    response = client.patch(path, json={"vin": None, "plate": None}, headers=auth(people["owner"]))
    assert response.status_code == 422
    assert "vin or a plate" in response.json()["detail"]
    unknown = client.patch(path, json={"wheels": 4}, headers=auth(people["owner"]))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "body.wheels"
    assert client.get(path, headers=auth(people["owner"])).json()["version"] == 1


def test_dates_are_written_in_ascii_digits(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    # Digits of other scripts would be stored as typed and break every export (STIX).
    for written in ("\u0661\u0669\u0667\u0661", "\uff11\uff19\uff17\uff11-03"):
        body = {**VALID["persons"], "date_of_birth": written}
        refused = client.post("/api/v1/records/persons", json=body, headers=auth(people["owner"]))
        assert refused.status_code == 422, written
        assert refused.json()["errors"][0]["field"] == "body.date_of_birth"


def test_unknown_kind_and_id(client: TestClient, people: dict[str, User], auth: Auth) -> None:
    assert (
        client.get("/api/v1/records/spaceships", headers=auth(people["owner"])).status_code == 404
    )
    bad_id = client.get("/api/v1/records/vehicles/not-a-uuid", headers=auth(people["owner"]))
    assert bad_id.status_code == 422 and bad_id.json()["errors"][0]["field"] == "path.record_id"


def test_search_filters_and_pagination(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    owner = people["owner"]
    for number in ("X1000001", "X1000002", "X1000003"):
        body = {
            **VALID["travel-documents"],
            "number": number,
            "visibility": {"mode": "all_members"},
        }
        assert (
            client.post(
                "/api/v1/records/travel-documents", json=body, headers=auth(owner)
            ).status_code
            == 201
        )
    german = {**VALID["travel-documents"], "number": "D7000001", "issuing_country": "DE"}
    client.post("/api/v1/records/travel-documents", json=german, headers=auth(people["allowed"]))
    url = "/api/v1/records/travel-documents"
    page = client.get(url, params={"limit": 2}, headers=auth(people["allowed"])).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    second = client.get(
        url, params={"limit": 2, "offset": 2}, headers=auth(people["allowed"])
    ).json()
    assert not {i["id"] for i in page["items"]} & {i["id"] for i in second["items"]}
    mine = client.get(url, params={"owner": "de"}, headers=auth(people["allowed"])).json()
    assert [i["number"] for i in mine["items"]] == ["D7000001"]
    found = client.get(url, params={"q": "x1000002"}, headers=auth(people["excluded"])).json()
    assert [i["number"] for i in found["items"]] == ["X1000002"]
    # O/0 and I/1 look-alikes meet in identifier lookups.
    lookalike = client.get(
        url, params={"key": "xI OOO OO3"}, headers=auth(people["excluded"])
    ).json()
    assert [i["number"] for i in lookalike["items"]] == ["X1000003"]
    bad_owner = client.get(url, params={"owner": "ZZ"}, headers=auth(owner))
    assert bad_owner.status_code == 422 and bad_owner.json()["errors"][0]["field"] == "owner"


def test_derived_fields_and_warnings(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    doc = _create(client, "travel-documents", people["owner"], auth, number="AB1O2345")
    assert doc["derived"] == {
        "number_normalised": "AB1O2345",
        "number_key": "AB102345",
        "look_alike_characters": True,
    }
    assert doc["warnings"] and "O, Q or I" in doc["warnings"][0]
    car = _create(client, "vehicles", people["owner"], auth, vin="1M8GDM9A1KP042788")
    assert car["warnings"] == ["VIN check digit is '1', expected 'X'"]  # warned, not refused
    good = _create(client, "vehicles", people["owner"], auth, vin="1M8GDM9AXKP042788", plate=None)
    assert good["warnings"] == []
    indicator = _create(client, "indicators", people["owner"], auth)
    assert indicator["value"] == "phish-bank.example.com"
    asset = _create(client, "assets", people["owner"], auth)
    assert asset["iban"] == "GB82WEST12345698765432"


def test_person_reads_are_audited(
    client: TestClient, people: dict[str, User], auth: Auth, session: Session
) -> None:
    created = _create(client, "persons", people["owner"], auth)
    client.get(f"/api/v1/records/persons/{created['id']}", headers=auth(people["allowed"]))
    reads = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "record.read", AuditEntry.object_id == created["id"]
        )
    ).all()
    assert [(r.actor, r.bureau) for r in reads] == [(people["allowed"].username, "DE")]


def test_duplicate_source_id_conflicts(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    _create(client, "firearms", people["owner"], auth, source_id="FR-ARMS-1")
    body = {**VALID["firearms"], "source_id": "FR-ARMS-1"}
    again = client.post("/api/v1/records/firearms", json=body, headers=auth(people["owner"]))
    assert again.status_code == 409
    # Another bureau may use the same source id for its own record.
    other = client.post("/api/v1/records/firearms", json=body, headers=auth(people["allowed"]))
    assert other.status_code == 201
