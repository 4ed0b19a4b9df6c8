"""POST /api/v1/screen: every query kind, the access policy, explanations, audit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.members.models import User
from tests.records.examples import VALID

Auth = Callable[[User], dict[str, str]]
TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {cc: make_user(Role.OFFICER, cc) for cc in ("FR", "DE", "IT")}


def _record(client: TestClient, kind: str, who: User, auth: Auth, body: dict[str, Any]) -> str:
    visibility = {"mode": "only", "countries": ["DE"]}
    response = client.post(
        f"/api/v1/records/{kind}", json={"visibility": visibility, **body}, headers=auth(who)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _screen(client: TestClient, who: User, auth: Auth, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/screen", json=body, headers=auth(who))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_person_found_across_spellings_only_by_those_allowed(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    record_id = _record(
        client, "persons", people["FR"], auth, VALID["persons"] | {"date_of_birth": "1971-03-09"}
    )
    query = {
        "person": {"name": "Jean Pierre Dupond", "date_of_birth": "1971-03-09", "nationality": "FR"}
    }
    seen = _screen(client, people["DE"], auth, query)
    assert seen["hit"] is True
    match = seen["matches"][0]
    assert match["record_id"] == record_id and match["owner"] == "FR" and match["kind"] == "persons"
    assert match["score"] >= 0.8
    assert "name" in match["explanation"] and match["explanation"]["date_of_birth"]["score"] == 1.0
    # Italy may not see the record: no trace of it.
    assert _screen(client, people["IT"], auth, query) == {"hit": False, "matches": []}
    # Same name, another birthday: not a hit.
    other = _screen(
        client,
        people["DE"],
        auth,
        {"person": {"name": "Jean-Pierre Dupont", "date_of_birth": "1988-11-30"}},
    )
    assert other["hit"] is False


def test_cross_script_queries(client: TestClient, people: dict[str, User], auth: Auth) -> None:
    _record(
        client,
        "persons",
        people["FR"],
        auth,
        {
            "given_name": "Yuri",
            "family_name": "Gagarin",
            "original_script_name": "Юрий Гагарин",
            "date_of_birth": "1934-03-09",
        },
    )
    for name in ("Юрий Гагарин", "Iurii Gagarin", "GAGARIN Yuriy"):
        result = _screen(
            client, people["DE"], auth, {"person": {"name": name, "date_of_birth": "1934-03-09"}}
        )
        assert result["hit"] is True, (name, result)


def test_documents_by_number_and_mrz(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    doc = _record(
        client,
        "travel-documents",
        people["FR"],
        auth,
        VALID["travel-documents"] | {"number": "AB1O2345"},
    )
    found = _screen(
        client, people["DE"], auth, {"document": {"number": "ab 102345", "issuing_country": "FR"}}
    )
    assert found["hit"] and found["matches"][0]["record_id"] == doc
    assert "look-alikes" in found["matches"][0]["explanation"]["number"]["detail"]
    elsewhere = _screen(
        client, people["DE"], auth, {"document": {"number": "AB102345", "issuing_country": "ES"}}
    )
    assert elsewhere["hit"] is False
    specimen = _record(
        client,
        "travel-documents",
        people["FR"],
        auth,
        VALID["travel-documents"] | {"number": "L898902C3"},
    )
    by_mrz = _screen(client, people["DE"], auth, {"mrz": TD3})
    assert by_mrz["hit"] and by_mrz["matches"][0]["record_id"] == specimen


def test_bad_mrz_check_digit_is_named(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    broken = TD3.replace("7408122F", "7408123F")
    response = client.post("/api/v1/screen", json={"mrz": broken}, headers=auth(people["DE"]))
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "mrz"
    assert "date_of_birth" in body["detail"]


def test_vehicles_firearms_artworks(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    car = _record(client, "vehicles", people["FR"], auth, VALID["vehicles"])
    gun = _record(client, "firearms", people["FR"], auth, VALID["firearms"])
    art = _record(client, "artworks", people["FR"], auth, VALID["artworks"])
    assert (
        _screen(client, people["DE"], auth, {"vehicle": {"vin": "1m8gdm9axkp042788"}})["matches"][
            0
        ]["record_id"]
        == car
    )
    plate = _screen(
        client, people["DE"], auth, {"vehicle": {"plate": "AB 123 CD", "country": "FR"}}
    )
    assert plate["hit"] and plate["matches"][0]["record_id"] == car
    assert (
        _screen(client, people["DE"], auth, {"firearm": {"serial": "abc 1234", "make": "Glock"}})[
            "matches"
        ][0]["record_id"]
        == gun
    )
    found = _screen(
        client,
        people["DE"],
        auth,
        {"artwork": {"description": "Klimt portrait of a lady, painting"}},
    )
    assert found["matches"] and found["matches"][0]["record_id"] == art


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"person": {"name": "X"}, "document": {"number": "1"}},
        {"person": {"sex": "M"}},
        {"vehicle": {}},
    ],
)
def test_exactly_one_valid_query(
    client: TestClient, people: dict[str, User], auth: Auth, body: dict[str, Any]
) -> None:
    response = client.post("/api/v1/screen", json=body, headers=auth(people["DE"]))
    assert response.status_code == 422
    assert response.json()["errors"]


def test_screenings_are_audited_and_clients_may_screen(
    client: TestClient,
    people: dict[str, User],
    auth: Auth,
    make_user: Callable[..., User],
    session: Session,
) -> None:
    _record(client, "travel-documents", people["FR"], auth, VALID["travel-documents"])
    supervisor = make_user(Role.SUPERVISOR, "DE")
    key = client.post(
        "/api/v1/api-clients", json={"name": "Frankfurt gates"}, headers=auth(supervisor)
    ).json()["api_key"]
    response = client.post(
        "/api/v1/screen", json={"document": {"number": "15AB12345"}}, headers={"X-API-Key": key}
    )
    assert response.status_code == 200 and response.json()["hit"] is True
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "screening.query")).all()[
        -1
    ]
    assert entry.actor == "client:Frankfurt gates" and entry.bureau == "DE"
    assert (
        entry.after["query"] == {"document": {"number": "15AB12345"}} and entry.after["hit"] is True
    )
    auditor = make_user(Role.AUDITOR, "SEC")
    assert (
        client.post(
            "/api/v1/screen", json={"document": {"number": "1"}}, headers=auth(auditor)
        ).status_code
        == 403
    )


def test_index_follows_changes_and_deletions(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    query = {"person": {"name": "Kwame Mensah", "date_of_birth": "1980-01-01"}}
    assert _screen(client, people["DE"], auth, query)["hit"] is False
    record_id = _record(
        client,
        "persons",
        people["FR"],
        auth,
        {"full_name": "Kwame Mensah", "date_of_birth": "1980-01-01"},
    )
    assert _screen(client, people["DE"], auth, query)["hit"] is True
    client.patch(
        f"/api/v1/records/persons/{record_id}",
        json={"visibility": {"mode": "owner_only"}},
        headers=auth(people["FR"]),
    )
    assert _screen(client, people["DE"], auth, query)["matches"] == []
    client.delete(
        f"/api/v1/records/persons/{record_id}",
        params={"reason": "error"},
        headers=auth(people["FR"]),
    )
    assert _screen(client, people["FR"], auth, query)["matches"] == []


def test_streaming_answers_a_line_per_line(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    _record(client, "travel-documents", people["FR"], auth, VALID["travel-documents"])
    lines = [
        json.dumps({"document": {"number": "15AB12345"}}),
        "",
        "{not json",
        json.dumps({"person": {"sex": "M"}}),
        json.dumps({"mrz": TD3.replace("7408122F", "7408123F")}),
        json.dumps({"document": {"number": "00000000"}}),
    ]
    response = client.post(
        "/api/v1/screen/stream", content="\n".join(lines).encode(), headers=auth(people["DE"])
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    answers = [json.loads(line) for line in response.text.splitlines()]
    assert len(answers) == 5  # the blank line is skipped
    assert answers[0]["hit"] is True
    assert answers[1]["line"] == 3 and answers[1]["error"]["status"] == 422
    assert answers[2]["line"] == 4 and answers[2]["error"]["errors"][0]["field"] == "person"
    assert answers[3]["line"] == 5 and "date_of_birth" in answers[3]["error"]["detail"]
    assert answers[4] == {"hit": False, "matches": []}
    assert client.post("/api/v1/screen/stream", content=b"{}").status_code == 401


def test_invisible_namesakes_do_not_crowd_out_a_visible_record(
    client: TestClient, people: dict[str, User], auth: Auth, session: Session
) -> None:
    from interlink.access import Visibility, VisibilityMode
    from interlink.interop.base import ParsedItem
    from interlink.records.importer import import_items
    from tests.conftest import bureau

    namesake = {"given_name": "Maria", "family_name": "Garcia", "date_of_birth": "1980-05-05"}
    hidden = [ParsedItem(n, "persons", f"hidden-{n}", namesake) for n in range(100)]
    import_items(
        session,
        hidden,
        owner=bureau(session, "ES"),
        visibility=Visibility(),
        actor_name="t",
        source="t",
    )
    import_items(
        session,
        [ParsedItem(1, "persons", "shared-1", namesake)],
        owner=bureau(session, "PT"),
        visibility=Visibility(mode=VisibilityMode.ALL_MEMBERS),
        actor_name="t",
        source="t",
    )
    result = _screen(
        client,
        people["DE"],
        auth,
        {"person": {"name": "Maria Garcia", "date_of_birth": "1980-05-05"}},
    )
    assert result["hit"] is True
    assert [m["source_id"] for m in result["matches"]] == ["shared-1"]


def test_owner_can_limit_border_systems_to_whom_to_contact(
    client: TestClient, people: dict[str, User], auth: Auth, make_user: Callable[..., User]
) -> None:
    body = VALID["travel-documents"] | {"screening_details": "contact_only"}
    record_id = _record(
        client, "travel-documents", people["FR"], auth, body | {"source_id": "FR-7"}
    )
    supervisor = make_user(Role.SUPERVISOR, "DE")
    key = client.post(
        "/api/v1/api-clients", json={"name": "Hamburg port"}, headers=auth(supervisor)
    ).json()["api_key"]
    query = {"document": {"number": "15AB12345"}}
    border = client.post("/api/v1/screen", json=query, headers={"X-API-Key": key}).json()
    assert border["hit"] is True
    assert border["matches"][0] == {
        "record_id": record_id,
        "source_id": None,
        "kind": "travel-documents",
        "owner": "FR",
        "score": 1.0,
        "explanation": {"contact": "National Central Bureau FR", "details": "withheld"},
    }
    officer = _screen(client, people["DE"], auth, query)["matches"][0]
    assert officer["source_id"] == "FR-7" and "number" in officer["explanation"]
    # The owner may change the setting like any other field; the change is a new version.
    path = f"/api/v1/records/travel-documents/{record_id}"
    changed = client.patch(path, json={"screening_details": "full"}, headers=auth(people["FR"]))
    assert changed.status_code == 200 and changed.json()["version"] == 2
    again = client.post("/api/v1/screen", json=query, headers={"X-API-Key": key}).json()
    assert again["matches"][0]["source_id"] == "FR-7"
    bad = client.patch(path, json={"screening_details": "secret"}, headers=auth(people["FR"]))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.screening_details"


def test_document_query_finds_a_person_recorded_after_the_index_was_built(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    query = {"document": {"number": "15AB12345"}}
    assert _screen(client, people["DE"], auth, query)["matches"] == []  # builds the index
    person = _record(client, "persons", people["FR"], auth, VALID["persons"])
    found = _screen(client, people["DE"], auth, query)
    assert [m["record_id"] for m in found["matches"]] == [person]
    assert "identical" in found["matches"][0]["explanation"]["document"]["detail"]


def test_identifiers_that_compact_to_nothing_match_nothing(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    _record(
        client, "travel-documents", people["FR"], auth, VALID["travel-documents"] | {"number": "-"}
    )
    found = _screen(client, people["DE"], auth, {"document": {"number": "./"}})
    assert found == {"hit": False, "matches": []}
    car = VALID["vehicles"] | {"plate": "-"}
    _record(client, "vehicles", people["FR"], auth, car)
    assert _screen(client, people["DE"], auth, {"vehicle": {"plate": "--"}})["matches"] == []
