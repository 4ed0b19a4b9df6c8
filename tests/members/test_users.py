"""User management by administrators and bureau supervisors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from interlink.access import Role
from interlink.members.models import User

NEW = {
    "username": "it.officer2",
    "password": "a long enough password",
    "role": "officer",
    "country": "IT",
}


def test_admin_creates_users_in_any_bureau(
    client: TestClient, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]]
) -> None:
    admin = make_user(Role.ADMIN, "SEC")
    response = client.post("/api/v1/users", json=NEW, headers=auth(admin))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["username"], body["role"], body["bureau"], body["country"]) == (
        "it.officer2",
        "officer",
        "IT",
        "IT",
    )
    login = client.post(
        "/api/v1/auth/token", data={"username": "it.officer2", "password": NEW["password"]}
    )
    assert login.status_code == 200
    again = client.post("/api/v1/users", json=NEW, headers=auth(admin))
    assert again.status_code == 409


def test_supervisor_manages_only_its_bureau(
    client: TestClient, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]]
) -> None:
    supervisor = make_user(Role.SUPERVISOR, "IT")
    assert client.post("/api/v1/users", json=NEW, headers=auth(supervisor)).status_code == 201
    foreign = {**NEW, "username": "fr.officer9", "country": "FR"}
    assert client.post("/api/v1/users", json=foreign, headers=auth(supervisor)).status_code == 403
    listed = client.get("/api/v1/users", headers=auth(supervisor)).json()
    assert {user["bureau"] for user in listed["items"]} == {"IT"}
    officer = make_user(Role.OFFICER, "IT")
    assert client.get("/api/v1/users", headers=auth(officer)).status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "GI"}, "country"),  # not a member
        ({"country": "FRA"}, "body.country"),
        ({"role": "reviewer"}, "role"),  # a secretariat role in a national bureau
        ({"role": "sheriff"}, "body.role"),
        ({"password": "short"}, "body.password"),
        ({"username": "Has Spaces"}, "body.username"),
    ],
)
def test_bad_user_bodies_name_the_field(
    client: TestClient,
    make_user: Callable[..., User],
    auth: Callable[[User], dict[str, str]],
    change: dict[str, str],
    field: str,
) -> None:
    admin = make_user(Role.ADMIN, "SEC")
    response = client.post("/api/v1/users", json={**NEW, **change}, headers=auth(admin))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert (
        client.get("/api/v1/users", headers=auth(admin), params={"limit": 500}).json()["total"] == 1
    )


def test_admin_unlocks_and_disables(
    client: TestClient, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]]
) -> None:
    admin = make_user(Role.ADMIN, "SEC")
    user = make_user(Role.OFFICER, "FR")
    response = client.patch(
        f"/api/v1/users/{user.id}", json={"active": False, "unlock": True}, headers=auth(admin)
    )
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert client.get("/api/v1/me", headers=auth(user)).status_code == 401
