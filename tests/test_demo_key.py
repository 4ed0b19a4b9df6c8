"""The demo's signing key: random for each demo database and kept with it, so that its
console sessions survive a restart; ``serve`` takes no key that is known (missing, weak,
the one earlier versions shipped in the source, or one a demo database keeps)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import jwt
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from interlink.cli import app as cli
from interlink.core.db import make_engine, make_session_factory
from interlink.core.types import utcnow
from interlink.members.models import User
from interlink.messaging.signing import new_key
from tests.conftest import bureau

runner = CliRunner()

SOURCE_KEY = "interlink-demo-secret-key-not-for-production-use-000"
"""The key earlier versions signed the demo's tokens with (it was in the source)."""


def _admin_id(url: str) -> str:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        found = session.scalars(select(User.id).where(User.username == "admin")).one()
    engine.dispose()
    return str(found)


def _forged(user_id: str, key: str) -> dict[str, str]:
    claims = {"sub": user_id, "iss": "interlink", "role": "admin",
              "exp": int((utcnow() + timedelta(minutes=5)).timestamp())}  # fmt: skip
    return {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm='HS256')}"}


def _served(monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str]) -> Any:
    """Run the command line up to the point where it starts uvicorn; the app it serves."""
    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_options: served.append(app))
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    assert len(served) == 1
    return served[0]


def test_the_demo_signs_with_a_key_of_its_own_database_kept_across_restarts(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INTERLINK_SECRET_KEY", raising=False)
    # As an earlier version's demo left it: France's signing key sealed with the source's key.
    engine = make_engine(fresh_database_url)
    with make_session_factory(engine)() as session:
        new_key(session, bureau(session, "FR").id, SOURCE_KEY)
        session.commit()
    engine.dispose()
    env = {"INTERLINK_DATABASE_URL": fresh_database_url, "INTERLINK_DEMO": "true"}
    first = _served(monkeypatch, ["demo"], env)
    admin = _admin_id(fresh_database_url)
    with TestClient(first) as client:
        refused = client.get("/api/v1/me", headers=_forged(admin, SOURCE_KEY))
        assert refused.status_code == 401 and "invalid" in refused.json()["detail"]
        form = {"username": "admin", "password": "demo-password"}
        signed_in = client.post("/api/v1/auth/token", data=form)
        assert signed_in.status_code == 200
        token = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        assert client.get("/api/v1/me", headers=token).status_code == 200
        # France got a key the demo's key opens: its officer's messages are signed.
        form = {"username": "fr.officer", "password": "demo-password"}
        french = client.post("/api/v1/auth/token", data=form).json()["access_token"]
        body = {"recipients": ["DE"], "priority": "routine", "subject": "Key", "body": "Test"}
        sent = client.post("/api/v1/messages", json=body,
                           headers={"Authorization": f"Bearer {french}"})  # fmt: skip
        assert sent.status_code == 201, sent.text
    # Started again on the same database: the same key, so the session still holds.
    second = _served(monkeypatch, ["demo"], env)
    with TestClient(second) as client:
        assert client.get("/api/v1/me", headers=token).status_code == 200
        assert client.get("/api/v1/me", headers=_forged(admin, SOURCE_KEY)).status_code == 401


def test_two_demo_databases_get_different_keys(
    fresh_database_url: str, empty_database_url: str
) -> None:
    from interlink.core.db import migrate
    from interlink.core.demo_key import demo_key

    keys = []
    for url in (fresh_database_url, empty_database_url):
        engine = make_engine(url)
        migrate(engine)
        with make_session_factory(engine)() as session:
            made = demo_key(session)
            session.commit()
            assert demo_key(session) == made  # kept, not made again
            keys.append(made)
        engine.dispose()
    assert keys[0] != keys[1] and SOURCE_KEY not in keys
    assert all(len(key) >= 32 for key in keys)


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """uvicorn.run replaced: a command that gets as far as serving is recorded, not run."""
    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_options: served.append(app))
    monkeypatch.delenv("INTERLINK_SECRET_KEY", raising=False)
    return served


def test_serve_with_interlink_demo_and_no_secret_exits_with_a_clear_error(
    fresh_database_url: str, no_server: list[Any]
) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url, "INTERLINK_DEMO": "true"}
    result = runner.invoke(cli, ["serve"], env=env)
    assert no_server == []
    assert result.exit_code == 2, result.output
    assert "INTERLINK_SECRET_KEY is not set" in result.output


@pytest.mark.parametrize("key", [SOURCE_KEY, SOURCE_KEY.upper()])
def test_serve_refuses_the_key_that_was_in_the_source(
    fresh_database_url: str, no_server: list[Any], key: str
) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url, "INTERLINK_SECRET_KEY": key,
           "INTERLINK_DEMO": "true"}  # fmt: skip
    result = runner.invoke(cli, ["serve"], env=env)
    assert no_server == [] and result.exit_code == 2
    assert "INTERLINK_SECRET_KEY is too weak" in result.output


def test_serve_refuses_the_key_a_demo_database_keeps(
    fresh_database_url: str, no_server: list[Any]
) -> None:
    from interlink.core.demo_key import demo_key

    engine = make_engine(fresh_database_url)
    with make_session_factory(engine)() as session:
        kept = demo_key(session)
        session.commit()
    engine.dispose()
    env = {"INTERLINK_DATABASE_URL": fresh_database_url, "INTERLINK_SECRET_KEY": kept}
    result = runner.invoke(cli, ["serve"], env=env)
    assert no_server == [] and result.exit_code == 2
    assert "kept in the database" in result.output
    # Any other good key serves, and a token signed with the source's key is refused there.
    good = "f" + kept[1:] if kept[0] != "f" else "e" + kept[1:]
    env["INTERLINK_SECRET_KEY"] = good
    assert runner.invoke(cli, ["serve"], env=env).exit_code == 0
    (served,) = no_server
    with TestClient(served) as client:
        answer = client.get("/api/v1/me", headers=_forged(str(uuid.uuid4()), SOURCE_KEY))
        assert answer.status_code == 401 and "invalid" in answer.json()["detail"]
