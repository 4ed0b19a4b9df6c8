"""What a national node takes besides reads: only what is its own (``node/guard.py``).

Generated from the app's routes, like the route x role walk: on a database that is a
node, every state-changing route but the node's own (sign-in, its users and API clients,
screening) answers 409 naming the central system and writes nothing; screening still
works, its hits are queued for central, and the node never escalates them itself.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.core.types import utcnow
from interlink.hits.service import escalate_overdue
from interlink.members.models import User
from interlink.node.guard import NODE_WRITES
from interlink.node.models import NodeState
from interlink.node.sync import pending_hits
from tests.conftest import PASSWORD

Auth = Callable[[User], dict[str, str]]
CENTRAL = "https://central.interlink.example"
_READS = {"GET", "HEAD", "OPTIONS"}
_SAMPLE = {"kind": "persons", "type_value": "red", "action": "submit", "step": "close"}


def _writes(client: TestClient) -> Iterator[tuple[str, str]]:
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        if isinstance(context.original_route, APIRoute):
            for method in sorted(set(context.methods) - _READS):
                yield method, context.path


def _fill(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: _SAMPLE.get(m.group(1), str(uuid.uuid4())), template)


def _become_node(session: Session) -> None:
    session.add(NodeState(central_url=CENTRAL, bureau="DE"))
    session.commit()


def _audit_entries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_every_route_the_node_takes_exists(client: TestClient) -> None:
    """The list is of real routes: a renamed route would otherwise be refused unseen."""
    assert NODE_WRITES - set(_writes(client)) == set()


def test_a_node_refuses_every_shared_write_and_names_central(
    client: TestClient, make_user: Callable[..., User], auth: Auth, session: Session
) -> None:
    admin = make_user(Role.ADMIN, "DE")
    officer = make_user(Role.OFFICER, "DE")
    # Before it is a node, the same request is taken: the refusal is the node's.
    body = {"recipients": ["FR"], "subject": "Seen", "body": "At the border."}
    assert client.post("/api/v1/messages", json=body, headers=auth(officer)).status_code == 201
    _become_node(session)
    before = _audit_entries(session)
    refused = [(m, p) for m, p in _writes(client) if (m, p) not in NODE_WRITES]
    assert len(refused) > 80  # records, notices, diffusions, messages, hits, operations ...
    for method, template in refused:
        path = _fill(template)
        for who in (admin, officer):
            if path.startswith("/api/"):
                answer = client.request(method, path, json={}, headers=auth(who))
            else:
                answer = client.request(method, path, data={}, headers=auth(who))
            assert answer.status_code == 409, (method, template, answer.status_code)
            assert CENTRAL in answer.text, (method, template)
    assert client.post("/api/v1/messages", json=body, headers=auth(officer)).status_code == 409
    assert _audit_entries(session) == before


def test_a_node_still_signs_in_screens_and_queues_its_hits_for_central(
    client: TestClient, make_user: Callable[..., User], auth: Auth, session: Session
) -> None:
    france, germany = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    person = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09",
              "nationalities": ["FR"], "visibility": {"mode": "all_members"}}  # fmt: skip
    made = client.post("/api/v1/records/persons", json=person, headers=auth(france))
    assert made.status_code == 201, made.text  # as a sync would have brought it
    _become_node(session)

    signed_in = client.post(
        "/api/v1/auth/token",
        data={"username": germany.username, "password": PASSWORD},
    )
    assert signed_in.status_code == 200, signed_in.text
    query = {"person": {"name": "Jean Dupont", "date_of_birth": "1971-03-09"}}
    screened = client.post("/api/v1/screen", json=query, headers=auth(germany))
    assert screened.status_code == 200 and screened.json()["hit"] is True, screened.text
    session.expire_all()
    (hit,) = pending_hits(session)
    assert str(hit.record_id) == made.json()["id"]
    # Asking the owner is central's work, and so is escalating: the node does neither.
    ask = client.post(f"/api/v1/hits/{hit.id}/confirmation", json={}, headers=auth(germany))
    assert ask.status_code == 409
    hit.status, hit.due_at = "confirmation_requested", utcnow() - timedelta(hours=1)
    session.commit()
    assert escalate_overdue(session, now=utcnow()) == []
    session.delete(session.get(NodeState, 1))
    session.commit()
    assert [h.id for h in escalate_overdue(session, now=utcnow())] == [hit.id]


@pytest.mark.parametrize("path", ["/api/v1/records/persons", "/api/v1/messages"])
def test_signed_out_callers_learn_nothing_more_on_a_node(
    client: TestClient, session: Session, path: str
) -> None:
    """Reads stay as they were: the node answers them with the same policy."""
    _become_node(session)
    assert client.get(path).status_code == 401
