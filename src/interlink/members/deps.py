"""FastAPI dependencies for the acting party and the access each route declares.

Every route has one of them (or ``anyone`` for the public ones): the dependency both
enforces and declares (``declared``), and ``route_declaration`` reads it back off the
route so a test can walk every route as every role (``access/declared.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from interlink.access import Actor, ClientScope, Permission, check_permission
from interlink.access.declared import Audience, Declared, combine
from interlink.core.db import reading
from interlink.core.deps import DbSession, SettingsDep
from interlink.core.errors import Forbidden, Unauthorized
from interlink.members.auth import SESSION_COOKIE, cookie_actor, resolve_credentials

__all__ = [
    "AnyCaller",
    "CurrentActor",
    "OptionalActor",
    "PersonActor",
    "ReadingActor",
    "admit",
    "anyone",
    "declare",
    "reading_requires",
    "requires",
    "route_declaration",
]

F = TypeVar("F", bound=Callable[..., Any])


def declare(
    dependency: F,
    audience: Audience,
    permission: Permission | None = None,
    clients: frozenset[ClientScope] = frozenset(),
) -> F:
    """Mark ``dependency`` as the one that enforces ``audience`` and ``permission``, and
    admits the machine clients of the scopes in ``clients`` (none by default)."""
    return _declare(dependency, Declared(audience, permission, clients))


def _declare(dependency: F, declared: Declared) -> F:
    dependency.declared = declared  # type: ignore[attr-defined]
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


def _signed_in(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """The caller of the API, whatever it may do (each declaring dependency decides)."""
    if actor is None:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>' or 'X-API-Key'")
    return actor


def admit(actor: Actor, declared: Declared) -> Actor:
    """The one check of who passes a declaring dependency: a machine client only if
    ``declared`` admits its key's scope (default deny), then the permission. Every
    dependency that signs a caller in ends here (the console's page guards too)."""
    if actor.kind == "client" and actor.scope not in declared.clients:
        if declared.audience is Audience.PERSON:
            raise Forbidden("an API client has a key, not sessions: revoke the key instead")
        needed = " or ".join(f"'{scope}'" for scope in sorted(declared.clients))
        raise Forbidden(
            f"this API key's scope is '{actor.scope}': it does not admit this route"
            + (f", which needs a key of scope {needed}" if needed else ", which is for users")
        )
    if declared.permission is not None:
        check_permission(actor, declared.permission)
    return actor


_ACCOUNT = Declared(Audience.SIGNED_IN)


def current_actor(actor: Annotated[Actor, Depends(_signed_in)]) -> Actor:
    return admit(actor, _ACCOUNT)


_declare(current_actor, _ACCOUNT)
CurrentActor = Annotated[Actor, Depends(current_actor)]
"""Any signed-in user (machine clients are refused)."""

_ANY_CALLER = Declared(Audience.SIGNED_IN, clients=frozenset(ClientScope))


def any_caller(actor: Annotated[Actor, Depends(_signed_in)]) -> Actor:
    return admit(actor, _ANY_CALLER)


_declare(any_caller, _ANY_CALLER)
AnyCaller = Annotated[Actor, Depends(any_caller)]
"""Any signed-in user or machine client, of any scope (for what concerns its own account)."""

_PERSON = Declared(Audience.PERSON)


def person_actor(actor: Annotated[Actor, Depends(_signed_in)]) -> Actor:
    return admit(actor, _PERSON)


_declare(person_actor, _PERSON)
PersonActor = Annotated[Actor, Depends(person_actor)]
"""A person signed in (not a machine client): for what concerns their own sessions."""
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


def _reading_caller(
    request: Request, session: DbSession, settings: SettingsDep, actor: OptionalActor
) -> Actor:
    """For read-only routes a console page opens itself (an EventSource sends no
    headers): the bearer token or API key, else the session cookie. Never for changes:
    the cookie alone is no defence against cross-site requests."""
    found = actor or cookie_actor(session, settings, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>' or 'X-API-Key'")
    return found


def reading_actor(actor: Annotated[Actor, Depends(_reading_caller)]) -> Actor:
    return admit(actor, _ACCOUNT)


_declare(reading_actor, _ACCOUNT)
ReadingActor = Annotated[Actor, Depends(reading_actor)]


def requires(
    permission: Permission, *, clients: Iterable[ClientScope] = ()
) -> Callable[[Actor], Actor]:
    """A dependency that yields the actor if its role grants ``permission`` (else 403);
    machine clients only of the scopes in ``clients``."""
    declared = Declared(Audience.SIGNED_IN, permission, frozenset(clients))

    def dependency(actor: Annotated[Actor, Depends(_signed_in)]) -> Actor:
        return admit(actor, declared)

    return _declare(dependency, declared)


def reading_requires(permission: Permission) -> Callable[[Actor], Actor]:
    """``requires`` for the read-only routes a console page opens with its cookie."""
    declared = Declared(Audience.SIGNED_IN, permission)

    def dependency(actor: Annotated[Actor, Depends(_reading_caller)]) -> Actor:
        return admit(actor, declared)

    return _declare(dependency, declared)
