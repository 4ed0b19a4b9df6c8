"""Real servers for the live-delivery tests: ``interlink serve`` in its own process on a
private database, and Server-Sent Events read by a client thread."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
from typer.testing import CliRunner

from interlink.cli import app as cli

PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def add_users(url: str, *usernames: str) -> None:
    """``fr.o`` becomes an officer of FR, and so on."""
    runner = CliRunner()
    for username in usernames:
        country = username.split(".")[0].upper()
        result = runner.invoke(
            cli,
            ["user", "add", username, "--role", "officer", "--country", country,
             "--password", PASSWORD],
            env={"INTERLINK_DATABASE_URL": url},
        )  # fmt: skip
        assert result.exit_code == 0, result.output


class Server:
    def __init__(self, url: str, secret: str | None = None) -> None:
        self.url = url
        self.secret = secret or secrets.token_hex(32)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        env = {
            **os.environ,
            "INTERLINK_DATABASE_URL": self.url,
            "INTERLINK_SECRET_KEY": self.secret,
            "INTERLINK_LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "interlink.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not start")

    def token(self, username: str) -> dict[str, str]:
        response = httpx.post(
            f"{self.base}/api/v1/auth/token",
            data={"username": username, "password": PASSWORD},
            timeout=30,  # password hashing is slow by design, slower on a loaded machine
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Events(threading.Thread):
    """Reads ``/api/v1/stream`` into ``self.events`` (id, topic, data) until stopped."""

    def __init__(self, base: str, headers: dict[str, str], **params: Any) -> None:
        super().__init__(daemon=True)
        self.base, self.headers, self.params = base, headers, params
        self.events: list[tuple[int, str, dict[str, Any]]] = []
        self.connected = threading.Event()
        self.error: Exception | None = None
        self._halt = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, read=None))

    def run(self) -> None:
        try:
            self._read()
        except httpx.HTTPError as exc:  # the server went away: expected once stopped
            if not self._halt.is_set():
                self.error = exc

    def _read(self) -> None:
        with self._client.stream(
            "GET", f"{self.base}/api/v1/stream", headers=self.headers, params=self.params
        ) as response:
            self.connected.set()
            current: dict[str, str] = {}
            for line in response.iter_lines():
                if self._halt.is_set():
                    return
                if not line:
                    if "id" in current:
                        data = json.loads(current.get("data", "{}"))
                        self.events.append((int(current["id"]), current["event"], data))
                    current = {}
                elif not line.startswith(":") and ":" in line:
                    field, _, value = line.partition(":")
                    current[field] = value.strip()

    def wait_for(self, count: int, seconds: float = 15) -> list[tuple[int, str, dict[str, Any]]]:
        deadline = time.monotonic() + seconds
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.events)

    def stop(self) -> None:
        """Stop reading (the thread ends when the server closes the stream, at its stop)."""
        self._halt.set()
