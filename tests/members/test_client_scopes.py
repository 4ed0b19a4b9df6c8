"""API clients have a scope: ``screening`` (a border system, the default) or ``node`` (a
national node replicating its bureau's data); a key is refused (403) on every route
outside its scope. The whole surface is walked in ``tests/access/test_route_declarations``."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.members.models import User
from tests.web.test_admin_pages import post, sign_in

Auth = Callable[[User], dict[str, str]]


def test_a_key_has_the_scope_chosen_for_it_screening_by_default(
    client: TestClient, make_user: Callable[..., User], auth: Auth, session: Session
) -> None:
    supervisor = auth(make_user(Role.SUPERVISOR, "DE"))
    border = client.post("/api/v1/api-clients", json={"name": "Frankfurt gates"},
                         headers=supervisor)  # fmt: skip
    node = client.post("/api/v1/api-clients", json={"name": "DE node", "scope": "node"},
                       headers=supervisor)  # fmt: skip
    assert border.status_code == node.status_code == 201, node.text
    assert border.json()["scope"] == "screening" and node.json()["scope"] == "node"
    listed = client.get("/api/v1/api-clients", headers=supervisor).json()["items"]
    assert {c["name"]: c["scope"] for c in listed} == {"Frankfurt gates": "screening",
                                                       "DE node": "node"}  # fmt: skip
    me = client.get("/api/v1/me", headers={"X-API-Key": node.json()["api_key"]})
    assert me.status_code == 200 and me.json()["scope"] == "node"
    audited = session.scalars(
        select(AuditEntry.after).where(AuditEntry.object_id == node.json()["id"])
    ).one()
    assert audited["scope"] == "node"
    bad = client.post("/api/v1/api-clients", json={"name": "DE thing", "scope": "admin"},
                      headers=supervisor)  # fmt: skip
    assert bad.status_code == 422 and "scope" in bad.text


def test_a_screening_key_screens_and_does_nothing_else(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    fr = auth(make_user(Role.OFFICER, "FR"))
    group = client.post("/api/v1/groups", json={"name": "Rhine partners", "countries": ["DE"]},
                        headers=fr)  # fmt: skip
    assert group.status_code == 201, group.text
    made = client.post("/api/v1/api-clients", json={"name": "Kehl bridge"},
                       headers=auth(make_user(Role.SUPERVISOR, "DE")))  # fmt: skip
    key = {"X-API-Key": made.json()["api_key"]}
    screened = client.post("/api/v1/screen", json={"person": {"name": "Jean Dupont"}}, headers=key)
    assert screened.status_code == 200
    for path in ("/api/v1/groups", f"/api/v1/groups/{group.json()['id']}", "/api/v1/changes"):
        refused = client.get(path, headers=key)
        assert refused.status_code == 403, path
        assert "'screening'" in refused.json()["detail"]
    # Its key in a console cookie opens no page either.
    client.cookies.set("interlink_session", made.json()["api_key"])
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 403
    client.cookies.clear()


def test_the_console_shows_and_chooses_a_keys_scope(
    client: TestClient, make_user: Callable[..., User], session: Session
) -> None:
    token = sign_in(client, make_user(Role.SUPERVISOR, "DE"))
    form = client.get("/admin/api-clients").text
    assert 'name="scope"' in form and "a national node" in form
    made = post(client, "/admin/api-clients", token, name="DE national node", scope="node")
    assert made.status_code == 201 and "scope <strong>node</strong>" in made.text
    key = made.text.split('id="api-key" readonly value="', 1)[1].split('"', 1)[0]
    listed = client.get("/admin/api-clients").text
    assert "<td>DE national node</td><td>DE</td><td>node</td>" in listed
    client.cookies.clear()
    assert client.get("/api/v1/changes", headers={"X-API-Key": key}).status_code == 200
    refused = client.post("/api/v1/screen", json={"person": {"name": "Jean Dupont"}},
                          headers={"X-API-Key": key})  # fmt: skip
    assert refused.status_code == 403 and "'screening'" in refused.json()["detail"]
    token = sign_in(client, make_user(Role.SUPERVISOR, "DE"))
    bad = post(client, "/admin/api-clients", token, name="DE thing", scope="everything")
    assert bad.status_code == 422 and 'id="scope-error"' in bad.text
