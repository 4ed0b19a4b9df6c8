"""Audit pages through the app: searching the trail, verifying the chain (and finding a
tampered entry), exporting as CSV and NDJSON with the hashes that verify; for auditors only."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit import AuditAction, record
from interlink.audit.models import AuditEntry, AuditHead
from interlink.audit.service import entry_hash
from interlink.core.types import utcnow
from interlink.members.models import User
from interlink.web.audit_pages import EXPORT_FIELDS
from tests.web.test_admin_pages import sign_in

MakeUser = Callable[..., User]


def _failed_sign_in(client: TestClient, user: User) -> None:
    client.post("/api/v1/auth/token", data={"username": user.username, "password": "wrong one"})


def test_only_auditors_read_the_trail(client: TestClient, make_user: MakeUser) -> None:
    for role, country in ((Role.OFFICER, "FR"), (Role.ADMIN, "SEC"), (Role.SUPERVISOR, "DE")):
        sign_in(client, make_user(role, country))
        for page in ("/audit", "/audit/verify", "/audit/export?format=csv"):
            answer = client.get(page)
            assert answer.status_code == 403, (role, page)
            assert "read by auditors" in answer.text and "hash" not in answer.text
    client.cookies.clear()
    assert client.get("/audit/export", follow_redirects=False).headers["location"] == "/signin"


def test_search_filters_by_actor_action_object_and_dates(
    client: TestClient, make_user: MakeUser
) -> None:
    auditor = make_user(Role.AUDITOR, "SEC")
    french, german = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    _failed_sign_in(client, french)
    _failed_sign_in(client, german)
    sign_in(client, auditor)
    page = client.get("/audit")
    assert page.status_code == 200 and "auth.login_failed" in page.text
    by_actor = client.get("/audit", params={"actor": french.username}).text
    assert "1 entry" in by_actor and german.username not in by_actor
    by_action = client.get("/audit", params={"action": "auth.login_failed"}).text
    assert french.username in by_action and german.username in by_action
    by_object = client.get("/audit", params={"object_type": "user", "object_id": str(german.id)})
    assert german.username in by_object.text and french.username not in by_object.text
    today = utcnow().date()
    within = {"action": "auth.login_failed", "since": str(today), "until": str(today)}
    assert "2 entries" in client.get("/audit", params=within).text
    later = {"action": "auth.login_failed", "since": str(today + timedelta(days=1))}
    assert "0 entries" in client.get("/audit", params=later).text
    earlier = {"action": "auth.login_failed", "until": str(today - timedelta(days=1))}
    assert "0 entries" in client.get("/audit", params=earlier).text

    bad = client.get("/audit", params={"since": "2026-13-01", "action": "nothing.at_all"})
    assert bad.status_code == 422
    assert 'aria-describedby="since-error"' in bad.text and 'id="action-error"' in bad.text
    for edge in ({"until": "9999-12-31"}, {"since": "0001-01-01T00:00:00+14:00"}):
        beyond = client.get("/audit", params=edge)  # the calendar's edges: refused, not a 500
        assert beyond.status_code == 422 and f'id="{next(iter(edge))}-error"' in beyond.text
    backwards = client.get("/audit", params={"since": str(today), "until": "2000-01-01"})
    assert backwards.status_code == 422 and "before its start" in backwards.text


def test_search_pages_through_many_entries(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    auditor = make_user(Role.AUDITOR, "SEC")
    for index in range(55):
        record(session, AuditAction.USER_UPDATE, actor_name="pager", object_id=f"p{index}")
    session.commit()
    sign_in(client, auditor)
    first = client.get("/audit", params={"actor": "pager"}).text
    assert "55 entries, page 1 of 2" in first and ">p54<" in first and ">p4<" not in first
    assert "actor=pager&amp;page=2" in first
    second = client.get("/audit", params={"actor": "pager", "page": "2"}).text
    assert ">p4<" in second and ">p0<" in second and ">p5<" not in second


def _entry(row: dict[str, object]) -> AuditEntry:
    """An entry rebuilt from an exported row, to recompute its hash outside the database."""
    at = datetime.fromisoformat(str(row["at"]).replace("Z", "+00:00"))
    fields = {name: row[name] for name in EXPORT_FIELDS if name not in ("at", "hash")}
    return AuditEntry(**fields, at=at)


def test_exports_carry_what_the_hash_covers(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    auditor = make_user(Role.AUDITOR, "SEC")
    record(session, AuditAction.USER_UPDATE, actor_name="=HYPERLINK(1)", object_id="u1",
           before={"role": "officer"}, after={"role": "supervisor", "name": "Ζωή"})  # fmt: skip
    record(session, AuditAction.USER_UPDATE, actor_name="exporter", object_id="u2")
    session.commit()
    sign_in(client, auditor)

    ndjson = client.get("/audit/export", params={"format": "ndjson", "action": "user.update"})
    assert ndjson.status_code == 200
    assert ndjson.headers["content-type"] == "application/x-ndjson"
    disposition = ndjson.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="audit-') and ".ndjson" in disposition
    assert ndjson.headers["x-content-type-options"] == "nosniff"
    rows = [json.loads(line) for line in ndjson.text.splitlines()]
    assert [row["actor"] for row in rows] == ["=HYPERLINK(1)", "exporter"]  # verbatim, in order
    assert rows[0]["after"] == {"name": "Ζωή", "role": "supervisor"}
    for row in rows:
        assert entry_hash(_entry(row)) == row["hash"]
    assert rows[1]["prev_hash"] == rows[0]["hash"]

    exported = client.get("/audit/export", params={"format": "csv", "actor": "exporter"})
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert ".csv" in exported.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert list(table[0]) == list(EXPORT_FIELDS) and len(table) == 1
    assert table[0]["hash"] == rows[1]["hash"] and table[0]["object_id"] == "u2"
    neutral = client.get("/audit/export", params={"format": "csv", "object_id": "u1"}).text
    assert "'=HYPERLINK(1)" in neutral  # a spreadsheet shows it, does not run it
    assert '"{""name"":""Ζωή"",""role"":""supervisor""}"' in neutral

    bad = client.get("/audit/export", params={"format": "xlsx"}, headers={"Accept": "text/html"})
    assert bad.status_code == 422 and "csv or ndjson" in bad.text
    # Each copy taken of the trail is on the trail, with what was asked for.
    copies = client.get("/audit/export", params={"format": "ndjson", "action": "audit.export"})
    taken = [json.loads(line)["after"] for line in copies.text.splitlines()]
    assert [copy["format"] for copy in taken] == ["ndjson", "csv", "csv"]
    assert taken[0]["action"] == "user.update" and taken[2]["object_id"] == "u1"


def test_verify_reports_an_intact_chain_and_names_a_tampered_entry(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    auditor = make_user(Role.AUDITOR, "SEC")
    entry = record(session, AuditAction.USER_UPDATE, actor_name="honest", object_id="t1")
    session.commit()
    sign_in(client, auditor)
    intact = client.get("/audit/verify")
    head = session.get_one(AuditHead, 1)
    session.refresh(head)
    assert intact.status_code == 200 and "Intact:" in intact.text
    assert head.hash in intact.text and f"{head.seq} entries verified" in intact.text

    session.execute(update(AuditEntry).where(AuditEntry.seq == entry.seq).values(actor="forger"))
    session.commit()
    broken = client.get("/audit/verify")
    assert f"Broken at entry {entry.seq}" in broken.text
    assert "does not match its hash" in broken.text and "forger" in broken.text
    assert session.scalar(select(AuditEntry.actor).where(AuditEntry.seq == entry.seq)) == "forger"


def test_an_auditor_keeps_a_checkpoint_and_checks_a_shortened_log_against_it(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    """In the console as with `interlink audit verify --checkpoint`: a checkpoint downloaded
    today refuses the log once its newest entries are removed and the head moved back,
    though the chain itself still reads as intact."""
    for n in range(5):
        record(session, AuditAction.USER_UPDATE, actor_name="honest", object_id=f"c{n}")
    session.commit()
    sign_in(client, make_user(Role.AUDITOR, "SEC"))
    kept = client.get("/audit/checkpoint")
    assert kept.status_code == 200 and "attachment" in kept.headers["content-disposition"]
    signed_seq = kept.json()["checkpoint"]["seq"]
    pem = client.get("/audit/public-key")
    assert pem.status_code == 200 and pem.text.startswith("-----BEGIN PUBLIC KEY-----")

    def check(files: list[tuple[str, tuple[str, bytes, str]]]) -> tuple[int, str]:
        page = client.get("/audit/verify")  # the form's CSRF token
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        answer = client.post("/audit/verify", data={"csrf_token": token}, files=files)
        return answer.status_code, answer.text

    upload = [("checkpoints", ("today.json", kept.content, "application/json"))]
    status, text = check(upload)
    assert status == 200 and "Matches" in text and f"entry {signed_seq} is as signed" in text

    # Remove the newest three entries and move the head back: the chain alone is intact.
    head = session.get_one(AuditHead, 1)
    session.refresh(head)
    keep = head.seq - 3
    session.execute(delete(AuditEntry).where(AuditEntry.seq > keep))
    last = session.get_one(AuditEntry, keep)
    head.seq, head.hash = last.seq, last.hash
    session.commit()
    status, text = check(upload)
    assert status == 200 and "Intact:" in text  # the chain alone cannot tell
    assert "Refused" in text and "entries were removed" in text

    forged = json.loads(kept.content)
    forged["checkpoint"]["hash"] = "0" * 64
    status, text = check([("checkpoints", ("forged.json", json.dumps(forged).encode(), "x"))])
    assert "Refused" in text and "forged or altered" in text

    status, text = check([("checkpoints", ("notes.json", b"[1, 2", "application/json"))])
    assert status == 422 and 'id="checkpoints-error"' in text and "notes.json is not JSON" in text
