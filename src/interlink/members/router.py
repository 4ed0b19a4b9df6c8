"""HTTP routes of the member network (thin: parse, call the service, commit, shape)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession, Now, SettingsDep
from interlink.core.errors import problem_response
from interlink.core.limits import PAGE, SIGNIN_FIELD_CHARS
from interlink.core.ratelimit import RateLimits
from interlink.members import group_membership as membership
from interlink.members import groups, service
from interlink.members.auth import authenticate, end_sessions, issue_access_token
from interlink.members.deps import AnyCaller, CurrentActor, PersonActor, anyone, requires
from interlink.members.limits import check_signin
from interlink.members.models import ApiClient, User
from interlink.members.schemas import (
    ApiClientCreate,
    ApiClientCreated,
    ApiClientRead,
    BureauRead,
    ConsentBody,
    CountryRead,
    GroupAdditionRead,
    GroupCreate,
    GroupMembersUpdate,
    GroupRead,
    GroupRoleUpdate,
    ItemList,
    MyConsentRead,
    Page,
    Token,
    UserCreate,
    UserRead,
    UserUpdate,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")

ManageUsers = Annotated[Actor, Depends(requires(Permission.BUREAU_USERS_MANAGE))]
ManageGroups = Annotated[Actor, Depends(requires(Permission.GROUPS_MANAGE))]


@router.get(
    "/countries",
    response_model=ItemList[CountryRead],
    tags=["members"],
    dependencies=[Depends(anyone)],
)
def list_countries(
    session: DbSession,
    member: Annotated[bool | None, Query(description="Only members (true) or non-members")] = None,
) -> dict[str, object]:
    return {"items": service.list_countries(session, member=member)}


@router.get(
    "/bureaus",
    response_model=ItemList[BureauRead],
    tags=["members"],
    dependencies=[Depends(anyone)],
)
def list_bureaus(session: DbSession) -> dict[str, object]:
    return {"items": service.list_bureaus(session)}


class SignInForm(OAuth2PasswordRequestForm):
    """OAuth2's password form with every field bounded (``SIGNIN_FIELD_CHARS``)."""

    def __init__(
        self,
        username: Annotated[str, Form(max_length=SIGNIN_FIELD_CHARS)],
        password: Annotated[str, Form(max_length=SIGNIN_FIELD_CHARS)],
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
        scope: Annotated[str, Form(max_length=SIGNIN_FIELD_CHARS)] = "",
        client_id: Annotated[str | None, Form(max_length=SIGNIN_FIELD_CHARS)] = None,
        client_secret: Annotated[str | None, Form(max_length=SIGNIN_FIELD_CHARS)] = None,
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )


@router.post(
    "/auth/token",
    response_model=Token,
    tags=["auth"],
    dependencies=[Depends(anyone)],
    responses={
        401: problem_response("Wrong username or password"),
        429: problem_response(
            "Too many attempts, or failed sign-ins for this username from this address: "
            "wait the seconds of Retry-After"
        ),
    },
)
def token(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    limits: RateLimits,
    now: Now,
    form: Annotated[SignInForm, Depends()],
) -> Token:
    address = request.client.host if request.client else "unknown"
    check_signin(limits, settings, form.username, address)
    user = authenticate(session, settings, form.username, form.password, address=address, now=now)
    return Token(
        access_token=issue_access_token(settings, user), expires_in=settings.token_minutes * 60
    )


@router.post("/auth/signout", status_code=204, tags=["auth"])
def signout(session: DbSession, actor: PersonActor) -> Response:
    """End every session of the signed-in account: its tokens are refused from now on."""
    account = session.get(User, actor.id)
    if account is not None:
        end_sessions(session, account, why="signed out")
        session.commit()
    return Response(status_code=204)


@router.get("/me", response_model=UserRead | ApiClientRead, tags=["auth"])
def me(session: DbSession, actor: AnyCaller, now: Now) -> dict[str, object]:
    """The signed-in account: a user, or a machine client (its name, bureau and scope)."""
    if actor.kind == "client":
        return service.client_view(session.get_one(ApiClient, actor.id))
    return _view(session, session.get_one(User, actor.id), now)


def _view(session: DbSession, user: User, now: Now) -> dict[str, object]:
    return service.user_view(user, service.signin_holds(session, [user], now).get(user.id))


@router.get("/users", response_model=Page[UserRead], tags=["members"])
def list_users(
    session: DbSession,
    actor: ManageUsers,
    now: Now,
    limit: Annotated[int, Query(ge=1, le=PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, object]:
    users, total = service.list_users(session, actor=actor, limit=limit, offset=offset)
    holds = service.signin_holds(session, users, now)
    items = [service.user_view(user, holds.get(user.id)) for user in users]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.post(
    "/users", response_model=UserRead, status_code=status.HTTP_201_CREATED, tags=["members"]
)
def create_user(session: DbSession, actor: ManageUsers, body: UserCreate) -> dict[str, object]:
    user = service.create_user(session, body, actor=actor)
    session.commit()
    return service.user_view(user)


@router.patch("/users/{user_id}", response_model=UserRead, tags=["members"])
def update_user(
    session: DbSession, actor: ManageUsers, user_id: uuid.UUID, body: UserUpdate, now: Now
) -> dict[str, object]:
    user = service.update_user(session, user_id, body, actor=actor)
    session.commit()
    return _view(session, user, now)


@router.get("/api-clients", response_model=ItemList[ApiClientRead], tags=["members"])
def list_api_clients(session: DbSession, actor: ManageUsers) -> dict[str, object]:
    return {
        "items": [service.client_view(c) for c in service.list_api_clients(session, actor=actor)]
    }


@router.post(
    "/api-clients",
    response_model=ApiClientCreated,
    status_code=status.HTTP_201_CREATED,
    tags=["members"],
)
def create_api_client(
    session: DbSession, actor: ManageUsers, body: ApiClientCreate
) -> dict[str, object]:
    client, key = service.create_api_client(session, body, actor=actor)
    session.commit()
    return {**service.client_view(client), "api_key": key}


@router.delete("/api-clients/{client_id}", response_model=ApiClientRead, tags=["members"])
def revoke_api_client(
    session: DbSession, actor: ManageUsers, client_id: uuid.UUID
) -> dict[str, object]:
    client = service.revoke_api_client(session, client_id, actor=actor)
    session.commit()
    return service.client_view(client)


@router.get("/groups", response_model=ItemList[GroupRead], tags=["groups"])
def list_groups(session: DbSession, actor: CurrentActor) -> dict[str, object]:
    """The groups your bureau is in (every group, for the secretariat)."""
    return {"items": [groups.group_view(g) for g in groups.list_groups(session, actor=actor)]}


@router.post(
    "/groups", response_model=GroupRead, status_code=status.HTTP_201_CREATED, tags=["groups"]
)
def create_group(session: DbSession, actor: ManageGroups, body: GroupCreate) -> dict[str, object]:
    """A group owned by your bureau (its first admin), with the members you name."""
    group = groups.create_group(session, body, actor=actor)
    session.commit()
    return groups.group_view(group)


@router.get("/groups/{group_id}", response_model=GroupRead, tags=["groups"])
def get_group(session: DbSession, actor: CurrentActor, group_id: uuid.UUID) -> dict[str, object]:
    return groups.group_view(groups.get_group(session, group_id, actor=actor))


@router.patch("/groups/{group_id}/members", response_model=GroupRead, tags=["groups"])
def update_group_members(
    session: DbSession, actor: ManageGroups, group_id: uuid.UUID, body: GroupMembersUpdate
) -> dict[str, object]:
    """Add and remove members (the group's admins, and the secretariat). A country joins at
    once only if no other bureau's records are shared with the group; otherwise it waits
    in ``pending`` until their owners consent."""
    group = membership.update_group_members(session, group_id, body, actor=actor)
    session.commit()
    return groups.group_view(group)


@router.patch("/groups/{group_id}/members/{country}", response_model=GroupRead, tags=["groups"])
def set_member_role(
    session: DbSession,
    actor: ManageGroups,
    group_id: uuid.UUID,
    country: Annotated[str, Path(min_length=2, max_length=2)],
    body: GroupRoleUpdate,
) -> dict[str, object]:
    """Make a member admin or not (the group's admins; the owner stays an admin)."""
    group = groups.set_member_role(session, group_id, country, body.role, actor=actor)
    session.commit()
    return groups.group_view(group)


@router.post("/groups/{group_id}/leave", status_code=204, tags=["groups"])
def leave_group(session: DbSession, actor: ManageGroups, group_id: uuid.UUID) -> Response:
    """Your bureau leaves the group (not its last admin): your records shared with it
    become owner only, and you no longer see the others'."""
    groups.leave_group(session, group_id, actor=actor)
    session.commit()
    return Response(status_code=204)


@router.get(
    "/groups/{group_id}/additions", response_model=ItemList[GroupAdditionRead], tags=["groups"]
)
def list_additions(
    session: DbSession, actor: CurrentActor, group_id: uuid.UUID
) -> dict[str, object]:
    """Countries waiting to join, with each owner's answer (null: not answered yet)."""
    items = membership.list_additions(session, group_id, actor=actor)
    return {"items": [groups.addition_view(addition) for addition in items]}


@router.delete("/groups/{group_id}/additions/{addition_id}", status_code=204, tags=["groups"])
def cancel_addition(
    session: DbSession, actor: ManageGroups, group_id: uuid.UUID, addition_id: uuid.UUID
) -> Response:
    membership.cancel_addition(session, group_id, addition_id, actor=actor)
    session.commit()
    return Response(status_code=204)


@router.get("/group-consents", response_model=ItemList[MyConsentRead], tags=["groups"])
def list_consents(session: DbSession, actor: ManageGroups) -> dict[str, object]:
    """Countries waiting to join groups your bureau's records are shared with: your answer
    is asked (or given)."""
    rows = membership.consents_asked(session, actor=actor)
    return {"items": [membership.consent_view(*row) for row in rows]}


@router.put("/group-consents/{addition_id}", response_model=MyConsentRead, tags=["groups"])
def answer_consent(
    session: DbSession, actor: ManageGroups, addition_id: uuid.UUID, body: ConsentBody
) -> dict[str, object]:
    row = membership.answer_consent(session, addition_id, body.answer, actor=actor)
    shown = membership.consent_view(*row)  # before the commit: a joined addition is gone
    session.commit()
    return shown
