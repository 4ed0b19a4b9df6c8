"""The event outbox: ids become visible in id order, so that a stream reading "after id
N" never skips an event that commits late."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Actor, Role
from interlink.core.db import make_engine, make_session_factory
from interlink.core.events import Event, publish
from interlink.members.models import User
from interlink.messaging.stream import audience_clause
from tests.conftest import bureau


def test_a_later_id_never_commits_before_an_earlier_one(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    first_published = threading.Event()
    committed: list[tuple[str, float]] = []

    def slow() -> None:
        with factory() as session:
            publish(session, "probe", object_type="probe", object_id="slow", owner=None,
                    audience="*", payload={})  # fmt: skip
            session.flush()
            first_published.set()
            time.sleep(0.5)  # the id is taken; the commit is late
            session.commit()
            committed.append(("slow", time.monotonic()))

    def fast() -> None:
        first_published.wait(10)
        with factory() as session:
            publish(session, "probe", object_type="probe", object_id="fast", owner=None,
                    audience="*", payload={})  # fmt: skip
            session.commit()
            committed.append(("fast", time.monotonic()))

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with factory() as session:
        ids = {name: number for name, number in session.execute(select(Event.object_id, Event.id))}
    engine.dispose()
    assert ids["slow"] < ids["fast"]
    assert [name for name, _ in sorted(committed, key=lambda item: item[1])] == ["slow", "fast"]


def _actor(session: Session, role: Role, code: str) -> Actor:
    office = bureau(session, code)
    return Actor.build(id=uuid.uuid4(), name=f"{code}-{role}", role=role, bureau_id=office.id,
                       bureau_code=office.code, country=office.country_code,
                       kind="client" if role is Role.CLIENT else "user")  # fmt: skip


def test_each_role_is_told_only_what_it_may_read(session: Session) -> None:
    for topic, owner, audience in [
        ("message", "FR", ",DE,"), ("hit.created", "FR", ",DE,CCC,"),
        ("notice.submit", "FR", ",SEC,"), ("notice.publish", "FR", "*"),
        ("message", "FR", ",CCC,"),
    ]:  # fmt: skip
        publish(session, topic, object_type="probe", object_id=f"{topic}{audience}",
                owner=owner, audience=audience, payload={})  # fmt: skip
    session.flush()

    def told(role: Role, code: str) -> set[str]:
        rows = session.scalars(select(Event).where(audience_clause(_actor(session, role, code))))
        return {event.object_id for event in rows}

    assert told(Role.OFFICER, "DE") == {"message,DE,", "hit.created,DE,CCC,", "notice.publish*"}
    assert told(Role.ANALYST, "DE") == {"hit.created,DE,CCC,", "notice.publish*"}  # no messages
    assert told(Role.OFFICER, "IT") == {"notice.publish*"}
    assert told(Role.CLIENT, "DE") == set()  # a border system screens; it reads nothing
    assert told(Role.AUDITOR, "SEC") == set()
    assert told(Role.REVIEWER, "SEC") == {"notice.submit,SEC,", "notice.publish*"}
    assert told(Role.OPERATOR, "SEC") == {
        "hit.created,DE,CCC,", "notice.submit,SEC,", "notice.publish*", "message,CCC,"
    }  # fmt: skip


def test_who_may_open_the_stream(
    client: TestClient, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]]
) -> None:
    auditor = make_user(Role.AUDITOR, "SEC")
    assert client.get("/api/v1/stream", headers=auth(auditor)).status_code == 403
    officer = make_user(Role.OFFICER, "FR")
    bad = client.get("/api/v1/stream", headers={**auth(officer), "Last-Event-ID": "12a"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "Last-Event-ID"
    assert client.get("/api/v1/stream", params={"after": 10**19},
                      headers=auth(officer)).status_code == 422  # fmt: skip


def test_an_open_stream_ends_when_its_session_does(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database of its own: the stream and the sign-out run at once, each with its own
    # connection, as in a server (the rolled-back test transaction has only one).
    from interlink.app import create_app
    from interlink.core.config import Settings
    from interlink.messaging import stream as live
    from tests.conftest import SECRET
    from tests.messaging.live import PASSWORD, add_users

    monkeypatch.setattr(live, "POLL_SECONDS", 0.1)
    monkeypatch.setattr(live, "SESSION_CHECK_SECONDS", 0.2)
    add_users(fresh_database_url, "fr.o")
    app = create_app(Settings(database_url=fresh_database_url, secret_key=SECRET))
    received: list[str] = []
    with TestClient(app, raise_server_exceptions=False) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": "fr.o", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def listen() -> None:
            with client.stream("GET", "/api/v1/stream", headers=headers) as response:
                received.append(str(response.status_code))
                received.extend(response.iter_lines())

        listener = threading.Thread(target=listen)
        listener.start()
        time.sleep(0.5)
        assert listener.is_alive()  # signed in: the stream stays open
        assert client.post("/api/v1/auth/signout", headers=headers).status_code == 204
        listener.join(timeout=10)
        assert not listener.is_alive(), "the stream outlived its session"
    assert received[0] == "200" and "event: signed-out" in received
