"""The change feed as each bureau sees it: upserts of what it may screen, removals of what
it could see and no longer can, silence about the rest; resumable, paged, audited."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Role, Visibility, VisibilityMode
from interlink.audit.models import AuditEntry
from interlink.changes.models import Change
from interlink.interop import csv_format
from interlink.members.models import User
from interlink.records.importer import import_items
from tests.conftest import bureau
from tests.notices.conftest import Flow, examples
from tests.records.examples import VALID

Auth = Callable[[User], dict[str, str]]


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "officer": make_user(Role.OFFICER, "FR"),
        "supervisor": make_user(Role.SUPERVISOR, "FR"),
        "de": make_user(Role.OFFICER, "DE"),
        "it": make_user(Role.OFFICER, "IT"),
        "reviewer": make_user(Role.REVIEWER, "SEC"),
        "auditor": make_user(Role.AUDITOR, "SEC"),
    }


@pytest.fixture
def start(session: Session) -> str:
    """The log's end before the test: the feed is read from there."""
    return str(session.scalar(select(func.max(Change.id))) or 0)


def feed(client: TestClient, headers: dict[str, str], since: str, **params: Any) -> dict:
    response = client.get("/api/v1/changes", params={"since": since, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def ops(page: dict) -> list[tuple[str, str]]:
    return [(item["op"], str(item["id"])) for item in page["items"]]


def create(client: TestClient, who: dict[str, str], visibility: dict, **data: Any) -> str:
    body = {**VALID["persons"], **data, "visibility": visibility}
    response = client.post("/api/v1/records/persons", json=body, headers=who)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_record_arrives_changes_and_leaves_as_its_owner_decides(
    client: TestClient, people: dict[str, User], auth: Auth, start: str
) -> None:
    fr, de, it = auth(people["officer"]), auth(people["de"]), auth(people["it"])
    record = create(client, fr, {"mode": "all_members"})
    page = feed(client, de, start)
    assert ops(page) == [("upsert", record)]
    item = page["items"][0]
    assert item["object"]["owner"] == "FR" and item["object"]["data"]["family_name"] == "Dupont"
    assert item["object"]["visibility"] == {"mode": "all_members", "countries": [], "group": None}
    assert page["bureau"] == "DE" and page["more"] is False

    changed = client.patch(
        f"/api/v1/records/persons/{record}", json={"family_name": "Dupond"}, headers=fr
    )
    assert changed.status_code == 200, changed.text
    page = feed(client, de, page["cursor"])
    assert ops(page) == [("upsert", record)]
    assert page["items"][0]["object"]["data"]["family_name"] == "Dupond"

    restricted = client.patch(
        f"/api/v1/records/persons/{record}",
        json={"visibility": {"mode": "only", "countries": ["IT"]}},
        headers=fr,
    )
    assert restricted.status_code == 200, restricted.text
    de_after = feed(client, de, page["cursor"])
    assert ops(de_after) == [("remove", record)]
    assert de_after["items"][0]["object"] is None
    assert ops(feed(client, it, page["cursor"])) == [("upsert", record)]

    deleted = client.delete(
        f"/api/v1/records/persons/{record}", params={"reason": "entered twice"}, headers=fr
    )
    assert deleted.status_code in (200, 204), deleted.text
    assert ops(feed(client, it, de_after["cursor"])) == [("remove", record)]
    assert feed(client, de, de_after["cursor"])["items"] == []  # it was gone for DE already


def test_nothing_is_told_of_what_a_bureau_never_could_see(
    client: TestClient, people: dict[str, User], auth: Auth, start: str
) -> None:
    fr, de = auth(people["officer"]), auth(people["de"])
    hidden = create(client, fr, {"mode": "only", "countries": ["IT"]})
    client.patch(f"/api/v1/records/persons/{hidden}", json={"sex": "F"}, headers=fr)
    client.delete(f"/api/v1/records/persons/{hidden}", params={"reason": "withdrawn"}, headers=fr)
    page = feed(client, de, start)
    assert page["items"] == []
    assert int(page["cursor"]) > int(start)  # read past, though nothing was told
    own = feed(client, fr, start)  # the owner hears all of it
    assert ops(own)[-1] == ("remove", hidden)


def test_a_change_seen_then_taken_away_in_one_page_is_one_removal(
    client: TestClient, people: dict[str, User], auth: Auth, start: str
) -> None:
    fr, de = auth(people["officer"]), auth(people["de"])
    record = create(client, fr, {"mode": "all_members"})
    client.patch(
        f"/api/v1/records/persons/{record}", json={"visibility": {"mode": "owner_only"}}, headers=fr
    )
    assert ops(feed(client, de, start)) == [("remove", record)]


def test_published_notices_are_replicated_and_requests_are_not(
    client: TestClient, people: dict[str, User], auth: Auth, start: str
) -> None:
    flow = Flow(client, people, auth)
    fr = auth(people["officer"])
    person = create(client, fr, {"mode": "owner_only"})
    data = examples({"persons": person, "missing-persons": person,
                     "unidentified-bodies": person, "assets": person})  # fmt: skip
    draft = flow.create("green", data["green"])
    assert draft.status_code == 201, draft.text
    de = auth(people["de"])
    assert feed(client, de, start)["items"] == []
    notice = flow.published("red", data["red"])
    page = feed(client, de, start)
    assert ops(page) == [("upsert", notice["id"])]
    item = page["items"][0]
    assert item["entity"] == "notice" and item["object"]["reference"] == notice["reference"]
    assert item["object"]["status"] == "published" and item["object"]["type"] == "red"


def test_pages_resume_from_their_cursor_without_loss_or_repeat(
    client: TestClient, people: dict[str, User], auth: Auth, start: str
) -> None:
    fr, de = auth(people["officer"]), auth(people["de"])
    made = [create(client, fr, {"mode": "all_members"}, family_name=f"Name{n}") for n in range(5)]
    seen, cursor, pages = [], start, 0
    while True:
        page = feed(client, de, cursor, limit=2)
        seen += ops(page)
        cursor, pages = page["cursor"], pages + 1
        if not page["more"]:
            break
    assert seen == [("upsert", record) for record in made]
    assert pages == 3
    assert feed(client, de, cursor)["items"] == []


def test_an_import_and_its_reimport_are_in_the_feed(
    client: TestClient, session: Session, people: dict[str, User], auth: Auth, start: str
) -> None:
    def load(text: str) -> None:
        import_items(
            session,
            csv_format.read(io.BytesIO(text.encode()), "persons"),
            owner=bureau(session, "FR"),
            visibility=Visibility(mode=VisibilityMode.ALL_MEMBERS),
            actor_name="import:FR",
            source="people.csv",
        )

    load("id,given_name,family_name\nA1,Ana,Lopez\nA2,Bo,Li\n")
    de = auth(people["de"])
    page = feed(client, de, start)
    names = sorted(item["object"]["data"]["family_name"] for item in page["items"])
    assert names == ["Li", "Lopez"]
    load("id,given_name,family_name\nA1,Ana,Lopes\nA2,Bo,Li\n")  # one changed
    again = feed(client, de, page["cursor"])
    assert [item["object"]["data"]["family_name"] for item in again["items"]] == ["Lopes"]


def test_reading_the_feed_is_audited_and_needs_screening_rights(
    client: TestClient, session: Session, people: dict[str, User], auth: Auth, start: str
) -> None:
    fr, de = auth(people["officer"]), auth(people["de"])
    create(client, fr, {"mode": "all_members"})
    feed(client, de, start)
    read = select(AuditEntry).where(AuditEntry.action == "changes.read")
    entry = session.scalars(read.order_by(AuditEntry.seq.desc())).first()
    assert entry is not None and entry.actor == people["de"].username
    assert entry.after["upserts"] == 1
    assert client.get("/api/v1/changes", headers=auth(people["auditor"])).status_code == 403
    assert client.get("/api/v1/changes").status_code == 401


@pytest.mark.parametrize("since", ["abc", "-1", "1.5", "99999999999999999999"])
def test_a_bad_cursor_is_refused_naming_since(
    client: TestClient, people: dict[str, User], auth: Auth, since: str
) -> None:
    response = client.get("/api/v1/changes", params={"since": since}, headers=auth(people["de"]))
    assert response.status_code == 422
    assert "since" in response.text


def test_leaving_a_sharing_group_removes_its_records_and_joining_brings_them(
    client: TestClient, people: dict[str, User], auth: Auth, start: str
) -> None:
    fr, de, it = auth(people["officer"]), auth(people["de"]), auth(people["it"])
    made = client.post(
        "/api/v1/groups", json={"name": "Rhine task force", "countries": ["DE"]}, headers=fr
    )
    assert made.status_code == 201, made.text
    group = made.json()["id"]
    record = create(client, fr, {"mode": "group", "group": group})
    de_page = feed(client, de, start)
    assert ops(de_page) == [("upsert", record)]
    it_page = feed(client, it, start)
    assert it_page["items"] == []

    members = f"/api/v1/groups/{group}/members"
    changed = client.patch(members, json={"add": ["IT"], "remove": ["DE"]}, headers=fr)
    assert changed.status_code == 200, changed.text
    assert ops(feed(client, de, de_page["cursor"])) == [("remove", record)]
    assert ops(feed(client, it, it_page["cursor"])) == [("upsert", record)]
