"""Authentication: passwords with lockout, changing one's own password, bearer tokens,
API keys, and the acting ``Actor``."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

import jwt
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interlink.access import Actor, Role
from interlink.audit import AuditAction, record
from interlink.core.config import Settings
from interlink.core.db import reading
from interlink.core.errors import AppError, InvalidInput, Unauthorized
from interlink.core.security import (
    decode_token,
    hash_api_key,
    hash_password,
    issue_token,
    verify_password,
)
from interlink.core.types import utcnow
from interlink.members.models import ApiClient, SigninFailures, User
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


def _locked(until: datetime) -> Unauthorized:
    return Unauthorized(
        "account locked after repeated failed sign-ins; try again after "
        f"{until:%H:%M} UTC or ask your supervisor to unlock it"
    )


def _unknown_username_failed(
    session: Session, settings: Settings, username: str, now: datetime
) -> None:
    """Count a failure under a username with no active account, and lock it as an
    account would be locked (committed here, like an account's failures)."""
    key = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    # Forget what lapsed long ago: the table holds at most a lockout period of attempts.
    stale = now - timedelta(minutes=settings.lockout_minutes)
    session.execute(delete(SigninFailures).where(SigninFailures.last_at < stale))
    row = session.get(SigninFailures, key)
    if row is None:
        row = SigninFailures(username_key=key, failed=0)
        session.add(row)
    if row.locked_until and row.locked_until > now:
        session.commit()
        raise _locked(row.locked_until)
    row.failed, row.last_at = row.failed + 1, now
    if row.failed >= settings.lockout_attempts:
        row.failed, row.locked_until = 0, now + timedelta(minutes=settings.lockout_minutes)
    session.commit()


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
    )


def authenticate(session: Session, settings: Settings, username: str, password: str) -> User:
    """The user for these credentials; counts failures and locks the account after too many.

    Failures are committed here (the caller gets an error, but the count must persist).
    """
    user = session.scalars(select(User).where(User.username == username)).first()
    now = utcnow()
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)  # same time whether or not the user exists
        _unknown_username_failed(session, settings, username, now)
        raise Unauthorized(_BAD_CREDENTIALS)
    if user.locked_until and user.locked_until > now:
        raise _locked(user.locked_until)
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        record(
            session,
            AuditAction.LOGIN_FAILED,
            actor_name=username,
            object_type="user",
            object_id=user.id,
        )
        if user.failed_logins >= settings.lockout_attempts:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
            record(
                session,
                AuditAction.ACCOUNT_LOCKED,
                actor_name=username,
                object_type="user",
                object_id=user.id,
                after={"locked_until": user.locked_until.isoformat()},
            )
        session.commit()
        raise Unauthorized(_BAD_CREDENTIALS)
    user.failed_logins, user.locked_until = 0, None
    record(
        session,
        AuditAction.LOGIN,
        actor=actor_for_user(user),
        object_type="user",
        object_id=user.id,
    )
    return user


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
