"""Sharing groups are managed by their members."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from interlink.access import Role
from interlink.members.models import User


def test_creator_becomes_a_member_and_members_manage(
    client: TestClient, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]]
) -> None:
    french, german, italian = (make_user(Role.OFFICER, cc) for cc in ("FR", "DE", "IT"))
    created = client.post(
        "/api/v1/groups",
        json={"name": "Art Crime Unit", "countries": ["de"]},
        headers=auth(french),
    )
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["countries"] == ["DE", "FR"]
    path = f"/api/v1/groups/{group['id']}"
    assert client.get(path, headers=auth(german)).status_code == 200
    # Outsiders neither see nor change it.
    assert client.get(path, headers=auth(italian)).status_code == 404
    assert (
        client.patch(f"{path}/members", json={"add": ["IT"]}, headers=auth(italian)).status_code
        == 404
    )
    added = client.patch(
        f"{path}/members", json={"add": ["IT"], "remove": ["FR"]}, headers=auth(german)
    )
    assert added.status_code == 200
    assert added.json()["countries"] == ["DE", "IT"]
    assert client.get(path, headers=auth(italian)).status_code == 200
    assert client.get(path, headers=auth(french)).status_code == 404


def test_group_errors(
    client: TestClient, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]]
) -> None:
    french = make_user(Role.OFFICER, "FR")
    bad = client.post(
        "/api/v1/groups", json={"name": "Bad group", "countries": ["GI"]}, headers=auth(french)
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "countries"
    ok = client.post("/api/v1/groups", json={"name": "Solo group"}, headers=auth(french)).json()
    empty = client.patch(
        f"/api/v1/groups/{ok['id']}/members", json={"remove": ["FR"]}, headers=auth(french)
    )
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "remove"
    dup = client.post("/api/v1/groups", json={"name": "Solo group"}, headers=auth(french))
    assert dup.status_code == 409
