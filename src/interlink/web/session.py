"""Signing in to the console: the access token in an HttpOnly cookie, and a CSRF token
(double submit: a cookie the page echoes in each form or htmx request) for every change.

The actor behind a page is resolved from the cookie by the same code as the API's bearer
token, so pages see exactly what the API would show the same user.
"""

from __future__ import annotations

import hmac
import re
import secrets

from fastapi import Request, Response
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.core.config import Settings
from interlink.core.errors import Forbidden
from interlink.members.auth import SESSION_COOKIE, cookie_actor

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "SESSION_COOKIE",
    "check_csrf",
    "csrf_token",
    "page_actor",
    "set_csrf",
]

CSRF_COOKIE = "interlink_csrf"
CSRF_FIELD = "csrf_token"


def page_actor(request: Request, session: Session, settings: Settings) -> Actor | None:
    return cookie_actor(session, settings, request.cookies.get(SESSION_COOKIE))


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def csrf_token(request: Request) -> str:
    """The browser's CSRF token if it is one we made, or a new one (``set_csrf`` stores it
    with the page): a planted cookie of another shape is replaced, not echoed."""
    token = request.cookies.get(CSRF_COOKIE, "")
    return token if _TOKEN.match(token) else secrets.token_urlsafe(32)


def set_csrf(response: Response, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, samesite="strict", httponly=False, path="/")


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.cookies.get(CSRF_COOKIE, "")
    given = submitted or request.headers.get("X-CSRF-Token", "")
    if not _TOKEN.match(expected) or not hmac.compare_digest(expected.encode(), given.encode()):
        raise Forbidden("the form is stale or came from elsewhere: reload the page and retry")
