"""Diffusions: sent by a bureau straight to the countries it chooses (or all), seen by
them at once, checked by the secretariat afterwards, which may block one."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core.events import Event
from interlink.members.models import User
from tests.notices.conftest import Auth


def _send(
    client: TestClient, people: dict[str, User], auth: Auth, data: dict[str, Any],
    recipients: list[str], notice_type: str = "blue",
):  # fmt: skip
    body = {"type": notice_type, "data": copy.deepcopy(data), "recipients": recipients}
    return client.post("/api/v1/diffusions", json=body, headers=auth(people["officer"]))


def test_recipients_see_it_at_once_and_others_never(
    client: TestClient,
    people: dict[str, User],
    auth: Auth,
    valid: dict[str, dict[str, Any]],
    session: Session,
) -> None:
    response = _send(client, people, auth, valid["blue"], ["de"])
    assert response.status_code == 201, response.text
    diffusion = response.json()
    assert diffusion["status"] == "sent" and diffusion["recipients"] == ["DE"]
    assert diffusion["reference"].startswith("D-")
    path = f"/api/v1/diffusions/{diffusion['id']}"
    assert client.get(path, headers=auth(people["de"])).status_code == 200
    assert client.get(path, headers=auth(people["it"])).status_code == 404
    listed = client.get("/api/v1/diffusions", headers=auth(people["de"])).json()["items"]
    assert [item["id"] for item in listed] == [diffusion["id"]]
    assert client.get("/api/v1/diffusions", headers=auth(people["it"])).json()["items"] == []
    # Not a notice: the notice routes do not know it.
    assert client.get(f"/api/v1/notices/{diffusion['id']}",
                      headers=auth(people["officer"])).status_code == 404  # fmt: skip
    event = session.scalars(select(Event).where(Event.object_id == diffusion["id"])).one()
    assert (event.topic, event.audience) == ("diffusion.send", ",DE,")


def test_to_every_member(
    client: TestClient, people: dict[str, User], auth: Auth, valid: dict[str, dict[str, Any]]
) -> None:
    diffusion = _send(client, people, auth, valid["blue"], ["*"]).json()
    path = f"/api/v1/diffusions/{diffusion['id']}"
    assert client.get(path, headers=auth(people["it"])).status_code == 200


def test_secretariat_checks_afterwards_and_may_block(
    client: TestClient, people: dict[str, User], auth: Auth, valid: dict[str, dict[str, Any]]
) -> None:
    data = copy.deepcopy(valid["blue"])
    data["context"] = "He deserted from the army and refused military service."
    diffusion = _send(client, people, auth, data, ["DE"]).json()
    assert any(flag["category"] == "military" for flag in diffusion["flags"])
    path = f"/api/v1/diffusions/{diffusion['id']}"
    assert client.post(f"{path}/clear", json={}, headers=auth(people["officer"])).status_code == 403
    unresolved = client.post(f"{path}/clear", json={}, headers=auth(people["reviewer"]))
    assert unresolved.status_code == 422
    assert unresolved.json()["errors"][0]["field"] == "body.resolutions"
    no_reason = client.post(f"{path}/block", json={}, headers=auth(people["reviewer"]))
    assert no_reason.status_code == 422
    blocked = client.post(f"{path}/block", json={"reason": "Article 3: desertion"},
                          headers=auth(people["reviewer"]))  # fmt: skip
    assert blocked.status_code == 200 and blocked.json()["status"] == "blocked"
    assert client.get(path, headers=auth(people["de"])).status_code == 404
    assert client.get(path, headers=auth(people["officer"])).status_code == 200
    again = client.post(f"{path}/clear", json={}, headers=auth(people["reviewer"]))
    assert again.status_code == 409


def test_cleared_diffusion_and_cancellation(
    client: TestClient, people: dict[str, User], auth: Auth, valid: dict[str, dict[str, Any]]
) -> None:
    diffusion = _send(client, people, auth, valid["yellow"], ["DE", "IT"], "yellow").json()
    path = f"/api/v1/diffusions/{diffusion['id']}"
    cleared = client.post(f"{path}/clear", json={}, headers=auth(people["reviewer"]))
    assert cleared.status_code == 200 and cleared.json()["status"] == "cleared"
    assert client.get(path, headers=auth(people["it"])).status_code == 200
    cancel = {"cancel_reason": "located", "reason": "the child is home"}
    done = client.post(f"{path}/cancel", json=cancel, headers=auth(people["officer"]))
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert client.get(path, headers=auth(people["it"])).status_code == 404


def test_bad_recipients_and_data_are_refused(
    client: TestClient, people: dict[str, User], auth: Auth, valid: dict[str, dict[str, Any]]
) -> None:
    response = _send(client, people, auth, valid["blue"], ["XX1"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("body.recipients")
    response = _send(client, people, auth, valid["blue"], ["ZZ"])
    assert response.status_code == 422
    response = _send(client, people, auth, {**valid["blue"], "offence": ""}, ["DE"])
    assert response.json()["errors"][0]["field"] == "body.data.offence"
