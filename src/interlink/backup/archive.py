"""The backup archive: what it holds, how values are written, its manifest.

A zip, so that the manifest and each table can be read without unpacking the rest:

- ``tables/<name>.jsonl``: one JSON array per row, values in the order of the manifest's
  ``columns``: UUIDs, dates and datetimes (ISO 8601, with their UTC offset) as strings,
  binary as base64, decimals as strings, JSON columns as they are, the rest as JSON has
  them. Rows come in primary-key order.
- ``manifest.json``: the format and its version, the Interlink version and Alembic
  revision of the source, when the snapshot was taken, and per table its columns, row
  count and the SHA-256 of its file.
- ``manifest.sig``, written last: the installation's Ed25519 signature (``core.signing``)
  over the exact bytes of ``manifest.json``, with the signing key's id.

A JSON column's SQL NULL and JSON ``null`` are both written as ``null`` and come back as
JSON ``null``, which is what the ORM writes for ``None`` and reads back as ``None``.
The checksums find damage; the signature over them finds forgery: an archive edited and
its checksums recomputed no longer verifies against the installation's public key, and a
restore refuses it (an archive without a signature too, unless told ``--unsigned``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Uuid,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from interlink.core.errors import AppError
from interlink.core.signing import InstallationKey, PublicKey, decode_signature

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "SIGNATURE",
    "BackupError",
    "Codec",
    "Manifest",
    "TableEntry",
    "altered",
    "codec",
    "dumps",
    "encode_row",
    "read_manifest",
    "signature_of",
    "verify_member",
]

FORMAT = "interlink-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNATURE_FORMAT = "interlink-backup-signature"

Codec = Callable[[Any], Any]
dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
"""One row as a line: compact, and UTF-8 rather than escapes."""


class BackupError(AppError):
    """A backup that cannot be made, or an archive that must not be restored (and why)."""


@dataclass(frozen=True)
class TableEntry:
    name: str
    file: str
    columns: tuple[str, ...]
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    interlink_version: str
    revision: str
    created_at: datetime
    backend: str
    tables: tuple[TableEntry, ...]
    format_version: int = FORMAT_VERSION

    @property
    def rows(self) -> int:
        return sum(entry.rows for entry in self.tables)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "interlink_version": self.interlink_version,
            "alembic_revision": self.revision,
            "created_at": self.created_at.isoformat(),
            "backend": self.backend,
            "tables": [
                {
                    "name": entry.name,
                    "file": entry.file,
                    "columns": list(entry.columns),
                    "rows": entry.rows,
                    "sha256": entry.sha256,
                }
                for entry in self.tables
            ],
        }

    @classmethod
    def from_json(cls, data: Any, source: str) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(f"{source} is not an Interlink backup (its manifest is not one)")
        version = data.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                f"{source} is in backup format {version!r}, newer than this Interlink reads "
                f"({FORMAT_VERSION}): restore it with the version that made it "
                f"({data.get('interlink_version')})"
            )
        try:
            tables = tuple(
                TableEntry(
                    name=str(table["name"]),
                    file=str(table["file"]),
                    columns=tuple(str(name) for name in table["columns"]),
                    rows=int(table["rows"]),
                    sha256=str(table["sha256"]),
                )
                for table in data["tables"]
            )
            return cls(
                interlink_version=str(data["interlink_version"]),
                revision=str(data["alembic_revision"]),
                created_at=datetime.fromisoformat(data["created_at"]),
                backend=str(data["backend"]),
                tables=tables,
                format_version=version,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError(f"{source}: the backup's manifest is malformed ({exc!r})") from exc


def read_manifest(path: Path, *, verify_with: PublicKey | None = None) -> Manifest:
    """The manifest of the archive ``path``; ``BackupError`` if it is not a backup, or,
    given ``verify_with``, if the manifest's signature is absent or not by that key."""
    raw, signature = _read_members(path)
    if verify_with is not None:
        _verify_signature(path.name, raw, signature, verify_with)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BackupError(f"{path.name} is not an Interlink backup (unreadable manifest)") from exc
    return Manifest.from_json(data, path.name)


def signature_of(manifest: bytes, key: InstallationKey) -> bytes:
    """The ``manifest.sig`` member for the manifest's exact bytes."""
    document = {
        "format": SIGNATURE_FORMAT,
        "version": 1,
        "algorithm": "ed25519",
        "key_id": key.public.key_id,
        "signature": key.sign(manifest),
    }
    return json.dumps(document, indent=2).encode("ascii")


def _read_members(path: Path) -> tuple[bytes, bytes | None]:
    """The manifest's bytes and the signature's (``None`` if the archive has none), read
    together so that what is verified is what is parsed."""
    try:
        with zipfile.ZipFile(path) as archive:
            raw = archive.read(MANIFEST)
            names = set(archive.namelist())
            signature = archive.read(SIGNATURE) if SIGNATURE in names else None
    except KeyError as exc:
        raise BackupError(f"{path.name} is not an Interlink backup (it has no {MANIFEST})") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BackupError(
            f"{path.name} is not an Interlink backup (not a zip archive, or an incomplete one)"
        ) from exc
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return raw, signature


def _verify_signature(source: str, manifest: bytes, member: bytes | None, key: PublicKey) -> None:
    if member is None:
        raise BackupError(
            f"{source} is not signed (made before Interlink signed its backups, or its "
            f"{SIGNATURE} was removed): nothing proves it is this installation's backup, "
            "unaltered. If you trust where it comes from, restore it with --unsigned; "
            "nothing was restored"
        )
    try:
        document = json.loads(member)
    except ValueError:
        document = None
    if not isinstance(document, dict) or document.get("format") != SIGNATURE_FORMAT:
        raise BackupError(
            f"{source}: its {SIGNATURE} is not a backup signature; nothing was restored"
        )
    signature = decode_signature(document.get("signature"))
    if signature is not None and key.verifies(signature, manifest):
        return
    named = document.get("key_id")
    if isinstance(named, str) and named != key.key_id:
        raise BackupError(
            f"{source} is signed by key {named[:16]}, not by this installation's key "
            f"{key.key_id}: restore it with --public-key naming the public key of the "
            "installation that made it; nothing was restored"
        )
    raise BackupError(
        f"{source}: the signature of its manifest does not verify against key {key.key_id} "
        "(the archive was altered after it was signed, or forged); nothing was restored"
    )


def encode_row(row: Sequence[Any], encoders: list[Codec | None]) -> list[Any]:
    """A row's values as JSON can hold them (``encoders`` from ``codec``, column by column)."""
    return [
        value if encode is None or value is None else encode(value)
        for value, encode in zip(row, encoders, strict=True)
    ]


def codec(column: Column[Any]) -> tuple[Codec | None, Codec | None]:
    """How ``column``'s values go into JSON and back (``None``: as they are)."""
    kind: TypeEngine[Any] = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, JSON):
        return None, None
    if isinstance(kind, LargeBinary):
        return _base64, base64.b64decode
    if isinstance(kind, Uuid):
        return str, uuid.UUID if kind.as_uuid else None
    if isinstance(kind, DateTime):
        return _isoformat, datetime.fromisoformat
    if isinstance(kind, Date):
        return _isoformat, date.fromisoformat
    if isinstance(kind, Numeric | Float):  # as floats unless they ask for decimals
        return (str, Decimal) if kind.asdecimal else (None, None)
    if isinstance(kind, Integer | Boolean | String):
        return None, None
    raise TypeError(
        f"backups do not know how to write {column.table.name}.{column.name} ({kind!r}): "
        "teach interlink.backup.archive.codec"
    )


def _base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _isoformat(value: date) -> str:
    return value.isoformat()


def verify_member(archive: zipfile.ZipFile, entry: TableEntry, source: str) -> None:
    """Refuse a table file that is missing or whose SHA-256 is not the manifest's."""
    try:
        stream = archive.open(entry.file)
    except KeyError as exc:
        raise BackupError(f"{source} lacks {entry.file}, which its manifest lists") from exc
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != entry.sha256:
        raise BackupError(altered(source, entry))


def altered(source: str, entry: TableEntry) -> str:
    return (
        f"{source}: the checksum of {entry.file} does not match the manifest (the archive "
        "was altered or damaged); nothing was restored"
    )
