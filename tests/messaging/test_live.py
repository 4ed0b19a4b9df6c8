"""Live delivery against real server processes: events reach the connected bureau at
once, a reconnection with Last-Event-ID loses nothing and repeats nothing, a client
connected to one process gets what was sent through another, and every message that
got its 201 survives a SIGKILL of the server and is delivered after the restart, once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.messaging.live import Events, Server, add_users


def _message(number: int) -> dict[str, Any]:
    return {"recipients": ["DE"], "subject": f"Message {number}", "body": "Routine check."}


@pytest.fixture
def server(fresh_database_url: str) -> Iterator[Server]:
    add_users(fresh_database_url, "fr.o", "de.o")
    running = Server(fresh_database_url).start()
    yield running
    running.stop()


def _send(server: Server, headers: dict[str, str], number: int) -> str:
    # What is tested is delivery across processes, not latency: a loaded CI machine may
    # take more than httpx's default 5 s to sign and store a message.
    url = f"{server.base}/api/v1/messages"
    response = httpx.post(url, json=_message(number), headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _messages(events: list[tuple[int, str, dict[str, Any]]]) -> list[str]:
    return [data["id"] for _, topic, data in events if topic == "message"]


def test_live_delivery_and_resumption(server: Server) -> None:
    france, germany = server.token("fr.o"), server.token("de.o")
    listener = Events(server.base, germany)
    listener.start()
    assert listener.connected.wait(10)
    sent = [_send(server, france, number) for number in range(3)]
    events = listener.wait_for(3)
    listener.stop()
    assert _messages(events) == sent
    last_id = events[-1][0]
    later = [_send(server, france, number) for number in range(3, 5)]
    resumed = Events(server.base, {**germany, "Last-Event-ID": str(last_id)})
    resumed.start()
    got = resumed.wait_for(2)
    resumed.stop()
    assert _messages(got) == later  # exactly the missed ones, in order
    assert all(event_id > last_id for event_id, _, _ in got)
    # Nothing for France's own stream but what concerns it: it sent them (owner).
    everything = Events(server.base, germany, after=0)
    everything.start()
    assert _messages(everything.wait_for(5)) == sent + later
    everything.stop()


def test_every_process_delivers_what_any_received(fresh_database_url: str) -> None:
    add_users(fresh_database_url, "fr.o", "de.o")
    first, second = Server(fresh_database_url).start(), None
    try:
        second = Server(fresh_database_url, secret=first.secret).start()
        listener = Events(second.base, second.token("de.o"))
        listener.start()
        assert listener.connected.wait(10)
        sent = [_send(first, first.token("fr.o"), number) for number in range(3)]
        assert _messages(listener.wait_for(3, seconds=20)) == sent
        listener.stop()
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_a_killed_server_loses_no_acknowledged_message(fresh_database_url: str) -> None:
    add_users(fresh_database_url, "fr.o", "de.o")
    server = Server(fresh_database_url).start()
    france = server.token("fr.o")
    acknowledged: list[str] = []

    def send_all() -> None:
        with httpx.Client(timeout=10) as client:
            for number in range(1000):
                try:
                    response = client.post(
                        f"{server.base}/api/v1/messages", json=_message(number), headers=france
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])

    sender = threading.Thread(target=send_all)
    sender.start()
    while len(acknowledged) < 150 and sender.is_alive():
        threading.Event().wait(0.01)
    server.kill()
    sender.join()
    assert 150 <= len(acknowledged) < 1000
    restarted = Server(fresh_database_url, secret=server.secret).start()
    try:
        listener = Events(restarted.base, restarted.token("de.o"), after=0)
        listener.start()
        delivered = _messages(listener.wait_for(len(acknowledged), seconds=30))
        listener.stop()
    finally:
        restarted.stop()
    assert set(acknowledged) <= set(delivered)
    assert len(delivered) == len(set(delivered))  # none twice
