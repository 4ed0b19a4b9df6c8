"""The workflow through the API: every action from every status (legal ones succeed,
the rest answer 409), who may take each step, what each party sees at each stage, the
five-year review, and the audit entry and event of every transition."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.audit.models import AuditEntry
from interlink.core.events import Event
from interlink.core.types import utcnow
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.notices.transitions import mark_reviews_due
from tests.notices.conftest import Auth, Flow

STATUSES = [
    "draft", "submitted", "under_review", "returned", "refused", "published", "revised",
    "review_due", "cancelled",
]  # fmt: skip

# Written out from the workflow, independently of notices/workflow.py.
LEGAL = {
    "submit": {"draft", "returned"},
    "approve": {"submitted"},
    "send_back": {"submitted"},
    "publish": {"under_review", "revised"},
    "return": {"under_review", "revised"},
    "refuse": {"under_review", "revised"},
    "revise": {"published", "review_due"},
    "renew": {"review_due"},
    "cancel": {"draft", "submitted", "under_review", "returned", "published", "revised",
               "review_due"},
}  # fmt: skip
PARTY = {
    "submit": "officer", "approve": "supervisor", "send_back": "supervisor",
    "publish": "reviewer", "return": "reviewer", "refuse": "reviewer", "revise": "officer",
    "renew": "officer", "cancel": "officer",
}  # fmt: skip


def _in_status(flow: Flow, data: dict[str, Any], status: str, session: Session) -> dict[str, Any]:
    notice = flow.create("blue", data).json()
    if status == "draft":
        return notice
    notice = flow.must(notice, "submit", "officer")
    if status == "submitted":
        return notice
    notice = flow.must(notice, "approve", "supervisor")
    if status in ("returned", "refused"):
        action = "return" if status == "returned" else "refuse"
        return flow.must(notice, action, "reviewer", reason="incomplete facts")
    if status == "under_review":
        return notice
    notice = flow.must(notice, "publish", "reviewer", resolutions=flow.clearing(notice))
    if status == "revised":
        return flow.must(notice, "revise", "officer", data=_changed(data))
    if status == "cancelled":
        return flow.must(notice, "cancel", "officer", cancel_reason="arrested", reason="caught")
    if status == "review_due":
        reviewer = actor_for_user(flow.people["reviewer"])
        mark_reviews_due(session, actor=reviewer, now=utcnow() + timedelta(days=6 * 366))
        session.commit()
        notice = flow.client.get(
            f"/api/v1/notices/{notice['id']}", headers=flow.auth(flow.people["officer"])
        ).json()
    return notice


def _changed(data: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    changed["summary"] += " Revised."
    return changed


@pytest.mark.parametrize("status", STATUSES)
def test_every_action_from_every_status(
    flow: Flow, valid: dict[str, dict[str, Any]], session: Session, status: str
) -> None:
    for action, legal_from in LEGAL.items():
        notice = _in_status(flow, valid["blue"], status, session)
        assert notice["status"] == status
        body: dict[str, Any] = {"reason": "because", "cancel_reason": "withdrawn"}
        if action == "revise":
            body["data"] = _changed(valid["blue"])
        if action == "publish":
            body["resolutions"] = flow.clearing(notice)
        if action not in ("cancel",):
            body.pop("cancel_reason")
        response = flow.act(notice, action, PARTY[action], **body)
        expected = 200 if status in legal_from else 409
        assert response.status_code == expected, (status, action, response.text)
        if expected == 409:
            assert status in response.json()["detail"]


def test_who_may_take_each_step(flow: Flow, valid: dict[str, dict[str, Any]]) -> None:
    draft = flow.create("blue", valid["blue"]).json()
    assert flow.act(draft, "submit", "reviewer").status_code == 403  # the bureau submits
    assert flow.act(draft, "submit", "de").status_code == 404  # another bureau's draft
    submitted = flow.must(draft, "submit", "officer")
    assert flow.act(submitted, "approve", "officer").status_code == 403  # supervisors approve
    assert flow.act(submitted, "approve", "de_supervisor").status_code == 404
    back = flow.must(submitted, "send_back", "supervisor", reason="add the associates")
    assert back["status"] == "draft"
    assert flow.act(back, "send_back", "supervisor").status_code == 409
    under_review = flow.must(flow.must(back, "submit", "officer"), "approve", "supervisor")
    assert flow.act(under_review, "publish", "officer").status_code == 403
    assert flow.act(under_review, "publish", "analyst").status_code == 403
    assert flow.act(under_review, "return", "reviewer").status_code == 422  # no reason
    assert flow.act(under_review, "fly", "reviewer").json()["errors"][0]["field"] == "action"
    assert flow.create("blue", valid["blue"], who="reviewer").status_code == 403


def test_returned_requests_are_corrected_and_resubmitted(
    flow: Flow,
    valid: dict[str, dict[str, Any]],
    client: TestClient,
    people: dict[str, User],
    auth: Auth,
) -> None:
    notice = flow.must(flow.must(flow.create("blue", valid["blue"]).json(), "submit", "officer"),
                       "approve", "supervisor")  # fmt: skip
    path = f"/api/v1/notices/{notice['id']}"
    # Under review, the request is not edited.
    patch = {"data": _changed(valid["blue"])}
    assert client.patch(path, json=patch, headers=auth(people["officer"])).status_code == 409
    returned = flow.must(notice, "return", "reviewer", reason="say what is sought")
    corrected = client.patch(path, json=patch, headers=auth(people["officer"]))
    assert corrected.status_code == 200 and corrected.json()["data"]["summary"].endswith("Revised.")
    assert flow.must(returned, "submit", "officer")["status"] == "submitted"


def test_what_each_party_sees(
    flow: Flow,
    valid: dict[str, dict[str, Any]],
    client: TestClient,
    people: dict[str, User],
    auth: Auth,
) -> None:
    draft = flow.create("green", valid["green"]).json()
    path = f"/api/v1/notices/{draft['id']}"

    def sees(who: str) -> bool:
        listed = client.get("/api/v1/notices", params={"type": "green"},
                            headers=auth(people[who])).json()["items"]  # fmt: skip
        found = client.get(path, headers=auth(people[who])).status_code == 200
        assert found == any(item["id"] == draft["id"] for item in listed), who
        return found

    assert sees("officer") and sees("supervisor") and sees("reviewer")
    assert not sees("de") and not sees("it")
    published = flow.must(
        flow.must(flow.must(draft, "submit", "officer"), "approve", "supervisor"),
        "publish", "reviewer", resolutions=flow.clearing(draft),
    )  # fmt: skip
    assert sees("de") and sees("it")
    flow.must(published, "cancel", "reviewer", cancel_reason="withdrawn", reason="rules")
    assert not sees("de") and sees("officer")


def test_lists_filter(
    flow: Flow,
    valid: dict[str, dict[str, Any]],
    client: TestClient,
    people: dict[str, User],
    auth: Auth,
) -> None:
    red = flow.published("red", valid["red"])
    flow.create("blue", valid["blue"])
    headers = auth(people["reviewer"])

    def refs(**params: Any) -> set[str]:
        response = client.get("/api/v1/notices", params={"limit": 500, **params}, headers=headers)
        assert response.status_code == 200, response.text
        return {item["reference"] for item in response.json()["items"]}

    assert red["reference"] in refs(type="red", status="published", country="FR")
    assert red["reference"] not in refs(type="blue")
    assert red["reference"] not in refs(country="DE")
    assert red["reference"] in refs(q="jewellers robbery")
    assert red["reference"] not in refs(q="kidnapping")
    today = utcnow().date()
    assert red["reference"] in refs(since=str(today), until=str(today))
    assert red["reference"] not in refs(until=str(today - timedelta(days=1)))
    bad = client.get("/api/v1/notices", params={"status": "lost"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


def test_review_due_after_five_years_and_renewal(
    flow: Flow, valid: dict[str, dict[str, Any]], session: Session
) -> None:
    notice = flow.published("blue", valid["blue"])
    reviewer = actor_for_user(flow.people["reviewer"])
    assert mark_reviews_due(session, actor=reviewer, now=utcnow() + timedelta(days=4 * 365)) == []
    due = mark_reviews_due(session, actor=reviewer, now=utcnow() + timedelta(days=5 * 366))
    assert [n.reference for n in due] == [notice["reference"]]
    session.commit()
    renewed = flow.must(notice, "renew", "officer", reason="still wanted")
    assert renewed["status"] == "published"
    assert renewed["review_due_at"] > notice["review_due_at"]


def test_every_transition_is_audited_and_announced(
    flow: Flow, valid: dict[str, dict[str, Any]], session: Session
) -> None:
    notice = flow.published("red", valid["red"])
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_id == notice["id"], AuditEntry.action == "notice.transition"
        )
    ).all()
    actions = [entry.after["action"] for entry in entries]
    assert actions == ["create", "submit", "approve", "publish"]
    events = session.scalars(select(Event).where(Event.object_id == notice["id"])).all()
    assert [event.topic for event in events] == [
        "notice.create", "notice.submit", "notice.approve", "notice.publish"
    ]  # fmt: skip
    assert events[-1].audience == "*" and events[0].audience == ",SEC,"
    assert events[-1].owner == "FR" and events[-1].payload["status"] == "published"


def test_review_due_command(fresh_database_url: str) -> None:
    from typer.testing import CliRunner

    from interlink.cli import app as cli

    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    runner = CliRunner()
    assert runner.invoke(cli, ["notices", "review-due", "--as", "nobody"], env=env).exit_code == 2
    added = runner.invoke(
        cli, ["user", "add", "rev", "--role", "reviewer", "--country", "SEC",
              "--password", "a long enough password"], env=env,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    result = runner.invoke(cli, ["notices", "review-due", "--as", "rev"], env=env)
    assert result.exit_code == 0, result.output
    assert "0 notice(s) now due for review" in result.output


def test_the_steps_each_party_is_offered() -> None:
    import uuid as uuid_

    from interlink.access import Actor, Role
    from interlink.notices.workflow import Status, steps_for

    def actor(role: Role) -> Actor:
        return Actor.build(id=uuid_.uuid4(), name="x", role=role, bureau_id=uuid_.uuid4(),
                           bureau_code="FR", country="FR")  # fmt: skip

    officer, supervisor, reviewer = (
        actor(Role.OFFICER),
        actor(Role.SUPERVISOR),
        actor(Role.REVIEWER),
    )
    assert steps_for("notice", Status.DRAFT, by_owner=True, actor=officer) == ["submit", "cancel"]
    assert steps_for("notice", Status.SUBMITTED, by_owner=True, actor=officer) == ["cancel"]
    assert steps_for("notice", Status.SUBMITTED, by_owner=True, actor=supervisor) == [
        "approve", "send_back", "cancel"
    ]  # fmt: skip
    assert steps_for("notice", Status.UNDER_REVIEW, by_owner=False, actor=reviewer) == [
        "publish", "return", "refuse"
    ]  # fmt: skip
    assert steps_for("notice", Status.PUBLISHED, by_owner=False, actor=reviewer) == ["cancel"]
