"""Failed sign-ins back off per (username, address), and per username from addresses where
it has not signed in: strangers cannot keep an account's owner out, and nothing (answer
or work done) tells a real username from an unknown one."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.core.config import Settings
from interlink.core.types import utcnow
from interlink.members.models import SigninBackoff, User
from tests.conftest import PASSWORD

MakeUser = Callable[..., User]
Auth = Callable[[User], dict[str, str]]
UNKNOWN = "no.such.user"
# Set per request, whatever happens: not part of what an answer tells.
_VARYING = {"x-request-id", "server-timing"}


def _at(client: TestClient, address: str) -> TestClient:
    """The same app, as reached from ``address``."""
    return TestClient(client.app, client=(address, 50000), raise_server_exceptions=False)


def _sign_in(client: TestClient, username: str, password: str = "not the password") -> Response:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _answer(response: Response) -> tuple[int, str, dict[str, str]]:
    """Everything an answer tells, but for what is new in every answer (its request id)."""
    headers = {k: v for k, v in response.headers.items() if k not in _VARYING}
    body = re.sub(r'"request_id":"[0-9a-f]+"', '"request_id":"?"', response.text)
    return response.status_code, body, headers


@pytest.fixture
def clock(client: TestClient) -> Iterator[list[datetime]]:
    """The app's clock, stopped; move it with ``clock[0] += ...``."""
    moment = [utcnow()]
    client.app.state.clock = lambda: moment[0]  # type: ignore[attr-defined]
    yield moment


def _tune(client: TestClient, **changes: object) -> Settings:
    settings: Settings = client.app.state.settings.model_copy(update=changes)  # type: ignore[attr-defined]
    client.app.state.settings = settings  # type: ignore[attr-defined]
    return settings


@pytest.mark.parametrize("failures", [5, 50])
def test_strangers_from_other_addresses_cannot_stop_the_owner(
    client: TestClient, make_user: MakeUser, failures: int
) -> None:
    owner = make_user(Role.ADMIN, "SEC")
    strangers = [_at(client, f"203.0.113.{n}") for n in (1, 2, 3)]
    answers = {_sign_in(strangers[n % 3], owner.username).status_code for n in range(failures)}
    assert answers <= {401, 429}
    home = _at(client, "192.0.2.10")
    assert _sign_in(home, owner.username, PASSWORD).status_code == 200
    # And on the console, from the same address.
    page = home.get("/signin")
    signed_in = home.post("/signin", follow_redirects=False, data={
        "username": owner.username, "password": PASSWORD,
        "csrf_token": page.cookies.get("interlink_csrf")})  # fmt: skip
    assert signed_in.status_code == 303


def test_the_pair_backs_off_exponentially_up_to_the_cap(
    client: TestClient, make_user: MakeUser, settings: Settings, clock: list[datetime]
) -> None:
    # No per-minute allowance: it runs on the real clock, this test on the app's.
    _tune(client, signin_backoff_max_minutes=3, signin_per_minute=0)
    officer = make_user(Role.OFFICER, "FR")
    office, elsewhere = _at(client, "192.0.2.20"), _at(client, "192.0.2.21")
    for _ in range(settings.signin_backoff_after):
        assert _sign_in(office, officer.username).status_code == 401
    waits = []
    for _ in range(4):
        held = _sign_in(office, officer.username, PASSWORD)  # even the right password waits
        assert held.status_code == 429, held.text
        assert held.headers["content-type"] == "application/problem+json"
        waits.append(int(held.headers["Retry-After"]))
        assert f"try again in {waits[-1]} s" in held.json()["detail"]
        # Only this address waits for this username.
        assert _sign_in(elsewhere, officer.username, PASSWORD).status_code == 200
        clock[0] += timedelta(seconds=waits[-1] - 1)
        assert _sign_in(office, officer.username, PASSWORD).status_code == 429
        clock[0] += timedelta(seconds=1)
        assert _sign_in(office, officer.username).status_code == 401  # counted: longer now
    assert waits == [60, 120, 180, 180]
    clock[0] += timedelta(minutes=3)
    assert _sign_in(office, officer.username, PASSWORD).status_code == 200
    # A success starts the count again.
    for _ in range(settings.signin_backoff_after):
        assert _sign_in(office, officer.username).status_code == 401
    assert _sign_in(office, officer.username).headers["Retry-After"] == "60"


def test_known_and_unknown_names_get_identical_answers(
    client: TestClient, make_user: MakeUser, settings: Settings, session: Session,
    clock: list[datetime],
) -> None:  # fmt: skip
    known = make_user(Role.OFFICER, "DE")
    disabled = make_user(Role.OFFICER, "DE")
    disabled.active = False
    session.commit()
    address = _at(client, "198.51.100.4")
    answers: dict[str, list[tuple[int, str, dict[str, str]]]] = {}
    for username in (known.username, UNKNOWN, disabled.username):
        tries = [_sign_in(address, username) for _ in range(settings.signin_backoff_after + 1)]
        tries.append(_sign_in(address, username, PASSWORD))
        answers[username] = [_answer(response) for response in tries]
    statuses = [status for status, _, _ in answers[known.username]]
    assert statuses == [401] * settings.signin_backoff_after + [429, 429]
    assert answers[known.username] == answers[UNKNOWN] == answers[disabled.username]
    assert answers[UNKNOWN][-1][2]["retry-after"] == "60"
    # The console's page answers alike too (its text repeats the name typed, nothing more).
    console = _at(client, "198.51.100.5")
    pages = {}
    for username in (known.username, UNKNOWN):
        token = console.get("/signin").cookies.get("interlink_csrf")
        form = {"username": username, "password": "wrong", "csrf_token": token}
        tries = [
            console.post("/signin", data=form) for _ in range(settings.signin_backoff_after + 1)
        ]
        pages[username] = [
            (r.status_code, r.headers.get("retry-after"), r.text.replace(username, "NAME"))
            for r in tries
        ]
    assert pages[known.username] == pages[UNKNOWN]
    assert pages[UNKNOWN][-1][:2] == (429, "60") and "try again in 60 s" in pages[UNKNOWN][-1][2]
    # What was tried is not kept in clear: neither the names nor the addresses.
    keys = " ".join(session.scalars(select(SigninBackoff.key)))
    assert keys and not re.search(r"no\.such|198\.51|\.officer", keys)


class Work:
    """What one sign-in attempt does: argon2 verifications and SQL statements run."""

    def __init__(self, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
        self.verifications = 0
        self.statements: list[str] = []
        original = PasswordHasher.verify

        def verify(hasher: PasswordHasher, *args: Any, **kwargs: Any) -> Any:
            self.verifications += 1
            return original(hasher, *args, **kwargs)

        monkeypatch.setattr(PasswordHasher, "verify", verify)
        event.listen(engine, "before_cursor_execute", self._statement)
        self._engine = engine

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        # The test harness's savepoints are numbered; what runs inside them is the work.
        self.statements.append(re.sub(r"sa_savepoint_\d+", "sp", statement))

    def of(self, attempt: Callable[[], Response]) -> tuple[int, list[str], int]:
        """What ``attempt`` does (verifications, statements) and its answer's status."""
        self.verifications, self.statements = 0, []
        status = attempt().status_code
        return self.verifications, list(self.statements), status

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._statement)


@pytest.fixture
def work(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    measured = Work(engine, monkeypatch)
    yield measured
    measured.close()


def test_every_attempt_does_the_same_work_whatever_the_name_and_the_backoff(
    client: TestClient, make_user: MakeUser, settings: Settings, session: Session, work: Work
) -> None:
    known, disabled = make_user(Role.OFFICER, "PL"), make_user(Role.OFFICER, "PL")
    disabled.active = False
    session.commit()
    address = _at(client, "198.51.100.9")
    first = {name: work.of(lambda name=name: _sign_in(address, name))  # type: ignore[misc]
             for name in (known.username, UNKNOWN, disabled.username)}  # fmt: skip
    for _ in range(settings.signin_backoff_after - 1):
        for name in (known.username, UNKNOWN):
            _sign_in(address, name)
    held = {name: work.of(lambda name=name: _sign_in(address, name, PASSWORD))  # type: ignore[misc]
            for name in (known.username, UNKNOWN)}  # fmt: skip
    success = work.of(lambda: _sign_in(_at(client, "198.51.100.10"), known.username, PASSWORD))
    cases = [*first.values(), *held.values(), success]
    assert [status for _, _, status in cases] == [401, 401, 401, 429, 429, 200]
    # One argon2 verification each, whether the name exists and whether it waits.
    assert [verifications for verifications, _, _ in cases] == [1] * 6
    # The same statements, in the same order: the same reads and the same writes.
    statements = [statements for _, statements, _ in cases]
    assert any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in statements[0])
    assert all(s == statements[0] for s in statements), [len(s) for s in statements]


def test_many_addresses_hold_back_unfamiliar_addresses_but_not_the_owners(
    client: TestClient, make_user: MakeUser, auth: Auth, clock: list[datetime]
) -> None:
    settings = _tune(client, signin_account_backoff_after=6)
    owner, supervisor = make_user(Role.OFFICER, "IT"), make_user(Role.SUPERVISOR, "IT")
    home, travelling = _at(client, "192.0.2.40"), _at(client, "192.0.2.41")
    assert _sign_in(home, owner.username, PASSWORD).status_code == 200  # familiar from now on
    answers: dict[str, list[tuple[int, str, dict[str, str]]]] = {}
    for name in (owner.username, UNKNOWN):
        for n in range(settings.signin_account_backoff_after):  # two each from three addresses
            assert _sign_in(_at(client, f"203.0.113.{n % 3 + 10}"), name).status_code == 401
        answers[name] = [_answer(_sign_in(travelling, name, PASSWORD))]
    assert answers[owner.username] == answers[UNKNOWN]
    assert answers[UNKNOWN][0][0] == 429 and answers[UNKNOWN][0][2]["retry-after"] == "60"
    # The owner's own address is not held back by strangers' failures.
    assert _sign_in(home, owner.username, PASSWORD).status_code == 200
    # The bureau's supervisor sees the hold and clears it: every address may try again.
    path = f"/api/v1/users/{owner.id}"
    listed = client.get("/api/v1/users", headers=auth(supervisor)).json()["items"]
    held = next(user for user in listed if user["id"] == str(owner.id))
    assert held["signin_held_until"] is not None
    cleared = client.patch(path, json={"unlock": True}, headers=auth(supervisor))
    assert cleared.status_code == 200 and cleared.json()["signin_held_until"] is None
    assert _sign_in(travelling, owner.username, PASSWORD).status_code == 200
