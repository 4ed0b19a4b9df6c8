"""Use cases of the member network: countries, bureaus, users and API clients."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from interlink.access import (
    SECRETARIAT_ROLES,
    Actor,
    ClientScope,
    Permission,
    Role,
    Visibility,
    VisibilityMode,
    check_permission,
)
from interlink.audit import AuditAction, record
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.security import hash_api_key, hash_password, new_api_key
from interlink.core.types import utcnow
from interlink.members import backoff
from interlink.members.auth import end_sessions
from interlink.members.countries import all_countries
from interlink.members.models import (
    ApiClient,
    Bureau,
    BureauKind,
    Country,
    SharingGroupMember,
    User,
)
from interlink.members.schemas import ApiClientCreate, UserCreate, UserUpdate

__all__ = [
    "COMMAND_CENTRE",
    "SECRETARIAT_CODE",
    "bureau_by_code",
    "bureau_code",
    "bureau_codes",
    "check_visibility",
    "create_api_client",
    "create_user",
    "ensure_network",
    "get_user",
    "list_api_clients",
    "list_bureaus",
    "list_countries",
    "list_users",
    "revoke_api_client",
    "signin_holds",
    "update_user",
    "user_view",
]

SECRETARIAT_CODE = "SEC"
COMMAND_CENTRE = "CCC"
"""How messages and events address the secretariat's command centre (its operators)."""


def ensure_network(session: Session) -> int:
    """Create missing countries and bureaus (idempotent); returns how many rows were added."""
    existing = set(session.scalars(select(Country.code)))
    bureaus = set(session.scalars(select(Bureau.code)))
    added = 0
    for info in all_countries():
        if info.code not in existing:
            session.add(
                Country(code=info.code, code3=info.code3, name=info.name, member=info.member)
            )
            added += 1
    session.flush()
    for info in all_countries():
        if info.member and info.code not in bureaus:
            session.add(
                Bureau(
                    code=info.code,
                    name=f"National Central Bureau {info.name}",
                    kind=BureauKind.NCB,
                    country_code=info.code,
                )
            )
            added += 1
    if SECRETARIAT_CODE not in bureaus:
        session.add(
            Bureau(code=SECRETARIAT_CODE, name="General Secretariat", kind=BureauKind.SECRETARIAT)
        )
        added += 1
    if added:
        session.flush()
        record(session, AuditAction.NETWORK_SEED, after={"rows_added": added})
    return added


def check_visibility(
    session: Session,
    visibility: Visibility,
    *,
    sharer: str | None,
    allow_public: bool = False,
    field: str = "visibility",
) -> Visibility:
    """Refuse a visibility that names non-members, or a sharing group the ``sharer`` (the
    owner's country; None for the secretariat) is not in: the same answer whether the
    group exists or not."""
    if visibility.mode is VisibilityMode.PUBLIC and not allow_public:
        raise InvalidInput(f"{field}.mode", "'public' is for notices; records are for members only")
    if visibility.countries:
        members = set(
            session.scalars(
                select(Country.code).where(
                    Country.code.in_(visibility.countries), Country.member.is_(True)
                )
            )
        )
        for code in visibility.countries:
            if code not in members:
                raise InvalidInput(f"{field}.countries", f"{code} is not a member country")
    if visibility.group is not None and (
        sharer is None or session.get(SharingGroupMember, (visibility.group, sharer)) is None
    ):
        raise InvalidInput(f"{field}.group", "not a sharing group the owner's bureau is in")
    return visibility


def list_countries(session: Session, *, member: bool | None = None) -> Sequence[Country]:
    query = select(Country).order_by(Country.code)
    if member is not None:
        query = query.where(Country.member == member)
    return session.scalars(query).all()


def list_bureaus(session: Session) -> Sequence[Bureau]:
    return session.scalars(select(Bureau).order_by(Bureau.code)).all()


def bureau_codes(session: Session) -> dict[uuid.UUID, str]:
    """Bureau id -> code (country code, or SEC), for showing owners."""
    return {row.id: row.code for row in session.execute(select(Bureau.id, Bureau.code))}


_code_of: dict[uuid.UUID, str] = {}


def bureau_code(session: Session, bureau_id: uuid.UUID) -> str:
    """One bureau's code, from a per-process cache (a bureau's id and code never change;
    the cache is filled again when an id is not in it yet)."""
    code = _code_of.get(bureau_id)
    if code is None:
        _code_of.update(bureau_codes(session))
        code = _code_of.get(bureau_id, "?")
    return code


def bureau_by_code(session: Session, code: str, *, field: str = "country") -> Bureau:
    code = code.strip().upper()
    bureau = session.scalars(select(Bureau).where(Bureau.code == code)).first()
    if bureau is None:
        country = session.get(Country, code)
        reason = (
            f"{code} ({country.name}) is not a member country"
            if country
            else f"{code!r} is neither a member country code nor {SECRETARIAT_CODE}"
        )
        raise InvalidInput(field, reason)
    return bureau


def user_view(user: User, held_until: datetime | None = None) -> dict[str, object]:
    """The API's view of a user; ``held_until`` from ``signin_holds``."""
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "role": Role(user.role),
        "bureau": user.bureau.code,
        "country": user.bureau.country_code,
        "active": user.active,
        "signin_held_until": held_until,
        "created_at": user.created_at,
    }


def _check_role_fits_bureau(role: Role, bureau: Bureau) -> None:
    is_secretariat = bureau.kind == BureauKind.SECRETARIAT
    if role in SECRETARIAT_ROLES and not is_secretariat:
        raise InvalidInput("role", f"role {role.value!r} belongs to the secretariat (country SEC)")
    if role in (Role.OFFICER, Role.SUPERVISOR) and is_secretariat:
        raise InvalidInput("role", f"role {role.value!r} belongs to a national bureau")
    if role is Role.CLIENT:
        raise InvalidInput("role", "machine clients are API clients, not users")


def _check_may_manage(actor: Actor | None, bureau: Bureau) -> None:
    """Admins manage everyone; supervisors their own bureau. ``None`` is the local CLI."""
    if actor is None or actor.can(Permission.MEMBERS_MANAGE):
        return
    check_permission(actor, Permission.BUREAU_USERS_MANAGE)
    if bureau.id != actor.bureau_id:
        raise Forbidden("supervisors manage the users and clients of their own bureau only")


def create_user(
    session: Session, data: UserCreate, *, actor: Actor | None, password_hash: str | None = None
) -> User:
    bureau = bureau_by_code(session, data.country)
    _check_may_manage(actor, bureau)
    _check_role_fits_bureau(data.role, bureau)
    if actor is not None and not actor.can(Permission.MEMBERS_MANAGE) and data.role is Role.ADMIN:
        raise Forbidden("only administrators create administrators")
    if session.scalars(select(User.id).where(User.username == data.username)).first():
        raise Conflict(f"username {data.username!r} is taken")
    user = User(
        username=data.username,
        full_name=data.full_name,
        password_hash=password_hash or hash_password(data.password),
        role=data.role.value,
        bureau_id=bureau.id,
        bureau=bureau,
    )
    session.add(user)
    session.flush()
    record(
        session,
        AuditAction.USER_CREATE,
        actor=actor,
        actor_name="cli",
        object_type="user",
        object_id=user.id,
        after={"username": user.username, "role": user.role, "bureau": bureau.code},
    )
    return user


def _visible_users(actor: Actor) -> Select[User]:
    query = select(User).join(User.bureau).order_by(User.username)
    if actor.can(Permission.MEMBERS_MANAGE):
        return query
    check_permission(actor, Permission.BUREAU_USERS_MANAGE)
    return query.where(User.bureau_id == actor.bureau_id)


def list_users(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    bureau: str | None = None,
    role: str | None = None,
    active: bool | None = None,
) -> tuple[list[User], int]:
    """The users ``actor`` may manage, optionally of one bureau, role or state."""
    query = _visible_users(actor)
    if bureau:
        query = query.where(Bureau.code == bureau.upper())
    if role:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.limit(limit).offset(offset)).unique()), total


def get_user(session: Session, user_id: uuid.UUID, *, actor: Actor) -> User:
    """One user ``actor`` may manage (404 for any other, as if there were none)."""
    user = session.scalars(_visible_users(actor).where(User.id == user_id)).first()
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def signin_holds(
    session: Session, users: Sequence[User], now: datetime
) -> dict[uuid.UUID, datetime]:
    """For each of ``users`` whose sign-ins wait at some address after failures, until when
    at the latest (absent: none waits)."""
    return backoff.held_until(session, [user.id for user in users], now)


def update_user(session: Session, user_id: uuid.UUID, data: UserUpdate, *, actor: Actor) -> User:
    user = get_user(session, user_id, actor=actor)
    before: dict[str, object] = {"role": user.role, "active": user.active,
                                 "full_name": user.full_name}  # fmt: skip
    if data.role is not None:
        _check_role_fits_bureau(data.role, user.bureau)
        if data.role is Role.ADMIN and not actor.can(Permission.MEMBERS_MANAGE):
            raise Forbidden("only administrators create administrators")
        user.role = data.role.value
    if data.active is not None:
        user.active = data.active
    if data.full_name is not None:
        user.full_name = data.full_name
    if data.password is not None:
        user.password_hash = hash_password(data.password)
    after: dict[str, object] = {"role": user.role, "active": user.active,
                                "full_name": user.full_name}  # fmt: skip
    if data.unlock:
        held = signin_holds(session, [user], utcnow()).get(user.id)
        before["signin_held_until"] = held.isoformat() if held else None
        backoff.clear(session, user.id)
        after["signin_held_until"] = None  # unlocked: the trail says so
    if data.password is not None:
        after["password"] = "changed"
    record(
        session,
        AuditAction.USER_UPDATE,
        actor=actor,
        object_type="user",
        object_id=user.id,
        before=before,
        after=after,
    )
    # A token carries what the account was when it was issued: a new password, role or
    # state (disabled, or enabled again) ends every session at once.
    ended = [what for what in ("role", "active") if before[what] != after[what]]
    if data.password is not None:
        ended.insert(0, "password")
    if ended:
        end_sessions(session, user, why=f"{' and '.join(ended)} changed by {actor.name}",
                     actor=actor)  # fmt: skip
    return user


def client_view(client: ApiClient) -> dict[str, object]:
    return {
        "id": client.id,
        "name": client.name,
        "bureau": client.bureau.code,
        "scope": ClientScope(client.scope),
        "key_prefix": client.key_prefix,
        "active": client.active,
        "created_at": client.created_at,
        "revoked_at": client.revoked_at,
    }


def create_api_client(
    session: Session, data: ApiClientCreate, *, actor: Actor
) -> tuple[ApiClient, str]:
    """A new machine client and its key (returned once, stored hashed)."""
    bureau = (
        bureau_by_code(session, data.country)
        if data.country
        else session.get_one(Bureau, actor.bureau_id)
    )
    _check_may_manage(actor, bureau)
    if bureau.kind == BureauKind.SECRETARIAT:
        raise InvalidInput("country", "machine clients screen for a national bureau")
    prefix, key = new_api_key()
    client = ApiClient(
        name=data.name,
        bureau_id=bureau.id,
        bureau=bureau,
        key_prefix=prefix,
        key_hash=hash_api_key(key),
        scope=data.scope.value,
    )
    session.add(client)
    session.flush()
    record(
        session,
        AuditAction.CLIENT_CREATE,
        actor=actor,
        object_type="api_client",
        object_id=client.id,
        after={
            "name": client.name,
            "bureau": bureau.code,
            "key_prefix": prefix,
            "scope": client.scope,
        },
    )
    return client, key


def _visible_clients(actor: Actor) -> Select[ApiClient]:
    query = select(ApiClient).order_by(ApiClient.created_at)
    if actor.can(Permission.MEMBERS_MANAGE):
        return query
    check_permission(actor, Permission.BUREAU_USERS_MANAGE)
    return query.where(ApiClient.bureau_id == actor.bureau_id)


def list_api_clients(session: Session, *, actor: Actor) -> list[ApiClient]:
    return list(session.scalars(_visible_clients(actor)).unique())


def revoke_api_client(session: Session, client_id: uuid.UUID, *, actor: Actor) -> ApiClient:
    client = session.scalars(_visible_clients(actor).where(ApiClient.id == client_id)).first()
    if client is None:
        raise NotFound(f"no API client with id {client_id}")
    if client.active:
        client.active, client.revoked_at = False, utcnow()
        record(
            session,
            AuditAction.CLIENT_REVOKE,
            actor=actor,
            object_type="api_client",
            object_id=client.id,
        )
    return client
