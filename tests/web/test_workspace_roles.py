"""The workspace shows each role its own desk: a bureau's officers screen, answer hits and
read messages; secretariat roles without those permissions get their pages instead (and
no live feed they may not open)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from interlink.access import Role
from interlink.members.models import User
from tests.web.test_pages import _signin


@pytest.mark.parametrize(
    ("role", "country", "shown", "hidden"),
    [
        (Role.OFFICER, "DE", ["Quick screening", "awaiting confirmation", "Inbox",
                               "/screen/batch"], ["Your desk"]),
        (Role.AUDITOR, "SEC", ["/audit/verify"], ["Quick screening", "Inbox", 'id="inbox-list"']),
        (Role.ADMIN, "SEC", ["/admin/users", "/admin/keys"], ["Quick screening", "Inbox"]),
        (Role.REVIEWER, "SEC", ["/review", "Quick screening", "Inbox"], ["awaiting confirmation"]),
        (Role.OPERATOR, "SEC", ["/ccc", "/operations", "Inbox"], ["awaiting confirmation"]),
    ],
)  # fmt: skip
def test_each_role_sees_its_desk(
    client: TestClient,
    make_user: Callable[..., User],
    role: Role,
    country: str,
    shown: list[str],
    hidden: list[str],
) -> None:
    _signin(client, make_user(role, country))
    page = client.get("/")
    assert page.status_code == 200
    for text in shown:
        assert text in page.text, text
    for text in hidden:
        assert text not in page.text, text


def test_pages_carry_a_policy_without_inline_script(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    _signin(client, make_user(Role.OPERATOR, "SEC"))
    for path in ("/", "/ccc", "/signin"):
        page = client.get(path)
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert page.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in page.text  # every script is a file the policy allows
    assert "content-security-policy" not in client.get("/api/v1/health").headers
