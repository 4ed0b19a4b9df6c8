"""The admission gate: at most ``INTERLINK_REQUESTS_IN_FLIGHT`` requests inside the
application at once, the others waiting their turn; live streams never take a turn."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from typer.testing import CliRunner

from interlink.cli import app as cli
from interlink.cli import serving_app
from interlink.core.gate import ADMITTED, Gate


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
