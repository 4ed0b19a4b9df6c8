"""Engine and sessions for SQLite (embedded, WAL) and PostgreSQL (psycopg 3).

The schema itself is only ever created by the Alembic migrations (``migrate()``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

__all__ = [
    "Base",
    "make_engine",
    "make_session_factory",
    "migrate",
    "normalise_url",
    "session_scope",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every Interlink table."""

    metadata = MetaData(naming_convention=NAMING)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so that
        # savepoints and BEGIN work as documented.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Random keys (UUIDs, document numbers) land all over the indexes; the default
        # 2 MB page cache made inserts into millions of records three times slower.
        cursor.execute("PRAGMA cache_size=-131072")
        cursor.execute("PRAGMA temp_store=MEMORY")
        # Checkpoint the WAL every ~64 MB rather than every 4 MB: bulk imports wrote each
        # page to the database file several times over, and each checkpoint syncs.
        cursor.execute("PRAGMA wal_autocheckpoint=16384")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE: take the write lock when the transaction starts. Nearly every request
        # writes (audit entries), and a deferred transaction that has read cannot wait for
        # the lock: it fails with "database is locked" under concurrent requests (measured
        # by bench/screening_api.py). Readers outside transactions are never blocked (WAL).
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the per-backend settings Interlink relies on."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # psycopg prepares a statement after 5 runs, and PostgreSQL then may switch to a
    # generic plan; for queries like "source_id IN (5,000 values)" that plan was 100x
    # slower (measured by bench/records_import). Plan every statement with its values.
    kwargs.setdefault("connect_args", {}).setdefault("prepare_threshold", None)
    return create_engine(url, **kwargs)


def make_session_factory(bind: Any, **kwargs: Any) -> sessionmaker[Session]:
    return sessionmaker(bind=bind, expire_on_commit=False, **kwargs)


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session; roll back whatever was not committed."""
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (the only way tables are made)."""
    from alembic import command
    from alembic.config import Config

    root = Path(__file__).resolve().parents[3]
    config = Config()
    config.set_main_option("script_location", str(root / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
