"""Engine and sessions for SQLite (embedded, WAL) and PostgreSQL (psycopg 3).

The schema itself is only ever created by the Alembic migrations (``migrate()``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from interlink.core import storedjson
from interlink.core.sqlite import configure_sqlite, read_only

__all__ = [
    "Base",
    "make_engine",
    "make_session_factory",
    "migrate",
    "normalise_url",
    "reading",
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


POOL_SIZE = 10
POOL_OVERFLOW = 30
"""Connections kept, and opened beyond them under load: a server admits 32 requests at
once (``core.gate.Gate``), each holding at most one, beside live streams and the deadline
watcher. (SQLAlchemy's default, 5 + 10, is fewer than the 40 threads routes run in.)"""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the per-backend settings Interlink relies on."""
    url = normalise_url(url)
    # A damaged JSON value is read as a marker, not an error that fails a whole query.
    kwargs.setdefault("json_deserializer", storedjson.loads)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs.setdefault("pool_size", POOL_SIZE)
            kwargs.setdefault("max_overflow", POOL_OVERFLOW)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
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


@contextmanager
def reading(session: Session) -> Iterator[None]:
    """Run a block that only reads in a transaction of its own, ended with the block.

    On SQLite it begins without taking the write lock, so long reads (screening, looking
    up who is calling) do not hold up writers. Inside a transaction already begun, the
    block simply joins it. The block must not write.
    """
    if session.in_transaction():
        yield
        return
    token = read_only.set(True)
    try:
        with session.no_autoflush:  # pending changes are not written in here
            yield
    except BaseException:
        read_only.reset(token)
        session.rollback()
        raise
    read_only.reset(token)
    session.commit()


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
