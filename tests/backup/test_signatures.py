"""Backups are signed: a restore verifies the archive's manifest against the installation's
public key, so that an archive edited with its checksums recomputed, one signed by
another installation, or one without a signature is refused before the database is
touched (``--unsigned`` restores an unsigned one on purpose, and says so)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from interlink.audit.models import AuditEntry
from interlink.backup.archive import MANIFEST, SIGNATURE, signature_of
from interlink.core.config import Settings
from interlink.core.db import make_engine, make_session_factory
from interlink.core.signing import installation_key
from tests.backup.test_backup import _counts, _invoke

OTHER_SECRET = "another-installation-" + "5e2b8d1f4a" * 4
ROW = b"National Central Bureau France"


def _members(archive: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def _write(out: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(out, "w") as target:
        for name, content in members.items():
            target.writestr(name, content)


def _checksum_recomputed(archive: Path, out: Path) -> None:
    """What an intruder who read archive.py does: edit a row, put the file's new SHA-256
    in the manifest, keep the rest."""
    members = _members(archive)
    members["tables/bureaus.jsonl"] = members["tables/bureaus.jsonl"].replace(ROW, b"Forged")
    manifest = json.loads(members[MANIFEST])
    for table in manifest["tables"]:
        if table["file"] == "tables/bureaus.jsonl":
            table["sha256"] = hashlib.sha256(members["tables/bureaus.jsonl"]).hexdigest()
    members[MANIFEST] = json.dumps(manifest, indent=2).encode()
    _write(out, members)


def _unsigned(archive: Path, out: Path) -> None:
    """An archive as every backup was before they were signed."""
    _write(out, {k: v for k, v in _members(archive).items() if k != SIGNATURE})


def _signed_by_another(archive: Path, out: Path) -> None:
    members = _members(archive)
    other = installation_key(Settings(secret_key=OTHER_SECRET))
    members[SIGNATURE] = signature_of(members[MANIFEST], other)
    _write(out, members)


def _garbage_signature(archive: Path, out: Path) -> None:
    _write(out, {**_members(archive), SIGNATURE: b"\x00\x01 not json"})


REFUSED: dict[str, tuple[Callable[[Path, Path], None], list[str]]] = {
    "checksum-recomputed": (
        _checksum_recomputed,
        ["the signature of its manifest does not verify against key", "altered"],
    ),
    "unsigned": (_unsigned, ["is not signed", "restore it with --unsigned"]),
    "signed-by-another-installation": (
        _signed_by_another,
        ["not by this installation's key", "--public-key"],
    ),
    "garbage-signature": (_garbage_signature, ["manifest.sig is not a backup signature"]),
}


@pytest.mark.parametrize("forgery", list(REFUSED))
def test_an_archive_without_a_good_signature_is_refused(
    forgery: str, fresh_database_url: str, empty_database_url: str, tmp_path: Path
) -> None:
    archive = tmp_path / "good.zip"
    code, output = _invoke(fresh_database_url, "backup", str(archive))
    assert code == 0, output
    assert SIGNATURE in _members(archive)
    make, reasons = REFUSED[forgery]
    bad = tmp_path / "bad.zip"
    make(archive, bad)
    code, output = _invoke(empty_database_url, "restore", str(bad))
    flat = " ".join(output.split())
    assert code == 2, output
    assert all(reason in flat for reason in reasons), output
    assert "nothing was restored" in flat and "Traceback" not in output
    assert _counts(empty_database_url) == {}  # not even migrated


def test_an_unsigned_archive_restores_only_when_told(
    fresh_database_url: str, empty_database_url: str, tmp_path: Path
) -> None:
    archive, old = tmp_path / "good.zip", tmp_path / "old.zip"
    assert _invoke(fresh_database_url, "backup", str(archive))[0] == 0
    _unsigned(archive, old)
    code, output = _invoke(empty_database_url, "restore", str(old), "--unsigned")
    assert code == 0, output
    assert "signature not checked (--unsigned)" in " ".join(output.split())
    engine = make_engine(empty_database_url)
    with make_session_factory(engine)() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert last is not None and last.action == "database.restore"
        assert last.after["signature"] == "not checked (--unsigned)"  # the trail says so
    engine.dispose()
    # The checksums are still checked: --unsigned is not "anything goes".
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(old) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["tables/bureaus.jsonl"] = members["tables/bureaus.jsonl"].replace(ROW, b"Forged")
    _write(edited, members)
    code, output = _invoke(fresh_database_url, "restore", str(edited), "--unsigned")
    assert code == 2 and "checksum of tables/bureaus.jsonl" in " ".join(output.split())


def test_another_installations_backup_restores_with_its_public_key(
    fresh_database_url: str, empty_database_url: str, tmp_path: Path
) -> None:
    archive, pem = tmp_path / "theirs.zip", tmp_path / "theirs.pem"
    assert _invoke(fresh_database_url, "backup", str(archive), secret=OTHER_SECRET)[0] == 0
    public = installation_key(Settings(secret_key=OTHER_SECRET)).public
    pem.write_text(public.pem())
    code, output = _invoke(empty_database_url, "restore", str(archive))
    assert code == 2 and "not by this installation's key" in " ".join(output.split()), output
    code, output = _invoke(empty_database_url, "restore", str(archive), secret=None)
    assert code == 2 and "--public-key" in output, output  # no secret: says what to pass
    code, output = _invoke(
        empty_database_url, "restore", str(archive), "--public-key", str(pem), secret=None
    )
    assert code == 0, output
    assert f"signature verified, key {public.key_id}" in " ".join(output.split())


def test_a_backup_is_not_made_without_a_key_to_sign_it(
    fresh_database_url: str, tmp_path: Path
) -> None:
    archive = tmp_path / "interlink.zip"
    code, output = _invoke(fresh_database_url, "backup", str(archive), secret=None)
    assert code == 2, output
    assert "INTERLINK_SECRET_KEY is not set" in " ".join(output.split())
    assert not archive.exists()
