"""Signing in to the console: the access token in an HttpOnly cookie, and a CSRF token
(double submit: a cookie the page echoes in each form or htmx request) for every change.

The actor behind a page is resolved from the cookie by the same code as the API's bearer
token, so pages see exactly what the API would show the same user.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission
from interlink.access.declared import Audience, Declared
from interlink.core.config import Settings
from interlink.core.deps import DbSession, SettingsDep
from interlink.core.errors import Forbidden, Unauthorized
from interlink.members.auth import SESSION_COOKIE, cookie_actor
from interlink.members.deps import admit, declare

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "SESSION_COOKIE",
    "PageActor",
    "check_csrf",
    "csrf_token",
    "page_actor",
    "page_requires",
    "set_csrf",
]

CSRF_COOKIE = "interlink_csrf"
CSRF_FIELD = "csrf_token"


def page_actor(request: Request, session: Session, settings: Settings) -> Actor | None:
    return cookie_actor(session, settings, request.cookies.get(SESSION_COOKIE))


def signed_in_page(request: Request, session: DbSession, settings: SettingsDep) -> Actor:
    """The page's actor from the session cookie; the signed-out are sent to sign in
    (``web.pages.html_problem`` turns the 401 into a redirect)."""
    actor = page_actor(request, session, settings)
    if actor is None:
        raise Unauthorized("sign in first")
    admit(actor, _PAGE)  # an API key in the cookie opens no page
    request.state.actor = actor  # for the error page's navigation
    return actor


_PAGE = Declared(Audience.SIGNED_IN)
declare(signed_in_page, _PAGE.audience)
PageActor = Annotated[Actor, Depends(signed_in_page)]
"""A console page any signed-in user may open (the service still decides what they see)."""


def page_requires(
    permission: Permission, refusal: str, *, member_bureau: bool = False
) -> Callable[[Actor], Actor]:
    """A console page for roles granted ``permission`` (and, with ``member_bureau``, only
    a national bureau's users); anyone else gets a 403 page saying ``refusal``."""

    def dependency(actor: PageActor) -> Actor:
        if not actor.can(permission) or (member_bureau and actor.is_secretariat):
            raise Forbidden(refusal)
        return actor

    audience = Audience.MEMBER_BUREAU if member_bureau else Audience.SIGNED_IN
    return declare(dependency, audience, permission)


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
