"""Requesting notices: every type's required data, the Red notice criteria on both sides
of each threshold, subjects that must be records the requester may read, neutrality and
rule flags, and the whole life of each type through the API."""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.members.models import User
from interlink.notices.models import Notice
from tests.notices.conftest import Auth, Flow, make_record

TYPES = ["red", "blue", "green", "yellow", "black", "orange", "purple", "silver", "un"]


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Notice)) or 0


@pytest.mark.parametrize("notice_type", TYPES)
def test_each_type_lives_its_whole_life(
    flow: Flow,
    valid: dict[str, dict[str, Any]],
    notice_type: str,
    people: dict[str, User],
    client: TestClient,
    auth: Auth,
) -> None:
    created = flow.create(notice_type, valid[notice_type])
    assert created.status_code == 201, created.text
    notice = created.json()
    assert notice["status"] == "draft" and notice["owner"] == "FR"
    assert re.fullmatch(r"\d{4}/\d{5}", notice["reference"])
    assert notice["subjects"] or notice_type in ("orange", "purple")
    notice = flow.must(notice, "submit", "officer")
    notice = flow.must(notice, "approve", "supervisor")
    assert notice["status"] == "under_review"
    notice = flow.must(notice, "publish", "reviewer", resolutions=flow.clearing(notice))
    assert notice["status"] == "published" and notice["published_at"]
    assert notice["review_due_at"] > notice["published_at"]
    path = f"/api/v1/notices/{notice['id']}"
    assert client.get(path, headers=auth(people["it"])).status_code == 200

    revised_data = copy.deepcopy(valid[notice_type])
    revised_data["summary"] += " New facts were established in November."
    notice = flow.must(notice, "revise", "officer", data=revised_data)
    assert notice["status"] == "revised" and notice["pending"]["data"]["summary"].endswith(
        "November."
    )
    assert notice["version"] == 1 and not notice["data"]["summary"].endswith("November.")
    notice = flow.must(notice, "publish", "reviewer", resolutions=flow.clearing(notice))
    assert notice["version"] == 2 and notice["data"]["summary"].endswith("November.")
    history = client.get(f"{path}/history", headers=auth(people["officer"])).json()
    assert [v["version"] for v in history["versions"]] == [1]
    assert [t["action"] for t in history["transitions"]] == [
        "create", "submit", "approve", "publish", "revise", "publish"
    ]  # fmt: skip

    notice = flow.must(notice, "cancel", "officer", cancel_reason="located", reason="found")
    assert notice["status"] == "cancelled" and notice["cancel_reason"] == "located"
    assert client.get(path, headers=auth(people["it"])).status_code == 404


# (type, change to the valid data, field the 422 names)
MISSING = [
    ("red", {"warrant": None}, "body.data.warrant"),
    ("red", {"charges": []}, "body.data.charges"),
    ("red", {"purpose": "revenge"}, "body.data.purpose"),
    ("blue", {"information_sought": None}, "body.data.information_sought"),
    ("green", {"threat": None}, "body.data.threat"),
    ("yellow", {"missing_place": None}, "body.data.missing_place"),
    ("black", {"found_country": None}, "body.data.found_country"),
    ("black", {"body": None}, "body.data.body"),
    ("orange", {"threat_kind": "person"}, "body.data"),
    ("purple", {"concealment_methods": []}, "body.data"),
    ("silver", {"assets": []}, "body.data.assets"),
    ("silver", {"criminal_link": None}, "body.data.criminal_link"),
    ("un", {"measures": []}, "body.data.measures"),
    ("un", {"subject_type": "entity"}, "body.data"),
    ("un", {"sanctions_committee": None}, "body.data.sanctions_committee"),
]


@pytest.mark.parametrize(("notice_type", "change", "field"), MISSING)
def test_each_type_needs_its_data(
    flow: Flow,
    valid: dict[str, dict[str, Any]],
    session: Session,
    notice_type: str,
    change: dict[str, Any],
    field: str,
) -> None:
    data = {**valid[notice_type], **change}
    data = {key: value for key, value in data.items() if value is not None}
    before = _count(session)
    response = flow.create(notice_type, data)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert _count(session) == before


def _red(valid: dict[str, dict[str, Any]], **charge: Any) -> dict[str, Any]:
    data = copy.deepcopy(valid["red"])
    data["charges"] = [{"offence": "Armed robbery", "law": "art. 311-8", **charge}]
    return data


@pytest.mark.parametrize(
    ("purpose", "charge", "accepted", "field"),
    [
        ("prosecution", {"max_penalty_months": 24}, True, None),
        ("prosecution", {"max_penalty_months": 23}, False, "charges.0.max_penalty_months"),
        ("prosecution", {}, False, "charges.0.max_penalty_months"),
        ("sentence", {"sentence_months": 36, "remaining_months": 6}, True, None),
        ("sentence", {"sentence_months": 36, "remaining_months": 5}, False,
         "charges.0.remaining_months"),
        ("sentence", {"max_penalty_months": 120}, False, "charges.0.remaining_months"),
    ],
)  # fmt: skip
def test_red_penalty_thresholds(
    flow: Flow,
    valid: dict[str, dict[str, Any]],
    purpose: str,
    charge: dict[str, Any],
    accepted: bool,
    field: str | None,
) -> None:
    data = {**_red(valid, **charge), "purpose": purpose}
    response = flow.create("red", data)
    if accepted:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == f"body.data.{field}"


def test_below_the_threshold_only_as_an_exception_the_reviewer_decides(
    flow: Flow, valid: dict[str, dict[str, Any]]
) -> None:
    data = _red(valid, max_penalty_months=12)
    data["penalty_exception"] = {"reason": "part of a series of 40 frauds on the elderly"}
    notice = flow.create("red", data).json()
    assert [flag["code"] for flag in notice["flags"]] == ["rules.penalty_exception"]
    notice = flow.must(flow.must(notice, "submit", "officer"), "approve", "supervisor")
    refused = flow.act(notice, "publish", "reviewer")
    assert refused.status_code == 422
    assert "rules.penalty_exception@penalty_exception.reason" in refused.json()["detail"]
    upheld = [{"flag": notice["flags"][0]["id"], "decision": "upheld", "reason": "not serious"}]
    assert flow.act(notice, "publish", "reviewer", resolutions=upheld).status_code == 422
    notice = flow.must(notice, "publish", "reviewer", resolutions=flow.clearing(notice))
    assert notice["status"] == "published"
    assert notice["flags"][0]["resolution"]["decision"] == "cleared"


@pytest.mark.parametrize(
    "category", ["private_dispute", "family_matter", "minor_offence", "administrative_breach",
                 "behavioural_or_cultural"],
)  # fmt: skip
def test_excluded_offences_are_refused_unless_linked_to_serious_crime(
    flow: Flow, valid: dict[str, dict[str, Any]], category: str
) -> None:
    data = _red(valid, max_penalty_months=60, category=category)
    response = flow.create("red", data)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.data.charges.0.category"
    data["charges"][0]["linked_to_serious_crime"] = True
    linked = flow.create("red", data)
    assert linked.status_code == 201, linked.text
    assert "rules.excluded_offence_linked" in [flag["code"] for flag in linked.json()["flags"]]


def test_wording_of_an_excluded_matter_is_flagged(
    flow: Flow, valid: dict[str, dict[str, Any]]
) -> None:
    data = _red(valid, offence="Issuing a bounced cheque", max_penalty_months=60)
    notice = flow.create("red", data).json()
    assert "rules.excluded_offence_suspected" in [flag["code"] for flag in notice["flags"]]


def test_a_red_notice_needs_an_identified_person(
    flow: Flow,
    valid: dict[str, dict[str, Any]],
    client: TestClient,
    people: dict[str, User],
    auth: Auth,
) -> None:
    nameless_date = make_record(client, "persons", people["officer"], auth, date_of_birth=None)
    data = copy.deepcopy(valid["red"])
    data["person"] = {"record_id": nameless_date}
    response = flow.create("red", data)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.data.person"
    data["person"]["date_of_birth"] = "1971-03-09"  # the request may complete the record
    assert flow.create("red", data).status_code == 201
    data["person"] = {"record_id": nameless_date, "fingerprints": True}
    assert flow.create("red", data).status_code == 201


def test_identifiers_come_from_the_record(flow: Flow, valid: dict[str, dict[str, Any]]) -> None:
    notice = flow.create("red", valid["red"]).json()
    person = notice["data"]["person"]
    assert (person["forename"], person["family_name"]) == ("Jean-Pierre", "Dupont")
    assert person["date_of_birth"] == "1971-03" and person["nationalities"] == ["FR"]


def test_subjects_must_be_readable_records_of_the_right_kind(
    flow: Flow,
    valid: dict[str, dict[str, Any]],
    client: TestClient,
    people: dict[str, User],
    auth: Auth,
    records: dict[str, str],
) -> None:
    vehicle = make_record(client, "vehicles", people["officer"], auth)
    german = make_record(client, "persons", people["de"], auth)
    for record_id, message in [
        (vehicle, "must be a persons or missing-persons record"),
        (german, "that you may read"),
        ("00000000-0000-0000-0000-000000000001", "that you may read"),
    ]:
        data = {**valid["blue"], "person": {"record_id": record_id}}
        response = flow.create("blue", data)
        assert response.status_code == 422, response.text
        error = response.json()["errors"][0]
        assert error["field"] == "body.data.person.record_id" and message in error["message"]
    data = {**valid["silver"], "assets": [{"record_id": records["persons"]}]}
    response = flow.create("silver", data)
    assert response.json()["errors"][0]["field"] == "body.data.assets.0.record_id"


def test_neutrality_flags_must_each_be_addressed(
    flow: Flow, valid: dict[str, dict[str, Any]]
) -> None:
    data = _red(valid, offence="Insulting the President of the Republic", max_penalty_months=36)
    data["context"] = "He led the opposition party's rally before the election."
    notice = flow.create("red", data).json()
    political = [flag for flag in notice["flags"] if flag["category"] == "political"]
    assert political and all(flag["reason"] and flag["excerpt"] for flag in political)
    assert {flag["field"] for flag in political} >= {"charges.0.offence", "context"}
    notice = flow.must(flow.must(notice, "submit", "officer"), "approve", "supervisor")
    partly = flow.clearing(notice)[:1]
    response = flow.act(notice, "publish", "reviewer", resolutions=partly)
    assert response.status_code == 422 and "still open" in response.json()["detail"]
    unknown = [{"flag": "nope", "decision": "cleared", "reason": "checked it"}]
    response = flow.act(notice, "publish", "reviewer", resolutions=unknown)
    assert response.json()["errors"][0]["field"] == "body.resolutions.0.flag"
    upheld = [{**r, "decision": "upheld"} for r in flow.clearing(notice)]
    refused = flow.must(notice, "refuse", "reviewer", resolutions=upheld, reason="Article 3")
    assert refused["status"] == "refused"
    assert all(flag["resolution"]["decision"] == "upheld" for flag in refused["flags"])


def test_public_extract_only_for_red_yellow_and_un(
    flow: Flow, valid: dict[str, dict[str, Any]]
) -> None:
    response = flow.create("blue", valid["blue"], public_extract=True)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.public_extract"
    assert flow.create("yellow", valid["yellow"], public_extract=True).status_code == 201


def test_references_are_sequential_and_found_in_urls(
    flow: Flow,
    valid: dict[str, dict[str, Any]],
    client: TestClient,
    people: dict[str, User],
    auth: Auth,
) -> None:
    first = flow.create("blue", valid["blue"]).json()["reference"]
    second = flow.create("blue", valid["blue"]).json()["reference"]
    year, number = first.split("/")
    assert second == f"{year}/{int(number) + 1:05d}"
    for ident in (second.replace("/", "-"),):
        found = client.get(f"/api/v1/notices/{ident}", headers=auth(people["officer"]))
        assert found.status_code == 200 and found.json()["reference"] == second


def test_a_warrant_cannot_be_dated_in_the_future(
    flow: Flow, valid: dict[str, dict[str, Any]]
) -> None:
    data = copy.deepcopy(valid["red"])
    data["warrant"]["date"] = str(date.today() + timedelta(days=1))
    response = flow.create("red", data)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.data.warrant.date"
    data["warrant"]["date"] = str(date.today())
    assert flow.create("red", data).status_code == 201
