"""A national node against a central system, as two real server processes on loopback:
central on PostgreSQL, the node on SQLite (its embedded replica).

- a record created, changed, restricted and deleted centrally arrives, changes and
  disappears on the node, whose own server screens against it (and refuses to write);
- a hit made on the node while central is down is queued, and reaches the owner once
  the link is back, once only;
- a sync killed (SIGKILL) mid-way and started again loses and duplicates nothing: the
  node ends with exactly what its bureau may screen at central, and its audit chain
  verifies;
- a node syncs with an API key of scope ``node`` (a border system's key is refused,
  naming the scope it needs), and holds a record whose owner withholds its details
  from machine clients reduced to what matching compares, answering for it as a
  border system hears of it: a hit, and whom to call.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from interlink.access import Visibility, VisibilityMode
from interlink.audit.service import verify_chain
from interlink.cli import app as cli
from interlink.core.db import make_engine, make_session_factory
from interlink.interop import csv_format
from interlink.node.models import NodeState
from interlink.records.importer import import_items
from interlink.records.models import Record
from tests.conftest import _new_database, bureau, prepare
from tests.messaging.live import PASSWORD, Server, add_users
from tests.records.examples import VALID

runner = CliRunner()


class Central(Server):
    """The central system, restartable on the same address (the node remembers it)."""

    def restart(self) -> None:
        self.start()


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    url, cleanup = _new_database("postgresql", tmp_path_factory.mktemp("central"))
    engine = make_engine(url)
    prepare(engine)
    engine.dispose()
    add_users(url, "fr.o", "de.o")
    result = runner.invoke(
        cli,
        ["user", "add", "de.s", "--role", "supervisor", "--country", "DE", "--password", PASSWORD],
        env={"INTERLINK_DATABASE_URL": url},
    )
    assert result.exit_code == 0, result.output
    server = Central(url)
    server.start()
    yield server
    server.stop()
    cleanup()


@pytest.fixture(scope="module")
def node_key(central: Central) -> str:
    """An API key of the German bureau: the node's credentials at central."""
    response = httpx.post(
        f"{central.base}/api/v1/api-clients",
        json={"name": "DE border node", "scope": "node"},
        headers=central.token("de.s"),
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["api_key"])


@pytest.fixture
def node_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'node.db'}"


def node_sync(node_url: str, central: Central, key: str) -> Any:
    return runner.invoke(
        cli,
        ["node", "sync", "--from", central.base, "--token", key, "--page-size", "50"],
        env={"INTERLINK_DATABASE_URL": node_url},
    )


def synced(node_url: str, central: Central, key: str) -> str:
    result = node_sync(node_url, central, key)
    assert result.exit_code == 0, result.output
    return str(result.output)


def node_record(node_url: str, record_id: str) -> Record | None:
    engine = make_engine(node_url)
    try:
        with make_session_factory(engine)() as session:
            return session.get(Record, uuid.UUID(record_id))
    finally:
        engine.dispose()


def create(central: Central, headers: dict[str, str], visibility: dict, **data: Any) -> str:
    body = {**VALID["persons"], **data, "visibility": visibility}
    response = httpx.post(
        f"{central.base}/api/v1/records/persons", json=body, headers=headers, timeout=30
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def screen(server: Server, headers: dict[str, str], name: str) -> dict[str, Any]:
    response = httpx.post(
        f"{server.base}/api/v1/screen", json={"person": {"name": name}}, headers=headers, timeout=30
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_record_arrives_changes_and_disappears_on_the_node(
    central: Central, node_key: str, node_url: str
) -> None:
    fr = central.token("fr.o")
    record = create(central, fr, {"mode": "all_members"}, given_name="Oleg", family_name="Sorokin")
    hidden = create(central, fr, {"mode": "owner_only"}, given_name="Anna", family_name="Berg")
    synced(node_url, central, node_key)
    arrived = node_record(node_url, record)
    assert arrived is not None and arrived.data["family_name"] == "Sorokin"
    assert node_record(node_url, hidden) is None  # never the node's to see

    add_users(node_url, "de.b")  # the border post's own officer, on the node
    node = Server(node_url).start()
    try:
        border = node.token("de.b")
        found = screen(node, border, "Oleg Sorokin")
        assert found["hit"] and found["matches"][0]["record_id"] == record
        refused = httpx.post(
            f"{node.base}/api/v1/records/persons",
            json={**VALID["persons"], "visibility": {"mode": "owner_only"}},
            headers=border,
            timeout=30,
        )
        assert refused.status_code == 409 and "national node" in refused.json()["detail"]

        path = f"{central.base}/api/v1/records/persons/{record}"
        changed = httpx.patch(path, json={"family_name": "Sorokine"}, headers=fr, timeout=30)
        assert changed.status_code == 200, changed.text
        synced(node_url, central, node_key)
        assert node_record(node_url, record).data["family_name"] == "Sorokine"  # type: ignore[union-attr]
        assert screen(node, border, "Oleg Sorokine")["matches"][0]["record_id"] == record

        only_italy = {"visibility": {"mode": "only", "countries": ["IT"]}}
        assert httpx.patch(path, json=only_italy, headers=fr, timeout=30).status_code == 200
        output = synced(node_url, central, node_key)
        assert "1 removals" in output
        gone = node_record(node_url, record)
        assert gone is not None and gone.deleted_at is not None and gone.data == {}
        assert not any(
            m["record_id"] == record for m in screen(node, border, "Oleg Sorokine")["matches"]
        )

        again = {"visibility": {"mode": "all_members"}}
        assert httpx.patch(path, json=again, headers=fr, timeout=30).status_code == 200
        synced(node_url, central, node_key)
        assert node_record(node_url, record).deleted_at is None  # type: ignore[union-attr]
        deleted = httpx.delete(path, params={"reason": "closed case"}, headers=fr, timeout=30)
        assert deleted.status_code in (200, 204), deleted.text
        synced(node_url, central, node_key)
        assert node_record(node_url, record).deleted_at is not None  # type: ignore[union-attr]
        assert screen(node, border, "Oleg Sorokine")["hit"] is False
    finally:
        node.stop()


def test_a_hit_made_offline_reaches_the_owner_when_the_link_returns(
    central: Central, node_key: str, node_url: str
) -> None:
    fr = central.token("fr.o")
    record = create(central, fr, {"mode": "all_members"}, given_name="Piotr", family_name="Zielny")
    synced(node_url, central, node_key)
    add_users(node_url, "de.b")
    node = Server(node_url).start()
    central.stop()  # the link is down
    try:
        found = screen(node, node.token("de.b"), "Piotr Zielny")
        assert found["hit"] and found["matches"][0]["record_id"] == record
    finally:
        node.stop()
    offline = node_sync(node_url, central, node_key)
    assert offline.exit_code != 0 and "stay queued" in offline.output
    status = runner.invoke(cli, ["node", "status"], env={"INTERLINK_DATABASE_URL": node_url})
    assert "hits queued 1" in status.output

    central.restart()
    assert "hits delivered 1" in synced(node_url, central, node_key)
    assert "hits delivered 0" in synced(node_url, central, node_key)  # once only
    hits = httpx.get(f"{central.base}/api/v1/hits", headers=central.token("fr.o"), timeout=30)
    mine = [hit for hit in hits.json()["items"] if str(hit["record_id"]) == record]
    assert len(mine) == 1, hits.text
    assert mine[0]["screening_bureau"] == "DE" and "offline" in str(mine[0])


def _load(url: str, count: int, visibility: Visibility, prefix: str) -> None:
    lines = ["id,given_name,family_name"] + [
        f"{prefix}{n},Given{n},Family{prefix}{n}" for n in range(count)
    ]
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        import_items(
            session,
            csv_format.read(io.BytesIO("\n".join(lines).encode()), "persons"),
            owner=bureau(session, "FR"),
            visibility=visibility,
            actor_name="import:FR",
            source=f"{prefix}.csv",
        )
    engine.dispose()


def test_a_sync_killed_midway_resumes_without_loss_or_duplicates(
    central: Central, node_key: str, node_url: str, tmp_path: Path
) -> None:
    _load(central.url, 2500, Visibility(mode=VisibilityMode.ALL_MEMBERS), "K")
    _load(central.url, 300, Visibility(mode=VisibilityMode.OWNER_ONLY), "H")
    log = tmp_path / "sync.log"
    env = {**os.environ, "INTERLINK_DATABASE_URL": node_url, "INTERLINK_LOG_LEVEL": "WARNING"}
    args = ["node", "sync", "--from", central.base, "--token", node_key, "--page-size", "20"]
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "interlink.cli", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    engine = make_engine(node_url)
    factory = make_session_factory(engine)
    deadline = time.monotonic() + 60
    while True:  # kill once some pages are in, well before the end
        try:
            with factory() as session:
                state = session.get(NodeState, 1)
                if state is not None and int(state.cursor) > 0:
                    break
        except Exception:  # the node's tables are still being made
            pass
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "no page was applied"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with factory() as session:
        partial = len(session.scalars(select(Record.id)).all())
    assert 0 < partial < 2500, "the kill came before any page or after the last"

    synced(node_url, central, node_key)
    central_engine = make_engine(central.url)
    with make_session_factory(central_engine)() as session:
        expected = {
            (str(r.id), r.version, r.data["family_name"])
            for r in session.scalars(
                select(Record).where(
                    Record.deleted_at.is_(None), Record.visibility_mode == "all_members"
                )
            )
        }
    central_engine.dispose()
    with factory() as session:
        live = session.scalars(select(Record).where(Record.deleted_at.is_(None))).all()
        replica = [(str(r.id), r.version, r.data["family_name"]) for r in live]
        assert len(replica) == len(set(replica)) and set(replica) == expected
        assert not any(name.startswith("FamilyH") for _, _, name in replica)
        assert verify_chain(session).ok
    engine.dispose()


def test_a_border_systems_key_is_refused_naming_the_scope_a_node_needs(
    central: Central, node_url: str
) -> None:
    made = httpx.post(f"{central.base}/api/v1/api-clients", json={"name": "DE gates"},
                      headers=central.token("de.s"), timeout=30)  # fmt: skip
    assert made.status_code == 201, made.text
    refused = node_sync(node_url, central, made.json()["api_key"])
    assert refused.exit_code != 0
    text = " ".join(refused.output.split())
    assert "--token" in text and "'screening'" in text and "scope 'node'" in text, text


def test_a_contact_only_record_is_held_withheld_and_answered_contact_only(
    central: Central, node_key: str, node_url: str
) -> None:
    body = {**VALID["persons"], "given_name": "Milena", "family_name": "Voskresenskaya",
            "source_id": "FR-INFORMANT-7", "phones": ["+33 6 99 88 77 66"],
            "addresses": ["4 impasse des Tilleuls, Lille"], "screening_details": "contact_only",
            "visibility": {"mode": "all_members"}}  # fmt: skip
    made = httpx.post(f"{central.base}/api/v1/records/persons", json=body,
                      headers=central.token("fr.o"), timeout=30)  # fmt: skip
    assert made.status_code == 201, made.text
    record = str(made.json()["id"])
    synced(node_url, central, node_key)
    held = node_record(node_url, record)
    assert held is not None and held.source_id is None and held.screening_details == "contact_only"
    assert held.data["family_name"] == "Voskresenskaya"
    assert "phones" not in held.data and "addresses" not in held.data

    add_users(node_url, "de.c")
    node = Server(node_url).start()
    try:
        found = screen(node, node.token("de.c"), "Milena Voskresenskaya")
    finally:
        node.stop()
    (match,) = [m for m in found["matches"] if m["record_id"] == record]
    assert found["hit"] and match["source_id"] is None and match["owner"] == "FR"
    assert match["explanation"] == {"contact": "National Central Bureau FR", "details": "withheld"}
