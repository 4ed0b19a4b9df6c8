"""Fixtures of the notice tests: the people of a request's life (a French officer and
supervisor, a German and an Italian officer, a secretariat reviewer), the records a
notice is about, and a valid ``data`` for every notice type."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlink.access import Role
from interlink.members.models import User
from tests.records.examples import VALID

Auth = Callable[[User], dict[str, str]]


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "officer": make_user(Role.OFFICER, "FR"),
        "supervisor": make_user(Role.SUPERVISOR, "FR"),
        "de": make_user(Role.OFFICER, "DE"),
        "de_supervisor": make_user(Role.SUPERVISOR, "DE"),
        "it": make_user(Role.OFFICER, "IT"),
        "reviewer": make_user(Role.REVIEWER, "SEC"),
        "analyst": make_user(Role.ANALYST, "SEC"),
    }


def make_record(client: TestClient, kind: str, who: User, auth: Auth, **extra: Any) -> str:
    body = {**VALID[kind], "visibility": {"mode": "owner_only"}, **extra}
    response = client.post(f"/api/v1/records/{kind}", json=body, headers=auth(who))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _person(record_id: str) -> dict[str, Any]:
    return {"record_id": record_id}


def examples(records: dict[str, str]) -> dict[str, dict[str, Any]]:
    """A valid ``data`` of every type, about ``records`` (kind -> id)."""
    person = _person(records["persons"])
    summary = "The person is suspected of leading a network that robbed jewellers in 2025."
    return {
        "red": {
            "person": person,
            "purpose": "prosecution",
            "charges": [
                {"offence": "Armed robbery", "law": "Code pénal art. 311-8",
                 "max_penalty_months": 360}
            ],
            "warrant": {"issuing_authority": "Tribunal judiciaire de Paris",
                        "issuing_country": "FR", "date": "2026-02-03", "reference": "AW-2026-17"},
            "summary": summary,
        },
        "blue": {"person": person, "information_sought": "current location and associates",
                 "offence": "fraud", "summary": summary},
        "green": {"person": person, "criminal_activities": "serial burglaries of pharmacies",
                  "threat": "likely to reoffend abroad", "summary": summary},
        "yellow": {"person": _person(records["missing-persons"]), "missing_since": "2026-10-01",
                   "missing_place": "Kraków", "missing_country": "PL",
                   "summary": "The child left school and did not come home."},
        "black": {"body": {"record_id": records["unidentified-bodies"]},
                  "found_on": "2026-09-30", "found_place": "Rotterdam harbour",
                  "found_country": "NL", "summary": "A body was found floating in the harbour."},
        "orange": {"threat_kind": "object", "threat": "parcel bombs disguised as books",
                   "summary": "Three parcels were intercepted in sorting centres."},
        "purple": {"modus_operandi": "drugs hidden inside hollowed-out pineapples",
                   "concealment_methods": ["hollowed fruit"],
                   "summary": "Seizures in three ports show the same method."},
        "silver": {"person": person,
                   "assets": [{"record_id": records["assets"]}],
                   "criminal_link": "the account received the proceeds of the robberies",
                   "summary": summary},
        "un": {"subject_type": "person", "person": person,
               "sanctions_committee": "1267 Committee", "un_reference": "QDi.999",
               "measures": ["asset_freeze", "travel_ban"],
               "summary": "Listed for financing a listed group."},
    }  # fmt: skip


@pytest.fixture
def records(client: TestClient, people: dict[str, User], auth: Auth) -> dict[str, str]:
    return {
        kind: make_record(client, kind, people["officer"], auth)
        for kind in ("persons", "missing-persons", "unidentified-bodies", "assets")
    }


@pytest.fixture
def valid(records: dict[str, str]) -> dict[str, dict[str, Any]]:
    return examples(records)


class Flow:
    """Moves a notice through its workflow over the API."""

    def __init__(self, client: TestClient, people: dict[str, User], auth: Auth) -> None:
        self.client, self.people, self.auth = client, people, auth

    def create(self, notice_type: str, data: dict[str, Any], who: str = "officer", **extra: Any):
        body = {"type": notice_type, "data": copy.deepcopy(data), **extra}
        return self.client.post("/api/v1/notices", json=body, headers=self.auth(self.people[who]))

    def act(self, notice: dict[str, Any], action: str, who: str, **body: Any):
        path = f"/api/v1/notices/{notice['id']}/{action}"
        return self.client.post(path, json=body, headers=self.auth(self.people[who]))

    def must(self, notice: dict[str, Any], action: str, who: str, **body: Any) -> dict[str, Any]:
        response = self.act(notice, action, who, **body)
        assert response.status_code == 200, response.text
        return response.json()

    def clearing(self, notice: dict[str, Any]) -> list[dict[str, str]]:
        """Resolutions clearing every open flag of ``notice``."""
        flags = (notice.get("pending") or {}).get("flags") or notice["flags"]
        return [
            {"flag": flag["id"], "decision": "cleared", "reason": "ordinary-law crime, checked"}
            for flag in flags
        ]

    def published(self, notice_type: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
        created = self.create(notice_type, data, **extra)
        assert created.status_code == 201, created.text
        notice = self.must(created.json(), "submit", "officer")
        notice = self.must(notice, "approve", "supervisor")
        return self.must(notice, "publish", "reviewer", resolutions=self.clearing(notice))


@pytest.fixture
def flow(client: TestClient, people: dict[str, User], auth: Auth) -> Flow:
    return Flow(client, people, auth)
