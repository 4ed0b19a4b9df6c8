"""Records kept past their kind's period come back to their owner for review: kept for
another period (with a reason) or deleted, audited either way."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.core.types import utcnow
from interlink.members.models import User
from interlink.records.models import Record
from tests.records.examples import VALID

Auth = Callable[[User], dict[str, str]]
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _record(
    client: TestClient, kind: str, who: User, auth: Auth, age_days: int, session: Session
) -> str:
    response = client.post(f"/api/v1/records/{kind}", json=VALID[kind], headers=auth(who))
    assert response.status_code == 201, response.text
    record_id = uuid.UUID(response.json()["id"])
    session.execute(
        update(Record)
        .where(Record.id == record_id)
        .values(updated_at=NOW - timedelta(days=age_days))
    )
    session.commit()
    return str(record_id)


def test_owners_review_what_is_past_its_period(
    client: TestClient,
    make_user: Callable[..., User],
    auth: Auth,
    session: Session,
) -> None:
    client.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    fr, de = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    reviewer = make_user(Role.REVIEWER, "SEC")
    old_person = _record(client, "persons", fr, auth, 6 * 366, session)  # 5-year period
    young_document = _record(client, "travel-documents", fr, auth, 6 * 366, session)  # 10
    old_indicator = _record(client, "indicators", fr, auth, 3 * 366, session)  # 2
    _record(client, "persons", fr, auth, 100, session)
    due = client.get("/api/v1/retention", headers=auth(fr)).json()
    assert {d["record_id"] for d in due} == {old_person, old_indicator}
    assert young_document not in {d["record_id"] for d in due}
    assert client.get("/api/v1/retention", headers=auth(de)).json() == []  # not DE's
    seen_by_reviewer = client.get("/api/v1/retention?kind=persons", headers=auth(reviewer)).json()
    assert [d["record_id"] for d in seen_by_reviewer] == [old_person]
    bad = client.get("/api/v1/retention?kind=spaceships", headers=auth(fr))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"

    keep = {"decision": "keep", "reason": "investigation still open"}
    assert (
        client.post(f"/api/v1/retention/{old_person}", json=keep, headers=auth(de)).status_code
        == 404
    )
    kept = client.post(f"/api/v1/retention/{old_person}", json=keep, headers=auth(fr))
    assert kept.status_code == 200 and kept.json()["deleted"] is False
    again = client.post(f"/api/v1/retention/{old_person}", json=keep, headers=auth(fr))
    assert again.status_code == 422 and "not due for review until 2031-" in again.text
    deleted = client.post(
        f"/api/v1/retention/{old_indicator}",
        json={"decision": "delete", "reason": "indicator no longer relevant"},
        headers=auth(fr),
    )
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert client.get("/api/v1/retention", headers=auth(fr)).json() == []
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.object_id.in_([old_person, old_indicator]))
    ).all()
    actions = {(e.object_id, e.action) for e in entries}
    assert (old_person, "record.retention_review") in actions
    assert (old_indicator, "record.delete") in actions


def test_the_command_line_lists_what_is_due(fresh_database_url: str) -> None:
    from typer.testing import CliRunner

    from interlink.cli import app as cli
    from interlink.core.db import make_engine

    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    runner = CliRunner()
    added = runner.invoke(
        cli, ["user", "add", "fr.o", "--role", "officer", "--country", "FR", "--password",
              "a long enough password"], env=env,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        fr = session.scalars(select(User).where(User.username == "fr.o")).one()
        for age in (7 * 366, 30):
            kept = {"title": f"P{age}", "owner_bureau_id": fr.bureau_id,
                    "updated_at": utcnow() - timedelta(days=age)}  # fmt: skip
            session.add(Record.example(kind="persons", data={"family_name": "Old"}, **kept))
        session.commit()
    engine.dispose()
    listed = runner.invoke(cli, ["data-protection", "retention-due", "--as", "fr.o"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "P2562" in listed.output and "1 record(s) due" in listed.output
    assert "P30" not in listed.output
    unknown = runner.invoke(cli, ["data-protection", "retention-due", "--as", "nobody"], env=env)
    assert unknown.exit_code != 0 and "--as" in unknown.output
