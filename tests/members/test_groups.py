"""Sharing groups have an owner and admins: only they change the membership (the
secretariat too, for compliance), every change is audited and told to the members, and
a country joins only once every bureau whose records are shared with the group agrees.

- a member that is not an admin cannot add a country (IT adding RU to FR's group), an
  outsider cannot even see the group, and no admin removes or demotes the owner;
- a record is shared only with a group its owner is in (422 naming ``visibility.group``,
  the same whether the group exists or not);
- names are unique per owning bureau: another bureau's name is no clash, and says
  nothing;
- an addition waits for the owners' consent (those sharing nothing are not asked), and
  the joining country sees nothing meanwhile; an owner may object, or withdraw its
  records instead; an admin sees who has not answered and may cancel;
- a removed or departing country hears removals in the change feed, and its own records
  shared with the group fall back to its own eyes only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.changes.models import Change
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.messaging.stream import recent_events
from tests.records.examples import VALID

Headers = dict[str, str]


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    found = {cc.lower(): make_user(Role.OFFICER, cc) for cc in ("FR", "DE", "IT", "RU", "ES")}
    found["at"], found["nl"] = make_user(Role.OFFICER, "AT"), make_user(Role.OFFICER, "NL")
    found["admin"] = make_user(Role.ADMIN, "SEC")
    return found


@pytest.fixture
def who(people: dict[str, User], auth: Callable[[User], Headers]) -> dict[str, Headers]:
    return {name: auth(user) for name, user in people.items()}


@pytest.fixture
def start(session: Session) -> str:
    return str(session.scalar(select(func.max(Change.id))) or 0)


def create(client: TestClient, headers: Headers, name: str, *countries: str) -> dict[str, Any]:
    made = client.post("/api/v1/groups", json={"name": name, "countries": list(countries)},
                       headers=headers)  # fmt: skip
    assert made.status_code == 201, made.text
    return dict(made.json())


def change(client: TestClient, headers: Headers, group: dict[str, Any], **body: Any) -> Response:
    return client.patch(f"/api/v1/groups/{group['id']}/members", json=body, headers=headers)


def role(client: TestClient, headers: Headers, group: dict[str, Any], cc: str, to: str) -> Response:
    path = f"/api/v1/groups/{group['id']}/members/{cc}"
    return client.patch(path, json={"role": to}, headers=headers)


def share(client: TestClient, headers: Headers, group: dict[str, Any], **data: Any) -> str:
    body = {**VALID["persons"], **data, "visibility": {"mode": "group", "group": group["id"]}}
    made = client.post("/api/v1/records/persons", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def sees(client: TestClient, headers: Headers, record: str) -> bool:
    answer = client.get(f"/api/v1/records/persons/{record}", headers=headers)
    assert answer.status_code in (200, 404), answer.text
    return answer.status_code == 200


def feed(client: TestClient, headers: Headers, since: str) -> list[tuple[str, str]]:
    page = client.get("/api/v1/changes", params={"since": since}, headers=headers)
    assert page.status_code == 200, page.text
    return [(item["op"], str(item["id"])) for item in page.json()["items"]]


def consents(client: TestClient, headers: Headers) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/group-consents", headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def answer(client: TestClient, headers: Headers, addition: str, choice: str) -> Response:
    path = f"/api/v1/group-consents/{addition}"
    return client.put(path, json={"answer": choice}, headers=headers)


def test_only_a_groups_admins_change_who_is_in_it(
    client: TestClient, who: dict[str, Headers]
) -> None:
    group = create(client, who["fr"], "Art Crime Unit", "de", "IT")
    assert group["owner"] == "FR" and group["countries"] == ["DE", "FR", "IT"]
    assert group["members"] == [{"country": "DE", "role": "member"},
                                {"country": "FR", "role": "admin"},
                                {"country": "IT", "role": "member"}]  # fmt: skip
    record = share(client, who["fr"], group)
    refused = change(client, who["it"], group, add=["RU"])
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    assert change(client, who["it"], group, remove=["FR"]).status_code == 403
    assert role(client, who["it"], group, "IT", "admin").status_code == 403
    assert change(client, who["es"], group, add=["ES"]).status_code == 404  # not its group
    assert client.get(f"/api/v1/groups/{group['id']}", headers=who["es"]).status_code == 404
    assert not sees(client, who["ru"], record)
    now = client.get(f"/api/v1/groups/{group['id']}", headers=who["it"]).json()
    assert now["countries"] == ["DE", "FR", "IT"] and now["pending"] == []


def test_no_admin_removes_or_demotes_the_owner_and_the_secretariat_may_step_in(
    client: TestClient, who: dict[str, Headers]
) -> None:
    group = create(client, who["fr"], "Rhine partners", "DE")
    promoted = role(client, who["fr"], group, "DE", "admin")
    assert promoted.status_code == 200, promoted.text
    assert {"country": "DE", "role": "admin"} in promoted.json()["members"]
    assert change(client, who["de"], group, remove=["FR"]).status_code == 403
    assert role(client, who["de"], group, "FR", "member").status_code == 403
    assert role(client, who["fr"], group, "FR", "member").status_code == 409  # always admin
    added = change(client, who["de"], group, add=["ES"])  # nothing shared: at once
    assert added.status_code == 200 and "ES" in added.json()["countries"], added.text
    assert role(client, who["fr"], group, "DE", "member").status_code == 200
    removed = change(client, who["admin"], group, remove=["ES"])
    assert removed.status_code == 200 and removed.json()["countries"] == ["DE", "FR"]
    # The group's last admin cannot leave it; another member can.
    assert client.post(f"/api/v1/groups/{group['id']}/leave", headers=who["fr"]).status_code == 409
    assert client.post(f"/api/v1/groups/{group['id']}/leave", headers=who["de"]).status_code == 204
    assert client.get(f"/api/v1/groups/{group['id']}", headers=who["de"]).status_code == 404


def test_a_record_is_shared_only_with_a_group_its_owner_is_in(
    client: TestClient, who: dict[str, Headers]
) -> None:
    group = create(client, who["fr"], "Rhine partners", "DE")
    answers = []
    for target in (group["id"], str(uuid.uuid4())):
        body = {**VALID["persons"], "visibility": {"mode": "group", "group": target}}
        refused = client.post("/api/v1/records/persons", json=body, headers=who["it"])
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "body.visibility.group"
        answers.append(refused.json()["detail"])
    assert answers[0] == answers[1]  # whether the group exists or not
    assert sees(client, who["fr"], share(client, who["de"], group))


def test_a_name_is_unique_for_its_owner_only_and_a_clash_says_nothing(
    client: TestClient, who: dict[str, Headers]
) -> None:
    create(client, who["fr"], "Joint task force")
    other = client.post("/api/v1/groups", json={"name": "Joint task force"}, headers=who["de"])
    assert other.status_code == 201 and other.json()["owner"] == "DE"
    again = client.post("/api/v1/groups", json={"name": "Joint task force"}, headers=who["fr"])
    assert again.status_code == 409 and "your bureau" in again.json()["detail"]
    listed = client.get("/api/v1/groups", headers=who["de"]).json()["items"]
    assert [(g["name"], g["owner"]) for g in listed] == [("Joint task force", "DE")]


def test_a_country_joins_once_every_bureau_sharing_with_the_group_consents(
    client: TestClient, who: dict[str, Headers], people: dict[str, User], session: Session,
    start: str,
) -> None:  # fmt: skip
    group = create(client, who["fr"], "Balkan route", "DE", "AT")
    french, german = share(client, who["fr"], group), share(client, who["de"], group)
    asked = change(client, who["fr"], group, add=["IT"])
    assert asked.status_code == 200, asked.text
    assert "IT" not in asked.json()["countries"]
    (pending,) = asked.json()["pending"]
    assert pending["country"] == "IT"
    assert [(c["country"], c["records"], c["answer"]) for c in pending["consents"]] == [
        ("DE", 1, None),
        ("FR", 1, "consent"),  # its admin asked: that is its consent
    ]  # AT shares nothing with the group: it is not asked
    assert consents(client, who["at"]) == []
    (mine,) = consents(client, who["de"])
    assert (mine["group"], mine["country"], mine["records"]) == ("Balkan route", "IT", 1)
    told = recent_events(session, actor_for_user(people["de"]))
    assert any(e.topic == "group.consent-asked" and e.payload["country"] == "IT"
               and e.payload["records"] == 1 for e in told)  # fmt: skip

    def italy_sees_nothing() -> None:
        assert not sees(client, who["it"], french) and not sees(client, who["it"], german)
        assert feed(client, who["it"], start) == []
        assert client.get(f"/api/v1/groups/{group['id']}", headers=who["it"]).status_code == 404

    italy_sees_nothing()
    objected = answer(client, who["de"], pending["id"], "object")
    assert objected.status_code == 200, objected.text
    italy_sees_nothing()
    waiting = client.get(f"/api/v1/groups/{group['id']}/additions", headers=who["fr"]).json()
    assert [(c["country"], c["answer"]) for c in waiting["items"][0]["consents"]] == [
        ("DE", "object"), ("FR", "consent")
    ]  # fmt: skip
    assert answer(client, who["at"], pending["id"], "consent").status_code == 404  # not asked
    agreed = answer(client, who["de"], pending["id"], "consent")
    assert agreed.status_code == 200, agreed.text
    assert sees(client, who["it"], french) and sees(client, who["it"], german)
    assert set(feed(client, who["it"], start)) == {("upsert", french), ("upsert", german)}
    now = client.get(f"/api/v1/groups/{group['id']}", headers=who["it"]).json()
    assert "IT" in now["countries"] and now["pending"] == []


def test_an_owner_may_withdraw_its_records_and_an_admin_may_cancel(
    client: TestClient, who: dict[str, Headers]
) -> None:
    second = create(client, who["fr"], "Baltic", "DE", "NL")
    shared = share(client, who["de"], second)
    pending = change(client, who["fr"], second, add=["PL"]).json()["pending"][0]
    path = f"/api/v1/groups/{second['id']}/additions/{pending['id']}"
    assert client.delete(path, headers=who["de"]).status_code == 403  # not an admin
    assert client.delete(path, headers=who["fr"]).status_code == 204
    assert client.get(f"/api/v1/groups/{second['id']}", headers=who["fr"]).json()["pending"] == []
    assert consents(client, who["de"]) == []

    again = change(client, who["fr"], second, add=["PL"]).json()["pending"][0]
    withdrawn = answer(client, who["de"], again["id"], "withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    joined = client.get(f"/api/v1/groups/{second['id']}", headers=who["fr"]).json()
    assert "PL" in joined["countries"]  # nothing of anyone's is shared any more
    record = client.get(f"/api/v1/records/persons/{shared}", headers=who["de"]).json()
    assert record["visibility"] == {"mode": "owner_only", "countries": [], "group": None}
    assert not sees(client, who["nl"], shared)


def test_a_country_removed_or_leaving_hears_removals_and_its_records_fall_back(
    client: TestClient, who: dict[str, Headers], start: str
) -> None:
    group = create(client, who["fr"], "Rhine task force", "DE", "IT")
    french, german = share(client, who["fr"], group), share(client, who["de"], group)
    removed = change(client, who["fr"], group, remove=["DE"])
    assert removed.status_code == 200 and removed.json()["countries"] == ["FR", "IT"]
    assert ("remove", french) in feed(client, who["de"], start)
    assert ("remove", german) in feed(client, who["it"], start)
    assert not sees(client, who["it"], german) and sees(client, who["de"], german)
    fallen = client.get(f"/api/v1/records/persons/{german}", headers=who["de"]).json()
    assert fallen["visibility"]["mode"] == "owner_only"
    assert client.post(f"/api/v1/groups/{group['id']}/leave", headers=who["it"]).status_code == 204
    assert feed(client, who["it"], start)[-1] == ("remove", french)


def test_every_change_is_audited_before_and_after_and_told_to_the_members(
    client: TestClient, who: dict[str, Headers], people: dict[str, User], session: Session
) -> None:
    group = create(client, who["fr"], "Alpine desk", "DE", "IT")
    change(client, who["fr"], group, add=["ES"])
    role(client, who["fr"], group, "DE", "admin")
    change(client, who["de"], group, remove=["IT"])
    client.post(f"/api/v1/groups/{group['id']}/leave", headers=who["es"])
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.object_id == group["id"]).order_by(AuditEntry.seq)
    ).all()
    assert [e.action for e in entries] == ["group.create"] + ["group.update"] * 4
    assert all(e.before and e.after for e in entries[1:])
    assert entries[2].before["members"] != entries[2].after["members"]  # DE made admin
    assert entries[3].bureau == "DE" and "IT" not in entries[3].after["countries"]
    for name in ("de", "it"):
        topics = {e.topic for e in recent_events(session, actor_for_user(people[name]))}
        assert {"group.member-added", "group.member-removed"} <= topics, (name, topics)
    assert "group.role-changed" in {
        e.topic for e in recent_events(session, actor_for_user(people["de"]))
    }
