"""The audit trail is hash-chained: any change or removal is detected, by API and CLI."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from interlink.access import Role
from interlink.audit import AuditAction, record, verify_chain
from interlink.audit.models import AuditEntry, AuditHead
from interlink.cli import app as cli
from interlink.core.context import request_scope
from interlink.core.db import make_engine, make_session_factory
from interlink.members.models import User

runner = CliRunner()


def _write_entries(url: str, count: int) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session, request_scope("req-audit-test"):
        for index in range(count):
            record(
                session,
                AuditAction.USER_UPDATE,
                actor_name="tester",
                object_type="user",
                object_id=f"u{index}",
                before={"role": "officer"},
                after={"role": "supervisor", "name": "Ζωή Παπαδοπούλου"},
            )
        session.commit()
    engine.dispose()


def _tamper(url: str, statement: object) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(statement)  # type: ignore[call-overload]
    engine.dispose()


def _verify(url: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["audit", "verify"], env={"INTERLINK_DATABASE_URL": url})
    return result.exit_code, result.output


def test_entries_are_written_in_the_changes_transaction(session: Session) -> None:
    before = session.scalar(select(AuditHead.seq)) or 0
    record(session, AuditAction.USER_CREATE, actor_name="tester", object_id="x")
    session.rollback()
    assert (session.scalar(select(AuditHead.seq)) or 0) == before
    entry = record(session, AuditAction.USER_CREATE, actor_name="tester", object_id="y")
    session.commit()
    assert entry.seq == before + 1
    assert verify_chain(session).ok


def test_intact_trail_verifies(fresh_database_url: str) -> None:
    _write_entries(fresh_database_url, 5)
    code, output = _verify(fresh_database_url)
    assert code == 0, output
    assert "intact" in output


@pytest.mark.parametrize(
    ("tampering", "bad_seq"),
    [
        (update(AuditEntry).where(AuditEntry.seq == 3).values(actor="someone else"), 3),
        (update(AuditEntry).where(AuditEntry.seq == 4).values(after={"role": "admin"}), 4),
        (delete(AuditEntry).where(AuditEntry.seq == 2), 2),
        (delete(AuditEntry).where(AuditEntry.seq == 6), 6),  # the newest entry
        (update(AuditEntry).where(AuditEntry.seq == 5).values(action="auth.login"), 5),
    ],
    ids=["actor-changed", "after-changed", "middle-removed", "last-removed", "action-changed"],
)
def test_tampering_is_detected_and_named(
    fresh_database_url: str, tampering: object, bad_seq: int
) -> None:
    _write_entries(fresh_database_url, 5)  # entry 1 is the network seed, 2..6 these
    _tamper(fresh_database_url, tampering)
    code, output = _verify(fresh_database_url)
    assert code == 1, output
    assert f"entry {bad_seq}" in output


def test_rehashing_a_changed_entry_still_breaks_the_chain(fresh_database_url: str) -> None:
    """Re-hashing the altered entry does not help: the next entry points at the old hash."""
    from interlink.audit.service import entry_hash

    _write_entries(fresh_database_url, 3)
    engine = make_engine(fresh_database_url)
    with make_session_factory(engine)() as session:
        entry = session.get_one(AuditEntry, 2)
        entry.actor = "forger"
        entry.hash = entry_hash(entry)
        session.commit()
    engine.dispose()
    code, output = _verify(fresh_database_url)
    assert code == 1 and "entry 3" in output


def test_auditors_search_and_verify_over_the_api(
    client: TestClient, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]]
) -> None:
    auditor = make_user(Role.AUDITOR, "SEC")
    officer = make_user(Role.OFFICER, "FR")
    client.post("/api/v1/auth/token", data={"username": officer.username, "password": "wrong one"})
    found = client.get(
        "/api/v1/audit", params={"action": "auth.login_failed"}, headers=auth(auditor)
    ).json()
    assert found["total"] == 1
    entry = found["items"][0]
    assert entry["actor"] == officer.username and entry["object_id"] == str(officer.id)
    assert entry["request_id"]
    verified = client.get("/api/v1/audit/verify", headers=auth(auditor)).json()
    assert verified["ok"] is True and verified["entries"] >= 2
    assert client.get("/api/v1/audit", headers=auth(officer)).status_code == 403
