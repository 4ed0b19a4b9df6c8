"""Logical backups: the whole database in one portable archive, and back.

A backup is a zip of JSON-lines table files and a manifest; it restores into an empty
database on either backend (SQLite to PostgreSQL is how an embedded install moves up).
"""

from interlink.backup.archive import BackupError, Manifest, TableEntry, read_manifest
from interlink.backup.service import backup, restore

__all__ = ["BackupError", "Manifest", "TableEntry", "backup", "read_manifest", "restore"]
