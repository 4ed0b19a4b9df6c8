"""``interlink backup FILE`` and ``interlink restore FILE``: thin edges over the service,
with a progress bar per table."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.backup.archive import BackupError, Manifest
from interlink.backup.service import Progress as Advance
from interlink.backup.service import backup, restore
from interlink.core.clikit import console, fail, load_settings
from interlink.core.config import Settings
from interlink.core.db import make_engine, make_session_factory
from interlink.core.signing import SigningKeyError, installation_key, public_key_of

__all__ = ["backup_command", "restore_command"]


def backup_command(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Archive to write (a zip)")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace FILE if it exists")
    ] = False,
) -> None:
    """Write a consistent, portable backup of the whole database to FILE."""
    if file.exists() and not overwrite:
        raise fail(f"{file} exists; name another file, or pass --overwrite to replace it")
    settings = load_settings()
    try:
        key = installation_key(settings)
    except SigningKeyError as exc:
        raise fail(exc.detail) from exc
    started = time.perf_counter()
    with _engine(settings, "backup failed") as engine, _bars("backing up") as advance:
        try:
            manifest = backup(engine, file, key=key, progress=advance)
        except OSError as exc:
            raise fail(f"cannot write {file}: {exc.strerror or exc}") from exc
        _audit(engine, AuditAction.DATABASE_BACKUP, file, manifest, key.public.key_id)
    size = file.stat().st_size / 1e6
    console.print(
        f"backed up {manifest.rows:,} rows of {len(manifest.tables)} tables to {file} "
        f"({size:,.1f} MB, schema {manifest.revision}, signed by key {key.public.key_id}) "
        f"in {time.perf_counter() - started:.1f} s"
    )


def restore_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Archive `interlink backup` wrote")
    ],
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            exists=True,
            dir_okay=False,
            help="Public key (PEM) of the installation that made the backup; default: this "
            "installation's, derived from INTERLINK_SECRET_KEY",
        ),
    ] = None,
    unsigned: Annotated[
        bool,
        typer.Option(
            "--unsigned",
            help="Restore without checking the archive's signature (a backup made before "
            "backups were signed); its checksums are still checked",
        ),
    ] = False,
) -> None:
    """Load a backup into an empty database (migrated for you); all or nothing. The
    archive must be signed by this installation's key (or --public-key's)."""
    if unsigned and public_key is not None:
        raise fail("--unsigned checks no signature: leave out --public-key, or --unsigned")
    settings = load_settings()
    try:
        public = None if unsigned else public_key_of(settings, public_key)
    except SigningKeyError as exc:
        raise fail(exc.detail) from exc
    signature = f"verified, key {public.key_id}" if public else "not checked (--unsigned)"
    started = time.perf_counter()
    with (
        _engine(settings, "restore failed, nothing was restored") as engine,
        _bars("restoring") as advance,
    ):
        manifest = restore(engine, file, verify_with=public, progress=advance)
        _audit(engine, AuditAction.DATABASE_RESTORE, file, manifest, signature)
        target = make_url(engine.url).render_as_string(hide_password=True)
    console.print(
        f"restored {manifest.rows:,} rows of {len(manifest.tables)} tables into {target} "
        f"(backup of {manifest.created_at:%Y-%m-%d %H:%M:%S} UTC from {manifest.backend}, "
        f"schema {manifest.revision}; signature {signature}) in "
        f"{time.perf_counter() - started:.1f} s"
    )


def _audit(
    engine: Engine, action: AuditAction, file: Path, manifest: Manifest, signature: str
) -> None:
    """The trail says when the whole database was copied out or loaded (an entry after
    the snapshot: the archive holds the trail up to the one before)."""
    with make_session_factory(engine)() as session:
        audit(
            session,
            action,
            actor_name="cli",
            object_type="database",
            after={
                "file": file.name,
                "rows": manifest.rows,
                "tables": len(manifest.tables),
                "revision": manifest.revision,
                "created_at": manifest.created_at.isoformat(),
                "signature": signature,
            },
        )
        session.commit()


@contextmanager
def _engine(settings: Settings, failed: str) -> Iterator[Engine]:
    """An engine on the configured database; errors become one line on stderr."""
    engine = make_engine(settings.database_url)
    try:
        yield engine
    except BackupError as exc:
        raise fail(exc.detail) from exc
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise fail(f"{failed}: {reason}") from exc
    finally:
        engine.dispose()


@contextmanager
def _bars(verb: str) -> Iterator[Advance]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(f"{verb} {table}", total=total)
            bar.update(tasks[table], completed=done)

        yield advance
