"""FastAPI dependencies for the acting party and the permission each route declares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from interlink.access import Actor, Permission, check_permission
from interlink.core.db import reading
from interlink.core.deps import DbSession, SettingsDep
from interlink.core.errors import Unauthorized
from interlink.members.auth import SESSION_COOKIE, cookie_actor, resolve_credentials

__all__ = ["CurrentActor", "OptionalActor", "ReadingActor", "requires"]

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


ReadingActor = Annotated[Actor, Depends(reading_actor)]
CurrentActor = Annotated[Actor, Depends(current_actor)]


def requires(permission: Permission) -> Callable[[Actor], Actor]:
    """A dependency that yields the actor if its role grants ``permission`` (else 403)."""

    def dependency(actor: CurrentActor) -> Actor:
        return check_permission(actor, permission)

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
