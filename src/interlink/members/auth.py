"""Authentication: passwords (with the backoff of ``backoff.py`` after failures), changing
one's own password, bearer tokens, API keys, and the acting ``Actor``."""

from __future__ import annotations

import hmac
import math
import uuid
from datetime import datetime

import jwt
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Actor, ClientScope, Role
from interlink.audit import AuditAction, record
from interlink.core.config import Settings
from interlink.core.db import reading
from interlink.core.errors import AppError, InvalidInput, Unauthorized
from interlink.core.ratelimit import TooManyRequests
from interlink.core.security import (
    decode_token,
    hash_api_key,
    hash_password,
    issue_token,
    verify_password,
)
from interlink.core.types import utcnow
from interlink.members import backoff
from interlink.members.models import ApiClient, User
from interlink.members.schemas import UserUpdate

__all__ = [
    "actor_for_client",
    "actor_for_user",
    "authenticate",
    "change_password",
    "end_sessions",
    "issue_access_token",
    "resolve_credentials",
]

_BAD_CREDENTIALS = "wrong username or password"
_UNKNOWN = "unknown username"
"""Who the audit names for an attempt under a username that is no account (what was typed
may be a password: it is not kept)."""


def actor_for_user(user: User) -> Actor:
    return Actor.build(
        id=user.id,
        name=user.username,
        role=Role(user.role),
        bureau_id=user.bureau_id,
        bureau_code=user.bureau.code,
        country=user.bureau.country_code,
    )


def actor_named(session: Session, username: str) -> Actor:
    """The actor of an existing user, by user name (seeding, commands)."""
    return actor_for_user(session.scalars(select(User).where(User.username == username)).one())


def actor_for_client(client: ApiClient) -> Actor:
    return Actor.build(
        id=client.id,
        name=f"client:{client.name}",
        role=Role.CLIENT,
        bureau_id=client.bureau_id,
        bureau_code=client.bureau.code,
        country=client.bureau.country_code,
        kind="client",
        scope=ClientScope(client.scope),
    )


def authenticate(
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    *,
    address: str,
    now: datetime | None = None,
) -> User:
    """The user for these credentials, tried from ``address``: 401 when they are wrong, 429
    (Retry-After) while this username waits at this address after failures (``backoff``).

    Every attempt does the same work whatever the username and whatever the backoff says:
    one argon2 verification (against a dummy hash when the name is no active account), then
    one short transaction that counts the attempt and writes its audit entry, committed
    here. Timing and answers therefore tell nothing about which usernames exist.
    """
    now = now or utcnow()
    with reading(session):  # no write lock is held while argon2 works
        user = session.scalars(select(User).where(User.username == username)).first()
    usable = user is not None and user.active
    checked = verify_password(user.password_hash if user and usable else _DUMMY_HASH, password)
    good = checked and usable
    verdict = backoff.settle(session, settings, username=username, address=address,
                             user_id=user.id if user else None, good=good, now=now)  # fmt: skip
    if verdict.held_until is not None:
        _attempt(session, AuditAction.LOGIN_HELD_BACK, user, until=verdict.held_until)
        seconds = max(1, math.ceil((verdict.held_until - now).total_seconds()))
        raise TooManyRequests(
            f"too many failed sign-ins for this username from here: try again in {seconds} s",
            seconds,
        )
    if not good or user is None:
        _attempt(session, AuditAction.LOGIN_FAILED, user, until=verdict.hold_started)
        raise Unauthorized(_BAD_CREDENTIALS)
    _attempt(session, AuditAction.LOGIN, user, until=None, signed_in=True)
    return user


def _attempt(
    session: Session,
    action: AuditAction,
    user: User | None,
    *,
    until: datetime | None,
    signed_in: bool = False,
) -> None:
    """The attempt's audit entry (one alike for every outcome), committed."""
    record(
        session,
        action,
        actor=actor_for_user(user) if signed_in and user else None,
        actor_name=user.username if user else _UNKNOWN,
        object_type="user",
        object_id=user.id if user else None,
        after={"held_back_until": until.isoformat()} if until else None,
    )
    session.commit()


def change_password(session: Session, *, actor: Actor, current: str, new: str) -> User:
    """The signed-in user changes their own password: the current one must be given, the
    new one follows the rule of ``UserUpdate.password`` (as when an administrator sets it)
    and differs from the current one. Audited like any other change of a user."""
    user = session.get(User, actor.id) if actor.kind == "user" else None
    if user is None or not user.active:
        raise Unauthorized("only a signed-in user changes their password")
    if not verify_password(user.password_hash, current):
        raise InvalidInput("current_password", "this is not your current password")
    try:
        UserUpdate(password=new)
    except ValidationError as exc:
        raise InvalidInput("new_password", exc.errors()[0]["msg"]) from None
    if new == current:
        raise InvalidInput("new_password", "choose a password other than the current one")
    user.password_hash = hash_password(new)
    end_sessions(session, user, why="password changed")
    record(
        session,
        AuditAction.USER_UPDATE,
        actor=actor,
        object_type="user",
        object_id=user.id,
        after={"password": "changed", "by": "self"},
    )
    return user


def issue_access_token(settings: Settings, user: User) -> str:
    # "ms": when it was issued to the millisecond (iat is whole seconds), so that a
    # session ended at 10:00:00.500 refuses a token of 10:00:00.200 and not one of .700.
    issued = int(utcnow().timestamp() * 1000)
    return issue_token(str(user.id), settings.signing_key, settings.token_minutes,
                       role=user.role, ms=issued)  # fmt: skip


def end_sessions(session: Session, user: User, *, why: str, actor: Actor | None = None) -> None:
    """Refuse every token the account was issued until now (signed out, password changed,
    or ``actor``, an administrator or supervisor, changed the account); the caller commits."""
    user.sessions_after = utcnow()
    record(session, AuditAction.LOGOUT, actor=actor or actor_for_user(user), object_type="user",
           object_id=user.id, after={"sessions": "ended", "why": why})  # fmt: skip


def _user_from_token(session: Session, settings: Settings, token: str) -> Actor:
    try:
        claims = decode_token(token, settings.signing_key)
        user_id = uuid.UUID(str(claims["sub"]))
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the access token has expired; sign in again") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized("the access token is invalid") from exc
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthorized("the access token's user no longer exists or is disabled")
    ended = user.sessions_after
    if ended is not None and int(claims.get("ms") or 0) < ended.timestamp() * 1000:
        raise Unauthorized("this session has ended (signed out or password changed); sign in again")
    return actor_for_user(user)


def _client_from_key(session: Session, key: str) -> Actor:
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "ilk":
        raise Unauthorized("the API key is malformed")
    client = session.scalars(select(ApiClient).where(ApiClient.key_prefix == parts[1])).first()
    if client is None or not hmac.compare_digest(client.key_hash, hash_api_key(key)):
        raise Unauthorized("the API key is not valid")
    if not client.active:
        raise Unauthorized("the API key has been revoked")
    return actor_for_client(client)


def resolve_credentials(
    session: Session, settings: Settings, *, bearer: str | None, api_key: str | None
) -> Actor | None:
    """The actor behind a bearer token (user token or API key) or an ``X-API-Key`` header."""
    if api_key:
        return _client_from_key(session, api_key)
    if bearer:
        if bearer.startswith("ilk_"):
            return _client_from_key(session, bearer)
        return _user_from_token(session, settings, bearer)
    return None


# A real argon2 hash of a random string, so unknown users cost as much as known ones.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$6/jLeX+xELoXgKcdncC0xg"
    "$qfdauVZ+Tod9IA1lKXV4ZQ6sIqa6Q/99g3NyiKtq8YY"
)


SESSION_COOKIE = "interlink_session"
"""The console's cookie: the same access token as the API's bearer."""


def cookie_actor(session: Session, settings: Settings, token: str | None) -> Actor | None:
    """The actor behind the console's session cookie (None when absent, expired or
    revoked: signed out)."""
    if not token:
        return None
    try:
        with reading(session):
            return resolve_credentials(session, settings, bearer=token, api_key=None)
    except AppError:
        return None
