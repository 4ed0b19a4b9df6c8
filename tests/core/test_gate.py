"""The admission gate: at most ``INTERLINK_REQUESTS_IN_FLIGHT`` requests inside the
application at once, the others waiting their turn; live streams never take a turn. A
body is read (within its route's size and time limits) before its request takes a turn,
an answer gives the turn back as it starts, and a client that stops reading is dropped.
(``tests/robustness/test_slow_clients.py`` does the same against a real server.)"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from interlink.cli import app as cli
from interlink.cli import serving_app
from interlink.core.gate import ADMITTED, Gate
from interlink.core.limits import BODY_BYTES, BodyLimit, body_limit


class _Slow:
    """An ASGI app that counts the requests inside it and answers when told."""

    def __init__(self) -> None:
        self.inside = self.most = self.done = 0
        self.release = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.inside += 1
        self.most = max(self.most, self.inside)
        await self.release.wait()
        self.inside -= 1
        self.done += 1


def _request(path: str) -> dict[str, Any]:
    return {"type": "http", "path": path}


async def _nothing() -> dict[str, Any]:
    return {}


async def _ignore(message: dict[str, Any]) -> None:
    return None


def test_the_gate_admits_its_limit_and_lets_the_rest_wait_their_turn() -> None:
    async def scenario() -> tuple[int, int, int, int]:
        inner = _Slow()
        gate = Gate(inner, limit=3)
        calls = [gate(_request("/api/v1/screen"), _nothing, _ignore) for _ in range(10)]
        streams = [gate(_request("/api/v1/stream"), _nothing, _ignore) for _ in range(4)]
        tasks = [asyncio.ensure_future(call) for call in calls + streams]
        await asyncio.sleep(0.05)
        inside = inner.inside  # three requests, plus the four streams that take no turn
        inner.release.set()
        await asyncio.gather(*tasks)
        return inside, inner.most, inner.done, inner.inside

    inside, most, done, left = asyncio.run(scenario())
    assert inside == 3 + 4
    assert most == 3 + 4 and done == 14 and left == 0


def test_the_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERLINK_SECRET_KEY", "k" * 12 + "9f2c4e6a8b0d1f3e5a7c9b2d4f6a8c0e")
    monkeypatch.setenv("INTERLINK_DATABASE_URL", "sqlite://")
    assert serving_app().limit == ADMITTED
    monkeypatch.setenv("INTERLINK_REQUESTS_IN_FLIGHT", "8")
    assert serving_app().limit == 8


@pytest.mark.parametrize("value", ["0", "37", "many"])
def test_serve_names_a_bad_limit(value: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["serve"],
        env={"INTERLINK_REQUESTS_IN_FLIGHT": value, "INTERLINK_DATABASE_URL": "sqlite://"},
    )
    assert result.exit_code == 2
    assert "INTERLINK_REQUESTS_IN_FLIGHT" in result.output


# --- bodies read before a turn, answers that leave it, clients that stop reading --------

SMALL = BodyLimit("TEST_BYTES", 10, 0.2)


class _Client:
    """One request as an ASGI server hands it over: its body in the messages queued with
    ``give``, what the application sends in ``sent``; ``reading`` closed makes ``send``
    wait (a client that does not read)."""

    def __init__(self, path: str = "/api/v1/screen", length: int | None = None) -> None:
        headers = [] if length is None else [(b"content-length", str(length).encode())]
        self.scope: dict[str, Any] = {
            "type": "http", "path": path, "method": "POST", "headers": headers
        }  # fmt: skip
        self.incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.reading = asyncio.Event()
        self.reading.set()

    def give(self, body: bytes, more: bool = False) -> None:
        self.incoming.put_nowait({"type": "http.request", "body": body, "more_body": more})

    async def receive(self) -> dict[str, Any]:
        return await self.incoming.get()

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            await self.reading.wait()
        self.sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            self.incoming.put_nowait({"type": "http.disconnect"})  # as servers say after

    @property
    def status(self) -> int | None:
        return next((m["status"] for m in self.sent if m["type"] == "http.response.start"), None)

    def problem(self) -> dict[str, Any]:
        body = b"".join(m.get("body", b"") for m in self.sent)
        return dict(json.loads(body))


class _Echo:
    """Reads the body whole, answers it back in one message; counts who is inside."""

    def __init__(self) -> None:
        self.inside = 0
        self.bodies: list[bytes] = []
        self.disconnected = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.inside += 1
        try:
            body, more = b"", True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
            self.bodies.append(body)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body * 40_000})
            if (await receive())["type"] == "http.disconnect":
                self.disconnected += 1
        finally:
            self.inside -= 1


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_a_body_is_read_before_its_request_takes_a_turn() -> None:
    async def scenario() -> tuple[int, list[bytes], int | None]:
        inner = _Echo()
        gate = Gate(inner, limit=1, bodies=lambda method, path: BodyLimit("TEST", 100, 5))
        slow, quick = _Client(length=6), _Client(length=5)
        slow.give(b"abc", more=True)  # half a body, the rest later
        trickling = asyncio.ensure_future(gate(slow.scope, slow.receive, slow.send))
        await _settle()
        inside_while_trickling = inner.inside
        quick.give(b"hello")
        await asyncio.wait_for(gate(quick.scope, quick.receive, quick.send), 5)
        slow.give(b"def")
        await asyncio.wait_for(trickling, 5)
        return inside_while_trickling, inner.bodies, slow.status

    inside, bodies, slow_status = asyncio.run(scenario())
    assert inside == 0  # the trickling request held no turn
    assert bodies == [b"hello", b"abcdef"] and slow_status == 200


@pytest.mark.parametrize("declared", [11, None])
def test_a_body_over_its_limit_is_refused_413_naming_the_limit(declared: int | None) -> None:
    async def scenario() -> tuple[_Client, int]:
        inner = _Echo()
        client = _Client(length=declared)
        if declared is None:  # chunked: no length said, the bytes tell
            client.scope["headers"] = [(b"transfer-encoding", b"chunked")]
            client.give(b"0123456789", more=True)
            client.give(b"!", more=True)
        gate = Gate(inner, bodies=lambda method, path: SMALL)
        await asyncio.wait_for(gate(client.scope, client.receive, client.send), 5)
        return client, len(inner.bodies)

    client, admitted = asyncio.run(scenario())
    assert admitted == 0 and client.status == 413
    assert "TEST_BYTES" in client.problem()["detail"]
    assert (b"connection", b"close") in client.sent[0]["headers"]


def test_a_body_that_does_not_arrive_in_time_is_refused_408() -> None:
    async def scenario() -> tuple[_Client, int]:
        inner = _Echo()
        client = _Client(length=5)
        client.give(b"ab", more=True)  # and nothing more
        gate = Gate(inner, bodies=lambda method, path: SMALL)
        await asyncio.wait_for(gate(client.scope, client.receive, client.send), 5)
        return client, len(inner.bodies)

    client, admitted = asyncio.run(scenario())
    assert admitted == 0 and client.status == 408
    assert "0.2 s" in client.problem()["detail"]


def test_the_real_limits_name_each_routes_limit() -> None:
    assert body_limit("POST", "/api/v1/hits").size == BODY_BYTES
    assert body_limit("POST", "/api/v1/screen/stream").name == "STREAM_BODY_BYTES"
    assert body_limit("POST", "/api/v1/records/persons/1/files").name == "RECORD_FILE_BYTES"
    assert body_limit("POST", "/api/v1/messages").size > 10 * 10 * 1024 * 1024
    assert body_limit("PATCH", "/api/v1/screen/stream").name == "BODY_BYTES"


def test_an_answer_leaves_the_gate_as_it_starts_and_a_client_that_stops_reading_is_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> tuple[int, int | None, int]:
        inner = _Echo()
        gate = Gate(inner, limit=1, stall_seconds=0.2)
        stalled, next_one = _Client(length=1), _Client(length=1)
        stalled.reading.clear()  # reads the head of its answer, then nothing
        stalled.give(b"x")
        blocked = asyncio.ensure_future(gate(stalled.scope, stalled.receive, stalled.send))
        await _settle()
        next_one.give(b"y")  # the only turn is free again: the first answer has started
        await asyncio.wait_for(gate(next_one.scope, next_one.receive, next_one.send), 5)
        await asyncio.wait_for(blocked, 5)  # dropped after 0.2 s without reading
        return inner.disconnected, next_one.status, inner.inside

    with caplog.at_level("WARNING", logger="interlink.gate"):
        told, status, left = asyncio.run(scenario())
    assert status == 200 and left == 0
    # Each application heard its client was gone: the one that read its answer whole,
    # and the dropped one (its answer never ended: told by the gate).
    assert told == 2
    assert "dropped" in caplog.text
