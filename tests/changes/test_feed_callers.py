"""The change feed gives each caller what it may screen, in the form it may see it: a
user everything its bureau may screen; a national node's API key (scope ``node``) the
same, but the records whose owner lets machine clients learn only that there is a hit
(``contact_only``) reduced to what matching compares; a border system's key (scope
``screening``) nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.changes.models import Change
from interlink.members.models import User
from tests.records.examples import VALID

Auth = Callable[[User], dict[str, str]]

SECRETS = {
    "source_id": "FR-INFORMANT-0042",
    "phones": ["+33 6 12 34 56 78"],
    "emails": ["jp.dupont@example.org"],
    "addresses": ["12 rue des Lilas, Lyon (safe house)"],
    "distinguishing_marks": "scar over the left eye",
    "place_of_birth": "Lyon",
}


@pytest.fixture
def start(session: Session) -> str:
    return str(session.scalar(select(func.max(Change.id))) or 0)


def api_key(client: TestClient, supervisor: dict[str, str], **body: Any) -> dict[str, str]:
    made = client.post("/api/v1/api-clients", json={"name": "DE systems", **body},
                       headers=supervisor)  # fmt: skip
    assert made.status_code == 201, made.text
    return {"X-API-Key": made.json()["api_key"]}


def person(client: TestClient, fr: dict[str, str], details: str, **data: Any) -> str:
    body = {**VALID["persons"], **data, "screening_details": details,
            "visibility": {"mode": "all_members"}}  # fmt: skip
    made = client.post("/api/v1/records/persons", json=body, headers=fr)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def objects(client: TestClient, headers: dict[str, str], since: str) -> dict[str, Any]:
    page = client.get("/api/v1/changes", params={"since": since}, headers=headers)
    assert page.status_code == 200, page.text
    return {item["id"]: item["object"] for item in page.json()["items"]}


def test_a_border_systems_key_reads_no_feed(
    client: TestClient, make_user: Callable[..., User], auth: Auth, start: str
) -> None:
    person(client, auth(make_user(Role.OFFICER, "FR")), "contact_only", **SECRETS)
    screening = api_key(client, auth(make_user(Role.SUPERVISOR, "DE")))
    refused = client.get("/api/v1/changes", params={"since": start}, headers=screening)
    assert refused.status_code == 403
    assert "'node'" in refused.json()["detail"]  # names the scope it would need
    assert SECRETS["source_id"] not in refused.text


def test_a_nodes_key_gets_contact_only_records_as_matching_needs_them_and_no_more(
    client: TestClient, make_user: Callable[..., User], auth: Auth, start: str
) -> None:
    fr = auth(make_user(Role.OFFICER, "FR"))
    withheld = person(client, fr, "contact_only", **SECRETS)
    full = person(client, fr, "full", family_name="Martin", source_id="FR-0001",
                  phones=["+33 1 00 00 00 00"])  # fmt: skip
    node = api_key(client, auth(make_user(Role.SUPERVISOR, "DE")), scope="node")
    seen = objects(client, node, start)

    shown = seen[withheld]
    page = json.dumps(seen, ensure_ascii=False)
    for secret in ("FR-INFORMANT-0042", "+33 6 12", "jp.dupont@", "rue des Lilas", "scar", "Lyon"):
        assert secret not in page, secret
    assert shown["screening_details"] == "contact_only" and shown["source_id"] is None
    # What matching compares is there, so that the node still finds the person.
    assert shown["data"]["family_name"] == "Dupont" and shown["data"]["date_of_birth"] == "1971-03"
    assert shown["data"]["identity_documents"] == [{"number": "15AB12345"}]
    assert shown["owner"] == "FR" and "phones" not in shown["data"]
    # A record its owner lets machine clients see in full comes in full.
    assert seen[full]["source_id"] == "FR-0001" and seen[full]["data"]["phones"]


def test_a_user_reads_what_its_bureau_may_screen_in_full(
    client: TestClient, make_user: Callable[..., User], auth: Auth, start: str
) -> None:
    withheld = person(client, auth(make_user(Role.OFFICER, "FR")), "contact_only", **SECRETS)
    seen = objects(client, auth(make_user(Role.OFFICER, "DE")), start)
    assert seen[withheld]["source_id"] == SECRETS["source_id"]
    assert seen[withheld]["data"]["phones"] == SECRETS["phones"]


@pytest.mark.parametrize("kind", ["unidentified-bodies", "indicators", "assets"])
def test_a_contact_only_record_no_screening_reads_is_not_sent_to_a_node(
    client: TestClient, make_user: Callable[..., User], auth: Auth, start: str, kind: str
) -> None:
    body = {**VALID[kind], "screening_details": "contact_only",
            "visibility": {"mode": "all_members"}}  # fmt: skip
    made = client.post(f"/api/v1/records/{kind}", json=body,
                       headers=auth(make_user(Role.OFFICER, "FR")))  # fmt: skip
    assert made.status_code == 201, made.text
    node = api_key(client, auth(make_user(Role.SUPERVISOR, "DE")), scope="node")
    assert made.json()["id"] not in objects(client, node, start)
