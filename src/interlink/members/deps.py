"""FastAPI dependencies for the acting party and the access each route declares.

Every route has one of them (or ``anyone`` for the public ones): the dependency both
enforces and declares (``declared``), and ``route_declaration`` reads it back off the
route so a test can walk every route as every role (``access/declared.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from interlink.access import Actor, Permission, check_permission
from interlink.access.declared import Audience, Declared, combine
from interlink.core.db import reading
from interlink.core.deps import DbSession, SettingsDep
from interlink.core.errors import Forbidden, Unauthorized
from interlink.members.auth import SESSION_COOKIE, cookie_actor, resolve_credentials

__all__ = [
    "CurrentActor",
    "OptionalActor",
    "PersonActor",
    "ReadingActor",
    "anyone",
    "declare",
    "reading_requires",
    "requires",
    "route_declaration",
]

F = TypeVar("F", bound=Callable[..., Any])


def declare(dependency: F, audience: Audience, permission: Permission | None = None) -> F:
    """Mark ``dependency`` as the one that enforces ``audience`` and ``permission``."""
    dependency.declared = Declared(audience, permission)  # type: ignore[attr-defined]
    return dependency


def route_declaration(dependant: Dependant) -> Declared | None:
    """What a route declares, gathered from every dependency it runs (None: nothing)."""
    parts: list[Declared] = []
    stack = [dependant]
    while stack:
        for sub in stack.pop().dependencies:
            found = getattr(sub.call, "declared", None)
            if isinstance(found, Declared):
                parts.append(found)
            stack.append(sub)
    return combine(parts)


def anyone() -> None:
    """Declares a public route (``dependencies=[Depends(anyone)]``): no sign-in asked."""


declare(anyone, Audience.PUBLIC)

_bearer = HTTPBearer(auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


def optional_actor(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Actor | None:
    with reading(session):  # on SQLite, looking up the caller takes no write lock
        actor = resolve_credentials(
            session,
            settings,
            bearer=credentials.credentials if credentials else None,
            api_key=api_key,
        )
    request.state.actor = actor
    return actor


def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    if actor is None:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>' or 'X-API-Key'")
    return actor


declare(current_actor, Audience.SIGNED_IN)


def person_actor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    if actor.kind != "user":
        raise Forbidden("an API client has a key, not sessions: revoke the key instead")
    return actor


declare(person_actor, Audience.PERSON)
PersonActor = Annotated[Actor, Depends(person_actor)]
"""A person signed in (not a machine client): for what concerns their own sessions."""
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


def reading_actor(
    request: Request, session: DbSession, settings: SettingsDep, actor: OptionalActor
) -> Actor:
    """For read-only routes a console page opens itself (an EventSource sends no
    headers): the bearer token or API key, else the session cookie. Never for changes:
    the cookie alone is no defence against cross-site requests."""
    found = actor or cookie_actor(session, settings, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>' or 'X-API-Key'")
    return found


declare(reading_actor, Audience.SIGNED_IN)
ReadingActor = Annotated[Actor, Depends(reading_actor)]
CurrentActor = Annotated[Actor, Depends(current_actor)]


def requires(permission: Permission) -> Callable[[Actor], Actor]:
    """A dependency that yields the actor if its role grants ``permission`` (else 403)."""

    def dependency(actor: CurrentActor) -> Actor:
        return check_permission(actor, permission)

    return declare(dependency, Audience.SIGNED_IN, permission)


def reading_requires(permission: Permission) -> Callable[[Actor], Actor]:
    """``requires`` for the read-only routes a console page opens with its cookie."""

    def dependency(actor: ReadingActor) -> Actor:
        return check_permission(actor, permission)

    return declare(dependency, Audience.SIGNED_IN, permission)
