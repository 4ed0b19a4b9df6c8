"""Signed checkpoints make a rewritten audit log provable to an outsider.

Whoever can write the database can rewrite the chain consistently (remove the newest
entries and move the head, or edit an entry and recompute every later hash): ``audit
verify`` alone still says "intact". A checkpoint signed with the installation's key and
kept outside the database refuses both, by CLI (with the installation's secret, or only
its public key) and by API; a forged checkpoint is refused too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from typer.testing import CliRunner

from interlink.access import Role
from interlink.app import create_app
from interlink.audit import AuditAction, record
from interlink.audit.checkpoint import sign_head, signed_content
from interlink.audit.models import AuditEntry, AuditHead
from interlink.audit.schemas import CheckpointDocument
from interlink.audit.service import entry_hash
from interlink.cli import app as cli
from interlink.core.config import Settings
from interlink.core.db import make_engine, make_session_factory
from interlink.core.signing import decode_signature, installation_key, load_public_key
from interlink.members.models import User
from tests.conftest import SECRET

runner = CliRunner()
OTHER_SECRET = "another-installation-" + "7c1e9a3b5d" * 4


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are named relative to a private directory, so that the paths the commands
    print are short enough for the console not to wrap them."""
    monkeypatch.chdir(tmp_path)


def _env(url: str, secret: str | None = SECRET) -> dict[str, str | None]:
    return {"INTERLINK_DATABASE_URL": url, "INTERLINK_SECRET_KEY": secret}


def _cli(url: str, *args: str, secret: str | None = SECRET) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), env=_env(url, secret))
    return result.exit_code, " ".join(result.output.split())


def _write_entries(url: str, count: int) -> int:
    """``count`` entries more; the new head's seq."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        for index in range(count):
            entry = record(
                session,
                AuditAction.RECORD_UPDATE,
                actor_name="tester",
                object_type="record",
                object_id=f"r{index}",
                before={"status": "stolen"},
                after={"status": "recovered"},
            )
        session.commit()
        seq = entry.seq
    engine.dispose()
    return seq


def _checkpoint(url: str, out: Path) -> dict[str, object]:
    code, output = _cli(url, "audit", "checkpoint", "--out", str(out))
    assert code == 0, output
    document: dict[str, object] = json.loads(out.read_text())
    return document


def _drop_newest(url: str, count: int) -> None:
    """What a careful intruder does: remove the newest entries and move the head back."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        head = session.get_one(AuditHead, 1)
        keep = head.seq - count
        session.execute(delete(AuditEntry).where(AuditEntry.seq > keep))
        last = session.get_one(AuditEntry, keep)
        head.seq, head.hash = last.seq, last.hash
        session.commit()
    engine.dispose()


def _rewrite_from(url: str, seq: int) -> None:
    """Edit entry ``seq`` and recompute its hash, every later one, and the head."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.seq >= seq).order_by(AuditEntry.seq)
        ).all()
        entries[0].after = {"status": "destroyed"}
        prev = entries[0].prev_hash
        for entry in entries:
            entry.prev_hash = prev
            entry.hash = entry_hash(entry)
            prev = entry.hash
            session.flush()
        head = session.get_one(AuditHead, 1)
        head.seq, head.hash = entries[-1].seq, entries[-1].hash
        session.commit()
    engine.dispose()


def test_a_checkpoint_of_an_untouched_log_verifies(fresh_database_url: str) -> None:
    seq = _write_entries(fresh_database_url, 10)
    document = _checkpoint(fresh_database_url, Path("cp.json"))
    body = document["checkpoint"]
    assert isinstance(body, dict)
    assert body["seq"] == seq and body["format"] == "interlink-audit-checkpoint"
    assert body["key_id"] == installation_key(Settings(secret_key=SECRET)).public.key_id
    _write_entries(fresh_database_url, 3)  # the log grows after the checkpoint
    code, output = _cli(fresh_database_url, "audit", "verify", "--checkpoint", str(Path("cp.json")))
    assert code == 0, output
    assert f"entry {seq} is as signed" in output
    assert f"entries after {seq} are covered by no checkpoint yet" in output


def test_removing_the_newest_entries_is_refused(fresh_database_url: str) -> None:
    seq = _write_entries(fresh_database_url, 60)
    checkpoint = Path("cp.json")
    _checkpoint(fresh_database_url, checkpoint)
    _drop_newest(fresh_database_url, 50)
    code, output = _cli(fresh_database_url, "audit", "verify")
    assert code == 0 and "intact" in output, output  # the chain alone cannot tell
    code, output = _cli(fresh_database_url, "audit", "verify", "--checkpoint", str(checkpoint))
    assert code == 1, output
    assert f"checkpoint {checkpoint} refused" in output
    assert f"signed entry {seq} but the log ends at entry {seq - 50}" in output


def test_an_entry_rewritten_with_every_later_hash_is_refused(fresh_database_url: str) -> None:
    seq = _write_entries(fresh_database_url, 20)
    checkpoint = Path("cp.json")
    _checkpoint(fresh_database_url, checkpoint)
    _rewrite_from(fresh_database_url, seq - 15)
    code, output = _cli(fresh_database_url, "audit", "verify")
    assert code == 0 and "intact" in output, output
    code, output = _cli(fresh_database_url, "audit", "verify", "--checkpoint", str(checkpoint))
    assert code == 1, output
    assert f"the log was rewritten at or before entry {seq}" in output


def test_a_rewrite_after_the_newest_checkpoint_is_not_claimed_as_caught(
    fresh_database_url: str,
) -> None:
    """What a checkpoint covers ends at its entry: the command says so, and a rewrite of
    later entries passes (the server's periodic checkpoints bound that window)."""
    seq = _write_entries(fresh_database_url, 5)
    checkpoint = Path("cp.json")
    _checkpoint(fresh_database_url, checkpoint)
    _write_entries(fresh_database_url, 5)
    _rewrite_from(fresh_database_url, seq + 2)
    code, output = _cli(fresh_database_url, "audit", "verify", "--checkpoint", str(checkpoint))
    assert code == 0, output
    assert f"entries after {seq} are covered by no checkpoint yet" in output


def test_a_careless_removal_is_named_and_not_signed(fresh_database_url: str) -> None:
    """An entry removed without care: the checkpoint names it, and no checkpoint is
    signed over a head that the log does not hold."""
    seq = _write_entries(fresh_database_url, 5)
    _checkpoint(fresh_database_url, Path("cp.json"))
    _write_entries(fresh_database_url, 2)
    engine = make_engine(fresh_database_url)
    with engine.begin() as connection:
        connection.execute(delete(AuditEntry).where(AuditEntry.seq.in_([seq, seq + 2])))
    engine.dispose()
    code, output = _cli(fresh_database_url, "audit", "verify", "--checkpoint", "cp.json")
    assert code == 1, output
    assert f"entry {seq}, which it signed, is missing from the log" in output
    code, output = _cli(fresh_database_url, "audit", "checkpoint")
    assert code == 2, output
    assert f"the chain's head does not match the log's entry {seq + 2}" in output
    assert "no checkpoint was signed" in output


def _forge_entry(document: dict[str, object], url: str) -> dict[str, object]:
    """The checkpoint claims the rewritten log's hash, signature left as it was."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        body = dict(document["checkpoint"])  # type: ignore[call-overload]
        body["hash"] = session.get_one(AuditEntry, body["seq"]).hash
    engine.dispose()
    return {**document, "checkpoint": body}


def _signed_by_another(document: dict[str, object], url: str) -> dict[str, object]:
    """A checkpoint of the rewritten log, signed by a key the intruder made (naming ours)."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        forged = sign_head(session, installation_key(Settings(secret_key=OTHER_SECRET)))
    engine.dispose()
    data = json.loads(forged.model_dump_json())
    data["checkpoint"]["key_id"] = document["checkpoint"]["key_id"]  # type: ignore[index]
    return data  # type: ignore[no-any-return]


def _zeroed_signature(document: dict[str, object], url: str) -> dict[str, object]:
    return {**_forge_entry(document, url), "signature": "A" * 86 + "=="}


FORGERIES: dict[str, tuple[Callable[[dict[str, object], str], dict[str, object]], str]] = {
    "hash-replaced": (_forge_entry, "does not verify against key"),
    "signed-by-another-key": (_signed_by_another, "does not verify against key"),
    "signature-zeroed": (_zeroed_signature, "does not verify against key"),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_checkpoint_is_refused(forgery: str, fresh_database_url: str) -> None:
    _write_entries(fresh_database_url, 10)
    genuine = _checkpoint(fresh_database_url, Path("cp.json"))
    _rewrite_from(fresh_database_url, 3)
    forge, reason = FORGERIES[forgery]
    forged = Path("forged.json")
    forged.write_text(json.dumps(forge(genuine, fresh_database_url)))
    code, output = _cli(fresh_database_url, "audit", "verify", "--checkpoint", str(forged))
    assert code == 1, output
    assert f"checkpoint {forged} refused" in output and reason in output


def test_an_outsider_verifies_with_only_the_public_key(fresh_database_url: str) -> None:
    _write_entries(fresh_database_url, 60)
    checkpoint = Path("cp.json")
    _checkpoint(fresh_database_url, checkpoint)
    code, pem = _cli(fresh_database_url, "audit", "public-key")
    assert code == 0 and pem.startswith("-----BEGIN PUBLIC KEY-----"), pem
    public = Path("interlink.pem")
    public.write_text(runner.invoke(cli, ["audit", "public-key"], env=_env("sqlite://")).output)

    args = ("audit", "verify", "--checkpoint", str(checkpoint))
    code, output = _cli(fresh_database_url, *args, secret=None)
    assert code == 2 and "--public-key" in output, output  # no secret, no key: said how
    code, output = _cli(fresh_database_url, *args, "--public-key", str(public), secret=None)
    assert code == 0, output
    _drop_newest(fresh_database_url, 50)
    code, output = _cli(fresh_database_url, *args, "--public-key", str(public), secret=None)
    assert code == 1 and "entries were removed" in output, output
    other = Path("other.pem")
    other.write_text(installation_key(Settings(secret_key=OTHER_SECRET)).public.pem())
    code, output = _cli(fresh_database_url, *args, "--public-key", str(other), secret=None)
    assert code == 1 and "signed by another installation, or forged" in output, output


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not json", "is not JSON"),
        ('{"checkpoint": {"format": "something-else"}}', "is not an Interlink audit checkpoint"),
        (
            '{"checkpoint": {"format": "interlink-audit-checkpoint", "version": 2}}',
            "is a version 2 checkpoint",
        ),
        (
            '{"checkpoint": {"format": "interlink-audit-checkpoint", "version": 1, "seq": "9"},'
            ' "signature": "x"}',
            "is malformed",
        ),
    ],
    ids=["not-json", "other-format", "newer-version", "malformed"],
)
def test_a_file_that_is_not_a_checkpoint_is_named(
    content: str, reason: str, fresh_database_url: str
) -> None:
    bad = Path("bad.json")
    bad.write_text(content)
    code, output = _cli(fresh_database_url, "audit", "verify", "--checkpoint", str(bad))
    assert code == 2, output
    assert f"--checkpoint: {bad} {reason}" in output and "Traceback" not in output


def test_the_server_keeps_checkpoints_in_a_directory(fresh_database_url: str) -> None:
    """With INTERLINK_AUDIT_CHECKPOINT_DIR the server signs the head at start and then
    periodically; `verify --checkpoint DIR` checks every one there."""
    folder = Path("checkpoints")
    first = _write_entries(fresh_database_url, 60)
    settings = Settings(
        database_url=fresh_database_url,
        secret_key=SECRET,
        watch_seconds=0,
        audit_checkpoint_dir=folder,
    )
    with TestClient(create_app(settings)):
        pass
    second = _write_entries(fresh_database_url, 5)
    with TestClient(create_app(settings)):
        pass
    with TestClient(create_app(settings)):  # the head did not move: nothing new
        pass
    names = sorted(path.name for path in folder.iterdir())
    assert names == [f"checkpoint-{first:012d}.json", f"checkpoint-{second:012d}.json"]
    code, output = _cli(fresh_database_url, "audit", "verify", "--checkpoint", str(folder))
    assert code == 0, output
    assert "2 checkpoint(s) match; the newest covers every entry" in output
    _drop_newest(fresh_database_url, 50)
    code, output = _cli(fresh_database_url, "audit", "verify", "--checkpoint", str(folder))
    assert code == 1, output
    assert f"checkpoint {folder / names[0]} refused" in output
    assert f"checkpoint {folder / names[1]} refused" in output


def test_auditors_fetch_and_verify_checkpoints_over_the_api(
    client: TestClient,
    make_user: Callable[..., User],
    auth: Callable[[User], dict[str, str]],
    tmp_path: Path,
) -> None:
    auditor, officer = make_user(Role.AUDITOR, "SEC"), make_user(Role.OFFICER, "FR")
    fetched = client.get("/api/v1/audit/checkpoint", headers=auth(auditor))
    assert fetched.status_code == 200, fetched.text
    document = CheckpointDocument.model_validate(fetched.json())
    key = client.get("/api/v1/audit/public-key", headers=auth(auditor)).json()
    pem = Path("interlink.pem")
    pem.write_text(key["pem"])
    public = load_public_key(pem)  # what an outsider keeps, and checks the document with
    assert key["key_id"] == public.key_id == document.checkpoint.key_id
    signature = decode_signature(document.signature)
    assert signature is not None
    assert public.verifies(signature, signed_content(document.checkpoint))

    verified = client.post(
        "/api/v1/audit/verify", json={"checkpoints": [fetched.json()]}, headers=auth(auditor)
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["ok"] is True
    assert verified.json()["checkpoints"][0]["ok"] is True

    later = {**fetched.json(), "checkpoint": {**fetched.json()["checkpoint"], "seq": 10**9}}
    refused = client.post(
        "/api/v1/audit/verify", json={"checkpoints": [later]}, headers=auth(auditor)
    ).json()
    assert refused["ok"] is False and "does not verify" in refused["reason"]
    assert refused["checkpoints"][0]["ok"] is False
    bad = client.post(
        "/api/v1/audit/verify",
        json={"checkpoints": [{**fetched.json(), "signature": "x"}]},
        headers=auth(auditor),
    )
    assert bad.status_code == 422 and "signature" in bad.text
    for path in ("/api/v1/audit/checkpoint", "/api/v1/audit/public-key"):
        assert client.get(path, headers=auth(officer)).status_code == 403
    assert (
        client.post(
            "/api/v1/audit/verify", json={"checkpoints": []}, headers=auth(officer)
        ).status_code
        == 403
    )
