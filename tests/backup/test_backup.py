"""Backups: the whole database as of one moment, restored row for row and byte for byte
into an empty database, on either backend and across them; an archive or a target that
must not be used is refused with the reason, and a failed restore changes nothing."""

from __future__ import annotations

import json
import stat
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner

from interlink.access import Role
from interlink.app import create_app
from interlink.audit.models import AuditEntry
from interlink.backup import BackupError, backup, read_manifest, restore
from interlink.backup.archive import codec
from interlink.backup.service import head_revision
from interlink.cli import app as cli
from interlink.core.config import Settings
from interlink.core.db import Base, make_engine, make_session_factory
from interlink.core.security import issue_token
from interlink.core.signing import installation_key
from interlink.members.models import User
from interlink.models import load_all
from interlink.records.models import Record, RecordFile
from tests.conftest import SECRET, _new_database, new_user, prepare
from tests.records.examples import CHANGE, VALID

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # every byte value, NULs included


@dataclass(frozen=True)
class Seeded:
    record_id: str
    file_id: str
    france: User


def _settings(url: str) -> Settings:
    return Settings(database_url=url, secret_key=SECRET)


def _headers(settings: Settings, user: User) -> dict[str, str]:
    token = issue_token(str(user.id), settings.signing_key, settings.token_minutes)
    return {"Authorization": f"Bearer {token}"}


def _seed(url: str) -> Seeded:
    """Users, a person with a photo and a second version, a message with an attachment, an
    audited read: rows in users, records, record_versions, record_files, messages,
    message_attachments, bureau_keys, events and audit_entries."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        france = new_user(session, Role.OFFICER, "FR")
        germany = new_user(session, Role.OFFICER, "DE")
    engine.dispose()
    settings = _settings(url)
    fr, de = _headers(settings, france), _headers(settings, germany)
    with TestClient(create_app(settings)) as client:
        body = {**VALID["persons"], "visibility": {"mode": "all_members"}}
        person = client.post("/api/v1/records/persons", json=body, headers=fr)
        assert person.status_code == 201, person.text
        path = f"/api/v1/records/persons/{person.json()['id']}"
        upload = client.post(f"{path}/files", files={"file": ("face.png", PNG)}, headers=fr)
        assert upload.status_code == 201, upload.text
        changed = client.patch(path, json=CHANGE["persons"], headers=fr)
        assert changed.status_code == 200, changed.text
        message = {"recipients": ["DE"], "subject": "Photo", "body": "Seen in Lyon."}
        sent = client.post(
            "/api/v1/messages",
            data={"message": json.dumps(message)},
            files=[("attachments", ("face.png", PNG, "application/octet-stream"))],
            headers=fr,
        )
        assert sent.status_code == 201, sent.text
        assert client.get(path, headers=de).status_code == 200
    return Seeded(person.json()["id"], upload.json()["id"], france)


def _invoke(url: str, *args: str, secret: str | None = SECRET) -> tuple[int, str]:
    env = {"INTERLINK_DATABASE_URL": url, "INTERLINK_SECRET_KEY": secret}
    result = runner.invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def _counts(url: str) -> dict[str, int]:
    """Rows per table (absent tables left out)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            return {
                table.name: connection.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
                if table.name in present
            }
    finally:
        engine.dispose()


def _assert_same_but_the_restore(again: Path, archive: Path) -> None:
    """The backup of a restored database holds the archive's rows, and one more audit
    entry: the restore's (the trail's head moved with it)."""
    restored, original = _lines(again), _lines(archive)
    for lines in (restored, original):
        lines.pop("tables/audit_head.jsonl")
    entries = "tables/audit_entries.jsonl"
    assert len(restored[entries]) == len(original[entries]) + 1
    added = set(restored.pop(entries)) - set(original[entries])
    assert len(added) == 1 and b"database.restore" in added.pop()
    original.pop(entries)
    assert restored == original


def _last_action(url: str) -> str:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            last = select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(1)
            return str(session.scalar(last))
    finally:
        engine.dispose()


def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _lines(archive: Path) -> dict[str, list[bytes]]:
    """Each table file's rows, sorted (backends order text keys by their own collations)."""
    with zipfile.ZipFile(archive) as opened:
        return {
            name: sorted(opened.read(name).splitlines())
            for name in opened.namelist()
            if name.startswith("tables/")
        }


@pytest.fixture
def seeded_backup(fresh_database_url: str, tmp_path: Path) -> Iterator[tuple[Path, Seeded]]:
    seeded = _seed(fresh_database_url)
    archive = tmp_path / "interlink.zip"
    code, output = _invoke(fresh_database_url, "backup", str(archive))
    assert code == 0, output
    yield archive, seeded


def test_restore_gives_back_every_row_and_byte(
    fresh_database_url: str, empty_database_url: str, seeded_backup: tuple[Path, Seeded]
) -> None:
    archive, seeded = seeded_backup
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds keys and password hashes
    assert not archive.with_name(f"{archive.name}.partial").exists()
    manifest = read_manifest(archive)
    assert manifest.revision == head_revision()
    archived = {entry.name: entry.rows for entry in manifest.tables}
    source = _counts(fresh_database_url)
    # The backup is in the trail, after the snapshot it took; so is the restore.
    assert _last_action(fresh_database_url) == "database.backup"
    assert source == archived | {"audit_entries": archived["audit_entries"] + 1}
    assert set(source) == _table_names(fresh_database_url) - {"alembic_version"}

    code, output = _invoke(empty_database_url, "restore", str(archive))
    assert code == 0, output
    assert f"restored {sum(archived.values()):,} rows" in output
    assert _counts(empty_database_url) == source
    assert _last_action(empty_database_url) == "database.restore"
    again = archive.with_name("again.zip")
    assert _invoke(empty_database_url, "backup", str(again))[0] == 0
    _assert_same_but_the_restore(again, archive)  # every value, as the source had it

    code, output = _invoke(empty_database_url, "audit", "verify")
    assert code == 0 and "intact" in output, output
    engine = make_engine(empty_database_url)
    with make_session_factory(engine)() as session:
        photo = session.get(RecordFile, uuid.UUID(seeded.file_id))
        assert photo is not None and photo.content == PNG
        record = session.get(Record, uuid.UUID(seeded.record_id))
        assert record is not None and record.created_at.tzinfo == UTC
        first = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).first()
        assert first is not None and first.at.tzinfo == UTC
    engine.dispose()
    with zipfile.ZipFile(archive) as opened:
        row = json.loads(opened.read("tables/records.jsonl").splitlines()[0])
        columns = next(entry.columns for entry in manifest.tables if entry.name == "records")
        assert row[columns.index("created_at")].endswith("+00:00")


def test_restored_database_takes_new_writes(
    empty_database_url: str, seeded_backup: tuple[Path, Seeded]
) -> None:
    archive, seeded = seeded_backup
    assert _invoke(empty_database_url, "restore", str(archive))[0] == 0
    settings = _settings(empty_database_url)
    fr = _headers(settings, seeded.france)  # the restored user signs in as before
    with TestClient(create_app(settings)) as client:
        body = {**VALID["vehicles"], "visibility": {"mode": "all_members"}}
        created = client.post("/api/v1/records/vehicles", json=body, headers=fr)
        assert created.status_code == 201, created.text
        # New rows in tables with integer keys (versions, events, audit): on PostgreSQL
        # their sequences must have been moved past the restored keys.
        path = f"/api/v1/records/persons/{seeded.record_id}"
        changed = client.patch(path, json={"aliases": ["Jean Dupon"]}, headers=fr)
        assert changed.status_code == 200, changed.text
        history = client.get(f"{path}/history", headers=fr)
        assert history.status_code == 200 and len(history.json()) == 3, history.text
        message = {"recipients": ["DE"], "subject": "Again", "body": "Seen in Nice."}
        assert client.post("/api/v1/messages", json=message, headers=fr).status_code == 201
    code, output = _invoke(empty_database_url, "audit", "verify")
    assert code == 0 and "intact" in output, output


@pytest.mark.parametrize(("source", "target"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_a_backup_moves_between_backends(source: str, target: str, tmp_path: Path) -> None:
    source_url, drop_source = _new_database(source, tmp_path)
    target_url, drop_target = _new_database(target, tmp_path)
    try:
        engine = make_engine(source_url)
        prepare(engine)
        engine.dispose()
        seeded = _seed(source_url)
        archive = tmp_path / "moving.zip"
        assert _invoke(source_url, "backup", str(archive))[0] == 0
        code, output = _invoke(target_url, "restore", str(archive))
        assert code == 0, output
        assert f"from {source}" in output
        assert _counts(target_url) == _counts(source_url)
        again = tmp_path / "moved.zip"
        assert _invoke(target_url, "backup", str(again))[0] == 0
        _assert_same_but_the_restore(again, archive)
        code, output = _invoke(target_url, "audit", "verify")
        assert code == 0, output
        engine = make_engine(target_url)
        with make_session_factory(engine)() as session:
            photo = session.get(RecordFile, uuid.UUID(seeded.file_id))
            assert photo is not None and photo.content == PNG
        engine.dispose()
    finally:
        drop_source()
        drop_target()


def _rewrite(archive: Path, out: Path, change: Callable[[str, bytes], bytes]) -> None:
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, change(name, source.read(name)))


def _alter_a_row(name: str, content: bytes) -> bytes:
    if name != "tables/bureaus.jsonl":
        return content
    return content.replace(b"National Central Bureau France", b"National Central Bureau Franc")


def _other_revision(name: str, content: bytes) -> bytes:
    if name != "manifest.json":
        return content
    return json.dumps({**json.loads(content), "alembic_revision": "0001"}).encode()


def _parents_last(name: str, content: bytes) -> bytes:
    if name != "manifest.json":
        return content
    manifest = json.loads(content)
    return json.dumps({**manifest, "tables": manifest["tables"][::-1]}).encode()


def _without_manifest(archive: Path, out: Path) -> None:
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name != "manifest.json":
                target.writestr(name, source.read(name))


BAD_ARCHIVES: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "row-altered": (
        lambda archive, out: _rewrite(archive, out, _alter_a_row),
        "checksum of tables/bureaus.jsonl does not match",
    ),
    # Edits of the manifest break its signature; these pass --unsigned to show the
    # restore's own checks behind it.
    "other-revision": (
        lambda archive, out: _rewrite(archive, out, _other_revision),
        "schema revision 0001",
    ),
    "parents-last": (
        lambda archive, out: _rewrite(archive, out, _parents_last),
        "bureaus could not be loaded",
    ),
    "no-manifest": (_without_manifest, "not an Interlink backup"),
    "truncated": (
        lambda archive, out: out.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2]),
        "not an Interlink backup",
    ),
    "not-a-zip": (
        lambda _archive, out: out.write_text("id,name\n1,x\n"),
        "not an Interlink backup",
    ),
}


@pytest.mark.parametrize("damage", list(BAD_ARCHIVES))
def test_an_archive_that_is_not_a_sound_backup_is_refused(
    damage: str, fresh_database_url: str, empty_database_url: str, tmp_path: Path
) -> None:
    archive = tmp_path / "good.zip"
    assert _invoke(fresh_database_url, "backup", str(archive))[0] == 0
    make_bad, reason = BAD_ARCHIVES[damage]
    bad = tmp_path / "bad.zip"
    make_bad(archive, bad)
    unsigned = ["--unsigned"] if damage in {"other-revision", "parents-last"} else []
    code, output = _invoke(empty_database_url, "restore", str(bad), *unsigned)
    assert code == 2, output
    assert reason in " ".join(output.split()), output
    assert "Traceback" not in output
    assert _counts(empty_database_url) == {}  # not even migrated


def test_a_database_that_holds_data_is_refused_and_left_alone(
    fresh_database_url: str, empty_database_url: str, tmp_path: Path
) -> None:
    archive = tmp_path / "interlink.zip"
    assert _invoke(fresh_database_url, "backup", str(archive))[0] == 0
    engine = make_engine(empty_database_url)
    prepare(engine)  # what `interlink db upgrade` does: the member network is seeded
    with make_session_factory(engine)() as session:
        new_user(session, Role.OFFICER, "FR")
    engine.dispose()
    before = _counts(empty_database_url)
    code, output = _invoke(empty_database_url, "restore", str(archive))
    assert code == 2, output
    assert "already holds data" in " ".join(output.split()), output
    assert _counts(empty_database_url) == before


@pytest.mark.parametrize("migrated", [False, True], ids=["unmigrated", "migrated"])
def test_a_restore_that_fails_midway_leaves_the_target_as_it_was(
    migrated: bool, fresh_database_url: str, empty_database_url: str, tmp_path: Path
) -> None:
    _seed(fresh_database_url)
    archive = tmp_path / "interlink.zip"
    assert _invoke(fresh_database_url, "backup", str(archive))[0] == 0
    engine = make_engine(empty_database_url)
    if migrated:
        from interlink.core.db import migrate

        migrate(engine)
    before = _counts(empty_database_url)

    def stop_at_messages(table: str, done: int, total: int) -> None:
        if table == "messages":
            raise RuntimeError("stopped")

    public = installation_key(_settings(empty_database_url)).public
    with pytest.raises(RuntimeError, match="stopped"):
        restore(engine, archive, verify_with=public, progress=stop_at_messages)
    engine.dispose()
    assert _counts(empty_database_url) == before
    assert all(rows == 0 for rows in before.values())


def test_a_backup_that_fails_midway_leaves_no_file(fresh_database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    archive = folder / "interlink.zip"

    def stop_at_users(table: str, done: int, total: int) -> None:
        if table == "users":
            raise RuntimeError("stopped")

    engine = make_engine(fresh_database_url)
    key = installation_key(_settings(fresh_database_url))
    with pytest.raises(RuntimeError, match="stopped"):
        backup(engine, archive, key=key, progress=stop_at_users)
    engine.dispose()
    assert list(folder.iterdir()) == []
    archive.write_text("an earlier backup")
    code, output = _invoke(fresh_database_url, "backup", str(archive))
    assert code == 2 and "--overwrite" in output, output
    assert archive.read_text() == "an earlier backup"
    assert _invoke(fresh_database_url, "backup", str(archive), "--overwrite")[0] == 0
    assert read_manifest(archive).rows > 0


def test_only_a_backup_reads_as_one(tmp_path: Path) -> None:
    listing = tmp_path / "list.zip"
    with zipfile.ZipFile(listing, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "something-else"}))
    with pytest.raises(BackupError, match="not an Interlink backup"):
        read_manifest(listing)


def test_every_model_table_can_be_written_and_read_back() -> None:
    """Rows are inserted in file order: a table whose rows point at rows of the same table
    would need its referencing column set after the load; none does yet."""
    load_all()
    for table in Base.metadata.sorted_tables:
        assert all(fk.column.table is not table for fk in table.foreign_keys), table.name
        for column in table.columns:
            codec(column)  # raises for a type the archive cannot hold
