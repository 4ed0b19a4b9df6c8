"""Test fixtures. The strategy:

- Every database test runs twice, on SQLite (a temporary file, WAL) and on PostgreSQL
  (a private schema in ``INTERLINK_TEST_POSTGRES_URL``, default the local ``test``
  database). PostgreSQL tests skip when the server is unreachable, except in CI
  (``CI=true``), where an unreachable server fails the run.
- The schema is built once per backend by the real Alembic migrations, and the member
  network (countries, bureaus) is seeded once; a probe shared kind (``tests/kinds.py``)
  gets its table so that the access policy has a kind to act on before any domain adds
  its own.
- Each test runs inside a transaction that is rolled back at its end: services and the
  app commit to savepoints (``join_transaction_mode="create_savepoint"``), so tests see
  real commits and leave nothing behind.
- ``fresh_database_url`` gives a migrated, committed, private database for tests that
  run the CLI as a separate unit (audit tampering, demo seeding).
- Factories: ``make_user(role, country)`` and ``auth(user)`` (bearer headers).
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from interlink.access import Role
from interlink.app import create_app
from interlink.core.config import Settings
from interlink.core.db import Base, make_engine, make_session_factory, migrate, normalise_url
from interlink.core.security import issue_token
from interlink.members.models import Bureau, User
from interlink.members.service import ensure_network
from tests.kinds import ProbeRecord

POSTGRES_URL = os.environ.get(
    "INTERLINK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PASSWORD = "correct horse battery staple"
# The factories' users get an argon2 hash of the lightest cost: verifying it takes 0.5 ms
# instead of 120 ms, and the suite signs in thousands of times. The cost a real hash has is
# not what those tests are about; argon2 verifies any hash with the cost written in it, and
# the service's own hashes (new users, changed passwords, the unknown-name dummy) keep theirs.
_PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
SECRET = secrets.token_hex(32)


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(normalise_url(POSTGRES_URL), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any driver error means "not reachable"
        return str(exc).splitlines()[0]


def _postgres_schema_url(schema: str) -> str:
    admin = create_engine(normalise_url(POSTGRES_URL))
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def _drop_postgres_schema(schema: str) -> None:
    admin = create_engine(normalise_url(POSTGRES_URL))
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _new_database(backend: str, tmp: Path) -> tuple[str, Callable[[], None]]:
    """A URL of an empty private database on ``backend`` and a function that removes it."""
    if backend == "sqlite":
        path = tmp / f"interlink-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: None
    reason = _postgres_reachable()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {reason}")
        pytest.skip(f"PostgreSQL unreachable: {reason}")
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    return _postgres_schema_url(schema), lambda: _drop_postgres_schema(schema)


def prepare(engine: Engine) -> None:
    migrate(engine)
    with Session(engine) as session:
        ensure_network(session)
        session.commit()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, cleanup = _new_database(backend, tmp_path_factory.mktemp(backend))
    yield url
    cleanup()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    prepare(engine)
    with engine.begin() as connection:
        Base.metadata.create_all(connection, tables=[ProbeRecord.__table__])
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    connection = engine.connect()
    transaction = connection.begin()
    factory = make_session_factory(connection, join_transaction_mode="create_savepoint")
    yield factory
    transaction.rollback()
    connection.close()


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No deadline watcher: it would share the test's one connection from another task,
    # and break its savepoints whenever a test outlasts its period (hits tests call it).
    return Settings(
        database_url=database_url, secret_key=SECRET, signin_backoff_after=3, watch_seconds=0
    )


@pytest.fixture
def client(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(settings, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    url, cleanup = _new_database(backend, tmp_path)
    engine = make_engine(url)
    prepare(engine)
    engine.dispose()
    yield url
    cleanup()


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A private database without any schema (for migration tests)."""
    url, cleanup = _new_database(backend, tmp_path)
    yield url
    cleanup()


def bureau(session: Session, code: str) -> Bureau:
    return session.scalars(select(Bureau).where(Bureau.code == code)).one()


def new_user(session: Session, role: Role | str, country: str, username: str | None = None) -> User:
    """A committed user of ``role`` in ``country``'s bureau, with the password ``PASSWORD``."""
    role = Role(role)
    user = User(
        username=username or f"{country.lower()}.{role.value}.{uuid.uuid4().hex[:6]}",
        password_hash=_PASSWORD_HASH,
        role=role.value,
        bureau_id=bureau(session, country).id,
    )
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    def factory(role: Role | str, country: str, username: str | None = None) -> User:
        return new_user(session, role, country, username)

    return factory


@pytest.fixture
def auth(settings: Settings) -> Callable[[User], dict[str, str]]:
    def headers(user: User) -> dict[str, str]:
        token = issue_token(str(user.id), settings.signing_key, settings.token_minutes)
        return {"Authorization": f"Bearer {token}"}

    return headers
