"""Fixtures of the operations tests: the people taking part (the command centre's
operator, officers of participating and other countries), a fixed clock, and targets
(records and a notice) made through the API as their bureaus would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.core.events import Event
from interlink.members.models import User
from interlink.operations.journal import LIVE_TOPICS

Auth = Callable[[User], dict[str, str]]
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def topics_are_heard(session: Session) -> Iterator[None]:
    """After each test: every operation and incident event it published has a topic the
    command centre's page listens for (``LIVE_TOPICS``)."""
    yield
    published = session.scalars(
        select(Event.topic).where(
            Event.topic.startswith("operation.") | Event.topic.startswith("incident.")
        )
    ).all()
    assert set(published) <= set(LIVE_TOPICS), set(published) - set(LIVE_TOPICS)


@pytest.fixture
def people(client: TestClient, make_user: Callable[..., User]) -> dict[str, User]:
    client.app.state.clock = lambda: T0  # type: ignore[attr-defined]
    return {
        "operator": make_user(Role.OPERATOR, "SEC"),
        "fr": make_user(Role.OFFICER, "FR"),
        "fr_supervisor": make_user(Role.SUPERVISOR, "FR"),
        "de": make_user(Role.OFFICER, "DE"),
        "it": make_user(Role.OFFICER, "IT"),
        "analyst": make_user(Role.ANALYST, "SEC"),
        "auditor": make_user(Role.AUDITOR, "SEC"),
    }


def made(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def targets(client: TestClient, people: dict[str, User], auth: Auth) -> dict[str, str]:
    """A French person only France sees, a French vehicle every member sees, and a
    French (draft) notice on the person."""
    person = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09",
              "visibility": {"mode": "owner_only"}}  # fmt: skip
    vehicle = {"plate": "AB-123-CD", "visibility": {"mode": "all_members"}}
    fr = auth(people["fr"])
    hidden = made(client.post("/api/v1/records/persons", json=person, headers=fr))
    shared = made(client.post("/api/v1/records/vehicles", json=vehicle, headers=fr))
    body = {"type": "blue", "data": {"person": {"record_id": hidden["id"]},
            "information_sought": "whereabouts", "offence": "fraud",
            "summary": "Suspected of a large fraud."}}  # fmt: skip
    notice = made(client.post("/api/v1/notices", json=body, headers=fr))
    return {"person": hidden["id"], "vehicle": shared["id"], "notice": notice["id"]}


@pytest.fixture
def operation(
    client: TestClient, people: dict[str, User], auth: Auth, targets: dict[str, str]
) -> dict[str, Any]:
    body = {
        "name": "Operation Lionfish",
        "objective": "Dismantle the vehicle theft ring between France and Germany.",
        "start_date": "2026-12-01",
        "end_date": "2026-12-14",
        "countries": ["fr", "DE"],
        "targets": [
            {"notice_id": targets["notice"], "note": "ring leader"},
            {"record_id": targets["vehicle"]},
        ],
    }
    return made(client.post("/api/v1/operations", json=body, headers=auth(people["operator"])))
