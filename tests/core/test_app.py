"""The app's edges: health, problem+json errors, request ids."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.members.models import User

PROBLEM = "application/problem+json"


def test_health_answers_once_the_database_does(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_reports_an_unreachable_database(client: TestClient) -> None:
    def broken() -> Session:
        raise_on = Session()
        raise_on.execute = _fail  # type: ignore[method-assign]
        return raise_on

    def _fail(*_args: object, **_kwargs: object) -> None:
        raise OSError("connection refused")

    client.app.state.session_factory = broken  # type: ignore[attr-defined]
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == "the database does not answer"


def test_unknown_route_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 404
    assert body["detail"] == "no such resource: /api/v1/nowhere"
    assert body["request_id"] == response.headers["x-request-id"]


def test_validation_errors_name_each_bad_field(client: TestClient) -> None:
    response = client.get("/api/v1/countries", params={"member": "perhaps"})
    assert response.status_code == 422
    body = response.json()
    assert response.headers["content-type"] == PROBLEM
    assert body["errors"][0]["field"] == "query.member"
    assert "query.member" in body["detail"]


def test_request_id_is_kept_and_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("interlink")
    logger.addHandler(caplog.handler)
    try:
        response = client.get("/api/v1/health", headers={"X-Request-ID": "req-12345678"})
    finally:
        logger.removeHandler(caplog.handler)
    assert response.headers["x-request-id"] == "req-12345678"
    assert any(getattr(r, "request_id", None) == "req-12345678" for r in caplog.records)


def test_unexpected_errors_hide_the_traceback(client: TestClient) -> None:
    @client.app.get("/api/v1/explode")  # type: ignore[attr-defined]
    def explode() -> None:
        raise RuntimeError("secret internals")

    response = client.get("/api/v1/explode")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.json()["detail"].startswith("the server failed to answer")


def test_database_is_configured_for_its_backend(session: Session, backend: str) -> None:
    if backend == "sqlite":
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    else:
        assert "PostgreSQL" in session.execute(text("SELECT version()")).scalar()


def test_a_value_the_database_cannot_keep_is_a_422(
    client: TestClient, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]]
) -> None:
    """PostgreSQL keeps no NUL character in text: the answer says so, nothing is written
    (SQLite keeps it)."""
    officer = make_user(Role.OFFICER, "FR")
    body = {"plate": "AB\x00CD", "visibility": {"mode": "all_members"}}
    answer = client.post("/api/v1/records/vehicles", json=body, headers=auth(officer))
    listed = client.get("/api/v1/records/vehicles", headers=auth(officer)).json()
    if answer.status_code == 201:  # SQLite
        assert listed["total"] == 1
        return
    assert answer.status_code == 422, answer.text
    assert "NUL" in answer.json()["errors"][0]["message"]
    assert listed["total"] == 0
