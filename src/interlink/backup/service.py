"""Dumping the whole database to a backup archive, and loading one into an empty database.

Logical rather than the backends' own tools (``pg_dump``, ``.backup``) because one
archive then restores on SQLite and on PostgreSQL alike (SQLite to PostgreSQL is how an
embedded install moves up), and because it says what it holds, so a restore can refuse
what it must not load (``archive`` has the format).

Tables come in ``Base.metadata.sorted_tables`` order, parents before children, so a
restore inserts them as they come with every foreign key checked. ``alembic_version`` is
not copied: the manifest names the revision, and a restore needs the code's own.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import psycopg
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    Table,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from interlink import __version__
from interlink.backup.archive import (
    MANIFEST,
    SIGNATURE,
    BackupError,
    Manifest,
    TableEntry,
    altered,
    codec,
    dumps,
    encode_row,
    read_manifest,
    signature_of,
    verify_member,
)
from interlink.core.db import Base
from interlink.core.signing import InstallationKey, PublicKey
from interlink.core.sqlite import read_only
from interlink.core.types import utcnow
from interlink.models import load_all

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["BATCH", "Progress", "backup", "head_revision", "restore"]

BATCH = 1000
"""Rows read per fetch, and inserted per ``executemany`` (SQLite)."""

Progress = Callable[[str, int, int], None]
"""Told ``(table, rows done, rows in the table)`` as each table advances."""


def head_revision() -> str:
    """The Alembic revision this code's models are at."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "migrations/ has no revisions"
    return head


def backup(
    engine: Engine, path: Path, *, key: InstallationKey, progress: Progress | None = None
) -> Manifest:
    """Write every table of ``engine``'s database, as of one moment, to the archive ``path``,
    its manifest signed with ``key``.

    The archive is written beside ``path`` (``.partial``) and renamed to it once complete,
    so a backup that stops midway never leaves a file that passes for a whole one. It is
    readable by its owner only: it holds password hashes and the bureaus' private keys.
    """
    load_all()
    head = head_revision()
    partial = path.with_name(f"{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # also when an earlier, stopped backup left the file
        with os.fdopen(descriptor, "wb") as raw:
            with _snapshot(engine) as connection:
                created_at = utcnow()
                revision = _revision(connection)
                if revision != head:
                    raise BackupError(
                        f"the database is at schema revision {revision} but this Interlink "
                        f"is at {head}: back it up with the version that migrated it"
                        if revision
                        else "the database has no Interlink schema: nothing to back up"
                    )
                with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                    entries = tuple(
                        _dump_table(connection, table, archive, created_at, progress)
                        for table in _present_tables(connection)
                    )
                    manifest = Manifest(
                        interlink_version=__version__,
                        revision=revision,
                        created_at=created_at,
                        backend=connection.dialect.name,
                        tables=entries,
                    )
                    raw_manifest = json.dumps(manifest.to_json(), indent=2).encode("utf-8")
                    archive.writestr(MANIFEST, raw_manifest)
                    archive.writestr(SIGNATURE, signature_of(raw_manifest, key))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def restore(
    engine: Engine,
    path: Path,
    *,
    verify_with: PublicKey | None,
    progress: Progress | None = None,
) -> Manifest:
    """Load the archive ``path`` into ``engine``'s database, which must hold no data.

    All or nothing: the checks, the migrations an unmigrated database needs, every insert
    and the sequence resets run in one transaction, so a failure leaves the database as
    it was. The manifest's signature (against ``verify_with``; ``None``: not checked, the
    caller said ``--unsigned``) and the archive's checksums are verified before the
    database is touched.
    """
    load_all()
    manifest = read_manifest(path, verify_with=verify_with)
    head = head_revision()
    if manifest.revision != head:
        raise BackupError(
            f"{path.name} is of schema revision {manifest.revision} but this Interlink is at "
            f"{head}: restore it with the version that made it ({manifest.interlink_version}), "
            "then upgrade"
        )
    tables = _tables_of(manifest, path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            for entry in manifest.tables:
                verify_member(archive, entry, path.name)
            with engine.connect() as connection, connection.begin():
                _prepare_target(connection, head)
                for entry, table in zip(manifest.tables, tables, strict=True):
                    _load_table(connection, archive, entry, table, path.name, progress)
                if connection.dialect.name == "postgresql":
                    _reset_sequences(connection, tables)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BackupError(f"{path.name} is damaged ({exc}); nothing was restored") from exc
    return manifest


# -- dumping


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection in one read-only transaction: every table as of the same moment."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with connection.begin():
                yield connection
            return
        # A deferred transaction in WAL mode reads one snapshot and holds up no writer.
        token = read_only.set(True)
        try:
            transaction = connection.begin()
        finally:
            read_only.reset(token)
        with transaction:
            yield connection


def _revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _present_tables(connection: Connection) -> list[Table]:
    """The model tables the database has, parents first (a test may add tables of its own
    to the metadata that a database does not have)."""
    present = set(inspect(connection).get_table_names())
    return [table for table in Base.metadata.sorted_tables if table.name in present]


def _dump_table(
    connection: Connection,
    table: Table,
    archive: zipfile.ZipFile,
    created_at: datetime,
    progress: Progress | None,
) -> TableEntry:
    total = connection.execute(select(func.count()).select_from(table)).scalar_one()
    columns = list(table.columns)
    encoders = [codec(column)[0] for column in columns]
    query = select(*columns).order_by(*table.primary_key.columns)
    digest = hashlib.sha256()
    rows = 0
    file = f"tables/{table.name}.jsonl"
    if progress is not None:
        progress(table.name, 0, total)
    member = zipfile.ZipInfo(file, date_time=created_at.timetuple()[:6])
    member.compress_type = zipfile.ZIP_DEFLATED
    result = connection.execution_options(yield_per=BATCH).execute(query)
    with archive.open(member, "w", force_zip64=True) as out:
        for batch in result.partitions():
            lines = "".join(dumps(encode_row(row, encoders)) + "\n" for row in batch)
            chunk = lines.encode("utf-8")
            digest.update(chunk)
            out.write(chunk)
            rows += len(batch)
            if progress is not None:
                progress(table.name, rows, total)
    return TableEntry(
        name=table.name,
        file=file,
        columns=tuple(column.name for column in columns),
        rows=rows,
        sha256=digest.hexdigest(),
    )


# -- restoring


def _tables_of(manifest: Manifest, source: str) -> list[Table]:
    """The model table of each entry; refuses tables or columns the models do not have."""
    tables = []
    for entry in manifest.tables:
        table = Base.metadata.tables.get(entry.name)
        if table is None:
            raise BackupError(f"{source} holds a table this Interlink does not have: {entry.name}")
        expected = {column.name for column in table.columns}
        if set(entry.columns) != expected:
            raise BackupError(
                f"{source}: the columns of {entry.name} differ from this Interlink's "
                f"(missing {sorted(expected - set(entry.columns))}, "
                f"unknown {sorted(set(entry.columns) - expected)})"
            )
        tables.append(table)
    return tables


def _prepare_target(connection: Connection, head: str) -> None:
    """Refuse a database that holds data or has another schema; migrate an empty one."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    present = _present_tables(connection)
    if connection.dialect.name == "postgresql" and present:
        # Nobody writes into the tables between this check and the commit.
        preparer = connection.dialect.identifier_preparer
        names = ", ".join(preparer.format_table(table) for table in present)
        connection.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
    holding = [table for table in present if _has_rows(connection, table)]
    if holding:
        counts = ", ".join(_rows(table.name, _count(connection, table)) for table in holding[:5])
        more = f" and {len(holding) - 5} more tables" if len(holding) > 5 else ""
        raise BackupError(
            f"the target database already holds data: {counts}{more}. Restore into a new, "
            "empty database (restore applies the migrations itself; do not run "
            "`interlink db upgrade` or `interlink demo` on it first)"
        )
    current = _revision(connection)
    if current == head:
        return
    config = _alembic_config()
    if current is not None:
        try:
            ScriptDirectory.from_config(config).get_revision(current)
        except CommandError as exc:
            raise BackupError(
                f"the target database is at schema revision {current}, which this Interlink "
                "does not know"
            ) from exc
    # Within this transaction: if the restore fails, the migrations are undone too.
    config.attributes["connection"] = connection
    command.upgrade(config, head)


def _rows(name: str, count: int) -> str:
    return f"{name} ({count:,} row{'' if count == 1 else 's'})"


def _has_rows(connection: Connection, table: Table) -> bool:
    return connection.execute(select(literal(1)).select_from(table).limit(1)).first() is not None


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _load_table(
    connection: Connection,
    archive: zipfile.ZipFile,
    entry: TableEntry,
    table: Table,
    source: str,
    progress: Progress | None,
) -> None:
    columns = [table.c[name] for name in entry.columns]
    decoders = [codec(column)[1] for column in columns]
    digest = hashlib.sha256()
    rows = 0
    batch: list[list[Any]] = []
    if progress is not None:
        progress(entry.name, 0, entry.rows)
    with archive.open(entry.file) as stream, _writer(connection, table, columns) as write:

        def flush() -> None:
            nonlocal rows
            write(batch)
            rows += len(batch)
            batch.clear()
            if progress is not None:
                progress(entry.name, rows, entry.rows)

        for number, line in enumerate(stream, start=1):
            digest.update(line)
            try:
                batch.append(
                    [
                        value if decode is None or value is None else decode(value)
                        for value, decode in zip(json.loads(line), decoders, strict=True)
                    ]
                )
            except (ValueError, TypeError) as exc:
                raise BackupError(
                    f"{source}: {entry.file} line {number} cannot be read ({exc}); "
                    "nothing was restored"
                ) from exc
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
    if digest.hexdigest() != entry.sha256:
        raise BackupError(altered(source, entry))
    if rows != entry.rows:
        raise BackupError(
            f"{source}: {entry.file} holds {rows} rows, its manifest says {entry.rows}; "
            "nothing was restored"
        )


@contextmanager
def _writer(
    connection: Connection, table: Table, columns: list[Column[Any]]
) -> Iterator[Callable[[list[list[Any]]], None]]:
    """A function that inserts rows (value lists in ``columns`` order) into ``table``."""
    if connection.dialect.name != "postgresql":
        statement = insert(table)
        keys = [column.key for column in columns]

        def execute(rows: list[list[Any]]) -> None:
            try:
                connection.execute(statement, [dict(zip(keys, row, strict=True)) for row in rows])
            except DBAPIError as exc:
                raise _unloadable(table, exc.orig or exc) from exc

        yield execute
        return
    # COPY rather than INSERT: psycopg's executemany sends a statement per row, and a
    # restore into PostgreSQL ran at a tenth of the speed of one into SQLite.
    dialect = connection.dialect
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(column.name) for column in columns)
    raw = cast("psycopg.Connection[Any]", connection.connection.dbapi_connection)
    try:
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {preparer.format_table(table)} ({names}) FROM STDIN") as copy,
        ):

            def write(rows: list[list[Any]]) -> None:
                for row in rows:
                    copy.write_row(
                        [
                            value if process is None else process(value)
                            for value, process in zip(row, processors, strict=True)
                        ]
                    )

            yield write
    except psycopg.Error as exc:
        raise _unloadable(table, exc) from exc


def _unloadable(table: Table, exc: BaseException) -> BackupError:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return BackupError(f"{table.name} could not be loaded ({reason}); nothing was restored")


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Set each integer key's sequence past the largest restored key (inserting explicit
    keys does not advance it, and the next new row would collide)."""
    preparer = connection.dialect.identifier_preparer
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        key = keys[0]
        sequence = connection.execute(
            select(func.pg_get_serial_sequence(preparer.format_table(table), key.name))
        ).scalar()
        if sequence is None:
            continue
        following = select(func.coalesce(func.max(key), 0) + 1).scalar_subquery()
        connection.execute(select(func.setval(sequence, following, False)))


def _alembic_config() -> Config:
    """The Alembic configuration ``interlink.core.db.migrate`` uses (same script folder)."""
    from alembic.config import Config

    root = Path(__file__).resolve().parents[3]
    config = Config()
    config.set_main_option("script_location", str(root / "migrations"))
    return config
