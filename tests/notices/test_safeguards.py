"""What the notice workflow guards against: flags resolved by anyone but a reviewer,
resolutions outliving the text they cleared, other bureaus' data circulated in a notice,
members reading a request's workings, a supervisor approving their own request, claims
standing in for evidence, and duplicate references under concurrency."""

from __future__ import annotations

import copy
import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core.db import make_engine, make_session_factory
from interlink.core.events import Event
from interlink.core.types import utcnow
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.notices.service import next_reference
from interlink.notices.transitions import mark_reviews_due
from tests.notices.conftest import Auth, Flow, make_record


def _political(valid: dict[str, dict[str, Any]]) -> dict[str, Any]:
    data = copy.deepcopy(valid["red"])
    data["context"] = "He attended an opposition party meeting once. " + "Facts. " * 30
    return data


def test_only_a_reviewer_resolves_flags(flow: Flow, valid: dict[str, dict[str, Any]]) -> None:
    notice = flow.create("red", _political(valid)).json()
    assert notice["flags"]
    sneaky = flow.act(notice, "submit", "officer", resolutions=flow.clearing(notice))
    assert sneaky.status_code == 422
    assert sneaky.json()["errors"][0]["field"] == "body.resolutions"


def test_a_resolution_holds_only_for_the_text_it_cleared(
    flow: Flow, valid: dict[str, dict[str, Any]]
) -> None:
    data = _political(valid)
    notice = flow.published("red", data)
    assert all(flag["resolution"]["decision"] == "cleared" for flag in notice["flags"])
    # The same flag again, further along the same field: cleared no longer.
    data["context"] += " The ministry wants him because he leads the opposition party."
    revised = flow.must(notice, "revise", "officer", data=data)
    assert any(not flag.get("resolution") for flag in revised["pending"]["flags"])
    assert flow.act(revised, "publish", "reviewer").status_code == 422
    # Unchanged text keeps its resolution.
    same = flow.published("red", _political(valid))
    again = flow.must(same, "revise", "officer", data=_political(valid))
    assert all(flag.get("resolution") for flag in again["pending"]["flags"])


def test_a_notice_is_about_the_requesting_bureaus_own_records(
    flow: Flow, valid: dict[str, dict[str, Any]], client: TestClient,
    people: dict[str, User], auth: Auth,
) -> None:  # fmt: skip
    shared = make_record(client, "persons", people["de"], auth,
                         visibility={"mode": "all_members"})  # fmt: skip
    data = {**valid["red"], "person": {"record_id": shared}}
    response = flow.create("red", data)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "body.data.person.record_id"
    assert "requesting bureau" in error["message"]


def test_members_see_what_is_published_not_the_workings(
    flow: Flow, valid: dict[str, dict[str, Any]], client: TestClient,
    people: dict[str, User], auth: Auth,
) -> None:  # fmt: skip
    notice = flow.published("red", _political(valid))
    revised = copy.deepcopy(_political(valid))
    revised["summary"] += " Unreviewed."
    flow.must(notice, "revise", "officer", data=revised)
    path = f"/api/v1/notices/{notice['id']}"
    seen = client.get(path, headers=auth(people["it"])).json()
    assert seen["pending"] is None and seen["flags"] == []
    assert not seen["data"]["summary"].endswith("Unreviewed.")
    assert client.get(f"{path}/history", headers=auth(people["it"])).status_code == 403
    own = client.get(path, headers=auth(people["officer"])).json()
    assert own["pending"]["data"]["summary"].endswith("Unreviewed.") and own["flags"]
    assert client.get(f"{path}/history", headers=auth(people["reviewer"])).status_code == 200


def test_a_supervisor_does_not_approve_their_own_request(
    flow: Flow, valid: dict[str, dict[str, Any]]
) -> None:
    notice = flow.create("blue", valid["blue"], who="supervisor").json()
    submitted = flow.must(notice, "submit", "supervisor")
    assert flow.act(submitted, "approve", "supervisor").status_code == 403


def test_a_photo_is_an_attached_image_not_a_claim(
    flow: Flow, valid: dict[str, dict[str, Any]], client: TestClient,
    people: dict[str, User], auth: Auth,
) -> None:  # fmt: skip
    undated = make_record(client, "persons", people["officer"], auth, date_of_birth=None)
    data = {**valid["red"], "person": {"record_id": undated, "photo": True}}
    assert flow.create("red", data).status_code == 422
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    files = f"/api/v1/records/persons/{undated}/files"
    client.post(files, files={"file": ("f.png", png, "image/png")},
                headers=auth(people["officer"]))  # fmt: skip
    created = flow.create("red", data)
    assert created.status_code == 201 and created.json()["data"]["person"]["photo"] is True


def test_more_fields_are_screened_for_neutrality(
    flow: Flow, valid: dict[str, dict[str, Any]]
) -> None:
    data = copy.deepcopy(valid["red"])
    data["warrant"]["issuing_authority"] = "Military Court of the 3rd Army"
    notice = flow.create("red", data).json()
    assert "warrant.issuing_authority" in {flag["field"] for flag in notice["flags"]}


def test_a_revision_of_a_notice_due_for_review(
    flow: Flow, valid: dict[str, dict[str, Any]], session: Session
) -> None:
    notice = flow.published("blue", valid["blue"])
    reviewer = actor_for_user(flow.people["reviewer"])
    mark_reviews_due(session, actor=reviewer, now=utcnow() + timedelta(days=6 * 366))
    session.commit()
    changed = {**valid["blue"], "summary": valid["blue"]["summary"] + " More."}
    revised = flow.must(notice, "revise", "officer", data=changed)
    returned = flow.must(revised, "return", "reviewer", reason="not needed")
    assert returned["status"] == "review_due"
    revised = flow.must(returned, "revise", "officer", data=changed)
    published = flow.must(revised, "publish", "reviewer")
    assert published["status"] == "published"
    assert published["review_due_at"] > notice["review_due_at"]


def test_diffusion_recipients_hear_of_a_block(
    client: TestClient, people: dict[str, User], auth: Auth,
    valid: dict[str, dict[str, Any]], session: Session,
) -> None:  # fmt: skip
    body = {"type": "blue", "data": valid["blue"], "recipients": ["DE"]}
    diffusion = client.post("/api/v1/diffusions", json=body, headers=auth(people["officer"]))
    path = f"/api/v1/diffusions/{diffusion.json()['id']}/block"
    client.post(path, json={"reason": "no link to a crime"}, headers=auth(people["reviewer"]))
    events = session.scalars(select(Event).where(Event.object_id == diffusion.json()["id"]))
    assert [(e.topic, e.audience) for e in events] == [
        ("diffusion.send", ",DE,"), ("diffusion.block", ",DE,")
    ]  # fmt: skip


def test_unreasonable_pages_are_refused(client: TestClient, people: dict[str, User],
                                        auth: Auth) -> None:  # fmt: skip
    assert client.get("/notices/v1/red", params={"page": 10**19}).status_code == 422
    response = client.get("/api/v1/notices", params={"offset": 10**19},
                          headers=auth(people["officer"]))  # fmt: skip
    assert response.status_code == 422


@pytest.mark.parametrize("workers", [2])
def test_references_are_unique_under_concurrency(fresh_database_url: str, workers: int) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    barrier = threading.Barrier(workers)
    got: list[str] = []

    def take() -> None:
        with factory() as session:
            barrier.wait()
            got.append(next_reference(session, "notice", 2099))
            session.commit()

    threads = [threading.Thread(target=take) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert sorted(got) == ["2099/00001", "2099/00002"]
