"""A person's requests about the data held on them: recorded by the secretariat, decided
by each owning bureau, acted on (correction, erasure) and answered from what the owners
allow, every step audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.audit.service import verify_chain
from interlink.core.events import Event
from interlink.members.models import User
from interlink.records.models import Record, RecordVersion
from tests.records.examples import VALID

Auth = Callable[[User], dict[str, str]]
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PERSON = VALID["persons"] | {"date_of_birth": "1971-03-09"}
SUBJECT = {"name": "Jean Pierre Dupond", "date_of_birth": "1971-03-09", "nationality": "FR"}


@pytest.fixture
def people(make_user: Callable[..., User], client: TestClient) -> dict[str, User]:
    client.app.state.clock = lambda: T0  # type: ignore[attr-defined]
    return {
        "reviewer": make_user(Role.REVIEWER, "SEC"),
        "FR": make_user(Role.OFFICER, "FR"),
        "DE": make_user(Role.OFFICER, "DE"),
        "IT": make_user(Role.OFFICER, "IT"),
    }


def _person(client: TestClient, who: User, auth: Auth, body: dict[str, Any]) -> str:
    owner_only = {"visibility": {"mode": "owner_only"}}  # the secretariat still finds it
    response = client.post("/api/v1/records/persons", json=body | owner_only, headers=auth(who))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _receive(
    client: TestClient, people: dict[str, User], auth: Auth, kind: str, **subject: Any
) -> dict[str, Any]:
    body = {"kind": kind, "subject": SUBJECT | subject, "applicant": "the person, by letter"}
    response = client.post("/api/v1/data-requests", json=body, headers=auth(people["reviewer"]))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _finding(request: dict[str, Any], owner: str) -> dict[str, Any]:
    (found,) = [f for f in request["findings"] if f["owner"] == owner]
    return dict(found)


def _decide(
    client: TestClient, request: dict[str, Any], owner: User, auth: Auth, finding: str, what: str
) -> Any:
    url = f"/api/v1/data-requests/{request['id']}/findings/{finding}/decision"
    return client.put(url, json={"decision": what, "reason": "assessed"}, headers=auth(owner))


def test_a_deletion_request_from_receipt_to_answer(
    client: TestClient, people: dict[str, User], auth: Auth, session: Session
) -> None:
    french = _person(client, people["FR"], auth, PERSON)
    german = _person(client, people["DE"], auth, PERSON | {"given_name": "Jean Pierre"})
    other = {"family_name": "Rossi", "identity_documents": [], "date_of_birth": "1980-01-01"}
    _person(client, people["IT"], auth, VALID["persons"] | other)
    request = _receive(client, people, auth, "deletion", document_numbers=["15AB12345"])
    assert request["reference"].startswith("DP-2026-") and request["status"] == "consulting"
    assert request["due_on"] == "2027-08-02"  # nine months for a deletion
    assert {f["owner"] for f in request["findings"]} == {"FR", "DE"}
    assert {f["record_id"] for f in request["findings"]} == {french, german}
    # Each owner is told, and sees only its own part.
    told = session.scalars(select(Event).where(Event.topic == "data-request.consult")).one()
    assert told.audience == ",DE,FR,"
    mine = client.get("/api/v1/data-requests/consultations", headers=auth(people["DE"])).json()
    assert [c["record_id"] for c in mine] == [german]
    assert (
        client.get("/api/v1/data-requests/consultations", headers=auth(people["IT"])).json() == []
    )
    fr_finding, de_finding = _finding(request, "FR")["id"], _finding(request, "DE")["id"]
    assert _decide(client, request, people["FR"], auth, de_finding, "disclose").status_code == 404
    # Officers of a bureau do not read the requests themselves.
    url = f"/api/v1/data-requests/{request['id']}"
    assert client.get(url, headers=auth(people["FR"])).status_code == 403

    early = client.post(f"{url}/answer", headers=auth(people["reviewer"]))
    assert early.status_code == 409 and "DE, FR" in early.json()["detail"]
    assert _decide(client, request, people["FR"], auth, fr_finding, "disclose").status_code == 200
    decided = _decide(client, request, people["DE"], auth, de_finding, "withhold")
    assert decided.json() == {"reference": request["reference"], "status": "ready"}
    # A deletion request is answered once each disclosed record is dealt with.
    assert client.post(f"{url}/answer", headers=auth(people["reviewer"])).status_code == 409

    erase = {"action": "erase", "reason": "kept without legal basis"}
    acted = client.post(
        f"{url}/findings/{fr_finding}/action", json=erase, headers=auth(people["reviewer"])
    )
    assert acted.status_code == 200, acted.text
    assert _finding(acted.json(), "FR")["action"] == "erased"
    again = client.post(
        f"{url}/findings/{fr_finding}/action", json=erase, headers=auth(people["reviewer"])
    )
    assert again.status_code == 409
    assert (
        client.get(f"/api/v1/records/persons/{french}", headers=auth(people["FR"])).status_code
        == 404
    )
    session.expire_all()
    erased = session.get(Record, uuid.UUID(french))
    assert erased is not None and erased.data == {} and "Dupont" not in erased.search_text
    assert (
        session.scalars(select(RecordVersion).where(RecordVersion.record_id == erased.id)).all()
        == []
    )

    answered = client.post(f"{url}/answer", headers=auth(people["reviewer"]))
    assert answered.status_code == 200
    text = answered.json()["answer"]
    assert "bureau of FR holds a persons record; it has been erased" in text
    assert "DE" not in text  # withheld by its owner
    assert answered.json()["status"] == "answered"
    assert _decide(client, request, people["DE"], auth, de_finding, "disclose").status_code == 409

    steps = [
        entry.after["step"]
        for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "data_request").order_by(AuditEntry.seq)
        )
    ]
    assert steps == ["receive", "decide", "decide", "act", "answer"]
    assert verify_chain(session).ok


def test_nothing_found_and_all_withheld_read_the_same(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    _person(client, people["FR"], auth, PERSON)
    withheld = _receive(client, people, auth, "access")
    assert withheld["due_on"] == "2027-03-02"  # four months for access
    _decide(client, withheld, people["FR"], auth, _finding(withheld, "FR")["id"], "withhold")
    nobody = _receive(client, people, auth, "access", name="Zebulon Quarterman")
    assert nobody["findings"] == [] and nobody["status"] == "ready"
    answers = [
        client.post(
            f"/api/v1/data-requests/{r['id']}/answer", headers=auth(people["reviewer"])
        ).json()["answer"]
        for r in (withheld, nobody)
    ]
    assert answers[0] == answers[1] == "No data concerning you can be disclosed to you."


def test_a_correction_goes_through_the_records_rules(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    record = _person(client, people["FR"], auth, PERSON)
    request = _receive(client, people, auth, "correction")
    finding = _finding(request, "FR")["id"]
    url = f"/api/v1/data-requests/{request['id']}/findings/{finding}/action"
    headers = auth(people["reviewer"])
    wrong = {"action": "correct", "reason": "wrong birth date", "changes": {"sex": "Q"}}
    refused = client.post(url, json=wrong, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"].startswith("body.changes.sex")
    missing = client.post(url, json={"action": "correct", "reason": "x" * 5}, headers=headers)
    assert missing.status_code == 422 and "changes" in missing.text
    fix = {
        "action": "correct",
        "reason": "wrong birth date",
        "changes": {"date_of_birth": "1971-03-19"},
    }
    assert client.post(url, json=fix, headers=headers).status_code == 200
    shown = client.get(f"/api/v1/records/persons/{record}", headers=auth(people["FR"])).json()
    assert shown["date_of_birth"] == "1971-03-19" and shown["version"] == 2


def test_owners_who_do_not_decide_in_time_are_taken_to_withhold(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    _person(client, people["FR"], auth, PERSON)
    request = _receive(client, people, auth, "access")
    client.app.state.clock = lambda: T0 + timedelta(days=31)  # type: ignore[attr-defined]
    answered = client.post(
        f"/api/v1/data-requests/{request['id']}/answer", headers=auth(people["reviewer"])
    )
    assert answered.status_code == 200
    (finding,) = answered.json()["findings"]
    assert finding["decision"] == "withhold"
    assert finding["decision_reason"] == "no decision by the owner in time"


def test_bad_requests_are_refused_by_field(
    client: TestClient, people: dict[str, User], auth: Auth, session: Session
) -> None:
    headers = auth(people["reviewer"])
    body = {"kind": "access", "subject": SUBJECT, "applicant": "lawyer"}
    future = client.post(
        "/api/v1/data-requests", json=body | {"received_on": "2026-12-25"}, headers=headers
    )
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "body.received_on"
    bad_country = body | {"subject": SUBJECT | {"nationality": "XX"}}
    refused = client.post("/api/v1/data-requests", json=bad_country, headers=headers)
    assert refused.status_code == 422 and "nationality" in refused.text
    officer = client.post("/api/v1/data-requests", json=body, headers=auth(people["FR"]))
    assert officer.status_code == 403
    assert (
        session.scalars(select(AuditEntry).where(AuditEntry.action == "data_request")).all() == []
    )
