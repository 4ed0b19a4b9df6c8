"""The node's link to the central system: its change feed and its hit reports, over HTTP.

Failures come back as ``LinkDown`` (central unreachable: the node works on and tries
again later) or ``Refused`` (central answered no: the token, or a hit it will not take),
each with a message fit for the operator.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["Central", "LinkDown", "Refused"]


class LinkDown(Exception):
    """Central could not be reached (network, timeout, or a 5xx)."""


class Refused(Exception):
    """Central answered with a 4xx; ``status`` and its problem ``detail`` say why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"central refused ({status}): {detail}")
        self.status = status
        self.detail = detail


class Central:
    """``url``: the central system's base address; ``token``: an API key of scope
    ``node`` of the node's bureau (``ilk_...``) or a user's access token."""

    def __init__(self, url: str, token: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "interlink-node"},
            timeout=timeout,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Central:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise LinkDown(f"cannot reach {self.url}: {exc}") from exc
        if response.status_code >= 500:
            raise LinkDown(f"{self.url} answered {response.status_code}")
        if response.status_code >= 400:
            try:
                detail = str(response.json().get("detail", response.text))
            except ValueError:
                detail = response.text[:200]
            raise Refused(response.status_code, detail)
        body: dict[str, Any] = response.json()
        return body

    def changes(self, since: str, limit: int) -> dict[str, Any]:
        return self._call("GET", "/api/v1/changes", params={"since": since, "limit": limit})

    def report_hit(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/api/v1/hits", json=body)
