"""Every route declares who may call it, and answers every role as it declares.

Generated from the app itself: each API and console route is called as a caller who
has not signed in, as each role (an API client of scope ``screening`` for ``client``)
and as a national node's API client (scope ``node``); the answer is compared with
``access.declared.expected_refusal``: 401 (or the console's redirect to sign in) for the
signed-out, 403 for a role the declaration leaves out and for an API key on every route
outside its scope (console pages included, the key sent as the session cookie), and for
every other caller neither of those nor a server error. A route added without a
declaration fails ``test_every_route_declares_its_access``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Mount, Route

from interlink.access import SECRETARIAT_ROLES, Actor, ClientScope, Role
from interlink.access.declared import Audience, Declared, expected_refusal
from interlink.app import create_app
from interlink.core.config import Settings
from interlink.members.auth import actor_for_user, issue_access_token
from interlink.members.deps import route_declaration
from interlink.members.models import User
from interlink.members.schemas import ApiClientCreate
from interlink.members.service import create_api_client
from interlink.web.session import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE

_SECRET = "k" * 12 + "9f2c4e6a8b0d1f3e5a7c9b2d4f6a8c0e"
_FRAMEWORK = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
"""FastAPI's own description of the API, public like the API's documentation."""


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    declared: Declared | None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_api(self) -> bool:
        return self.path.startswith(("/api/", "/notices/v1/"))


def _app() -> FastAPI:
    return create_app(Settings(database_url="sqlite://", secret_key=_SECRET))


def _endpoints(app: FastAPI) -> Iterator[Endpoint]:
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            declared = route_declaration(context.dependant)
            for method in sorted(context.methods):
                yield Endpoint(method, context.path, declared)


_ENDS_SESSIONS = {"POST /api/v1/auth/signout", "POST /signout"}
ENDPOINTS = sorted(_endpoints(_app()), key=lambda e: (str(e) in _ENDS_SESSIONS, str(e)))
"""Every route, those that end the callers' sessions last."""


def test_every_route_declares_its_access() -> None:
    app = _app()
    undeclared = [str(e) for e in _endpoints(app) if e.declared is None]
    assert undeclared == [], f"routes without a declared access: {undeclared}"
    others = [
        getattr(c.original_route, "path", "?")
        for c in iter_route_contexts(app.routes)
        if not isinstance(c.original_route, APIRoute)
    ]
    # Besides the declared routes: the bundled static files and FastAPI's own docs.
    for path in others:
        assert path == "/static" or path in _FRAMEWORK, f"undeclared route {path}"
    assert any(isinstance(c.original_route, Mount) for c in iter_route_contexts(app.routes))
    assert any(isinstance(c.original_route, Route) for c in iter_route_contexts(app.routes))


def test_public_and_open_routes_are_the_few_meant_to_be() -> None:
    """The public surface is small and named: a route made public by mistake shows here."""
    public = {str(e) for e in ENDPOINTS if e.declared and e.declared.audience is Audience.PUBLIC}
    assert {p for p in public if not p.split()[1].startswith("/notices/v1/")} == {
        "GET /api/v1/health",
        "GET /api/v1/countries",
        "GET /api/v1/bureaus",
        "POST /api/v1/auth/token",
        "GET /signin",
        "POST /signin",
        "POST /signout",
        "GET /metrics",  # no account: the network decides (404 outside METRICS_NETWORKS)
    }
    assert all(p.startswith("GET ") for p in public if "/notices/v1/" in p)
    # Routes any account may call, the service deciding what it sees.
    open_to_all = {
        str(e)
        for e in ENDPOINTS
        if e.declared
        and e.declared.audience in (Audience.SIGNED_IN, Audience.PERSON)
        and not e.declared.permission
    }
    assert all(p.startswith("GET ") or p in _ACCOUNT_CHANGES for p in open_to_all), open_to_all


_ACCOUNT_CHANGES = {"POST /api/v1/auth/signout", "POST /profile/password"}
"""The only changes an account of any role may make: to its own sign-in."""


def test_api_keys_are_admitted_only_where_their_scope_is_named() -> None:
    """Default deny for machine clients: the few routes each scope admits, by name (the
    walk below proves that every other route answers such a key 403)."""

    def admitting(scope: ClientScope) -> set[str]:
        return {str(e) for e in ENDPOINTS if e.declared and scope in e.declared.clients}

    assert admitting(ClientScope.SCREENING) == {
        "POST /api/v1/screen",
        "POST /api/v1/screen/stream",
        "GET /api/v1/me",  # its own key: name, bureau, scope
    }
    assert admitting(ClientScope.NODE) == {
        "GET /api/v1/changes",
        "POST /api/v1/hits",  # the hits it found offline
        "GET /api/v1/me",
    }


_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
_VALUES = {
    "kind": "persons",
    "type_value": "red",
    "year": "2026",
    "number": "99999",
    "notice_id": "2026-99999",
    "picture_id": "1",
    "ident": "2026-99999",
    "action": "approve",
    "step": "close",
}


def _concrete(path: str) -> str:
    return _PARAMETER.sub(lambda m: _VALUES.get(m.group(1), str(uuid.uuid4())), path)


@dataclass(frozen=True)
class Caller:
    role: Role
    scope: ClientScope = ClientScope.SCREENING
    """A machine client's (``role`` client)."""

    def __str__(self) -> str:
        return f"client:{self.scope}" if self.role is Role.CLIENT else str(self.role)


CALLERS = [Caller(role) for role in Role] + [Caller(Role.CLIENT, ClientScope.NODE)]
"""Every role, and an API client of each scope."""


@pytest.fixture
def callers(
    make_user: Callable[..., User], session: Session, settings: Settings
) -> dict[Caller, dict[str, str]]:
    """Each caller's credentials: a user of a national bureau, or of the secretariat, or
    an API key of the French bureau."""
    found: dict[Caller, dict[str, str]] = {}
    supervisor: Actor = actor_for_user(make_user(Role.SUPERVISOR, "FR"))
    for caller in CALLERS:
        if caller.role is Role.CLIENT:
            body = ApiClientCreate(name=f"route walker {caller.scope}", scope=caller.scope)
            _, key = create_api_client(session, body, actor=supervisor)
            session.commit()
            found[caller] = {"key": key}
        else:
            user = make_user(caller.role, "SEC" if caller.role in SECRETARIAT_ROLES else "FR")
            found[caller] = {"token": issue_access_token(settings, user)}
    return found


def _call(client: TestClient, endpoint: Endpoint, credentials: dict[str, str] | None) -> object:
    path = _concrete(endpoint.path)
    client.cookies.clear()
    headers: dict[str, str] = {"Accept": "application/json"}
    if endpoint.is_api:
        if credentials and "token" in credentials:
            headers["Authorization"] = f"Bearer {credentials['token']}"
        elif credentials:
            headers["X-API-Key"] = credentials["key"]
        if endpoint.method in ("POST", "PUT", "PATCH"):
            return client.request(endpoint.method, path, json={}, headers=headers)
        return client.request(endpoint.method, path, headers=headers)
    # A console page: the session cookie (an API client has none), and a valid CSRF
    # token so that only the access decision can refuse.
    csrf = "c" * 43
    client.cookies.set(CSRF_COOKIE, csrf)
    if credentials:  # an API key too: it must open no page
        client.cookies.set(SESSION_COOKIE, credentials.get("token") or credentials["key"])
    headers = {"Accept": "text/html", "X-CSRF-Token": csrf}
    if endpoint.method == "POST":
        return client.post(path, data={CSRF_FIELD: csrf}, headers=headers, follow_redirects=False)
    return client.get(path, headers=headers, follow_redirects=False)


def test_every_route_answers_each_role_as_declared(
    client: TestClient, callers: dict[Caller, dict[str, str]]
) -> None:
    """One app and one set of callers for all the routes (a test each would spend its
    time building them); the failure lists every route that answered a role wrongly."""
    wrong: list[str] = []
    for endpoint in ENDPOINTS:
        wrong += _wrong_answers(client, callers, endpoint)
    assert not wrong, "\n".join(wrong)


def _wrong_answers(
    client: TestClient, callers: dict[Caller, dict[str, str]], endpoint: Endpoint
) -> list[str]:
    assert endpoint.declared is not None
    wrong: list[str] = []
    for caller in [None, *CALLERS]:
        if endpoint.path == "/api/v1/stream" and caller is not None:
            continue  # an open stream never ends; its refusals are checked below
        credentials = callers[caller] if caller is not None else None
        response = _call(client, endpoint, credentials)
        status = response.status_code  # type: ignore[attr-defined]
        location = response.headers.get("location", "")  # type: ignore[attr-defined]
        expected = (
            expected_refusal(endpoint.declared, None, secretariat=False)
            if caller is None
            else expected_refusal(
                endpoint.declared,
                caller.role,
                secretariat=caller.role in SECRETARIAT_ROLES,
                scope=caller.scope,
            )
        )
        if expected == 401 and not endpoint.is_api:
            ok = status == 303 and location.endswith("/signin")
        elif expected is not None:
            ok = status == expected
        else:
            # Signing out (public) rightly ends on the sign-in page; others must not.
            to_signin = (
                location.endswith("/signin") and endpoint.declared.audience is not Audience.PUBLIC
            )
            ok = status < 500 and status not in (401, 403) and not to_signin
        if not ok:
            answer = f"{status} (expected {expected or 'allowed'})"
            wrong.append(
                f"{endpoint} declared {endpoint.declared}: {caller or 'signed out'} {answer}"
            )
    return wrong


def test_stream_refuses_as_declared(
    client: TestClient, callers: dict[Caller, dict[str, str]]
) -> None:
    (endpoint,) = [e for e in ENDPOINTS if e.path == "/api/v1/stream"]
    assert endpoint.declared is not None
    assert _call(client, endpoint, None).status_code == 401  # type: ignore[attr-defined]
    for caller in CALLERS:
        expected = expected_refusal(endpoint.declared, caller.role, scope=caller.scope,
                                    secretariat=caller.role in SECRETARIAT_ROLES)  # fmt: skip
        if expected is not None:
            response = _call(client, endpoint, callers[caller])
            assert response.status_code == expected, caller  # type: ignore[attr-defined]
