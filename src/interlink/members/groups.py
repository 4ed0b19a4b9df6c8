"""Sharing groups: named sets of member bureaus, managed by their own members.

A bureau that creates a group is its first member; only members change the
membership (the secretariat may too, for compliance).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission, check_permission
from interlink.audit import AuditAction, record
from interlink.changes.log import log_regrouping
from interlink.core.errors import Conflict, InvalidInput, NotFound
from interlink.members.models import Country, SharingGroup, SharingGroupMember
from interlink.members.schemas import GroupCreate, GroupMembersUpdate

__all__ = ["create_group", "get_group", "group_view", "list_groups", "update_group_members"]


def group_view(group: SharingGroup) -> dict[str, object]:
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "countries": [member.country_code for member in group.members],
        "created_at": group.created_at,
    }


def _check_members(session: Session, codes: Iterable[str], field: str) -> list[str]:
    codes = sorted(set(codes))
    known = {
        country.code: country
        for country in session.scalars(select(Country).where(Country.code.in_(codes)))
    }
    for code in codes:
        if code not in known or not known[code].member:
            raise InvalidInput(field, f"{code!r} is not a member country")
    return codes


def _visible(actor: Actor) -> Select[SharingGroup]:
    query = select(SharingGroup).order_by(SharingGroup.name)
    if actor.is_secretariat:
        return query
    mine = select(SharingGroupMember.group_id).where(
        SharingGroupMember.country_code == actor.country
    )
    return query.where(SharingGroup.id.in_(mine))


def list_groups(session: Session, *, actor: Actor) -> list[SharingGroup]:
    return list(session.scalars(_visible(actor)))


def get_group(session: Session, group_id: uuid.UUID, *, actor: Actor) -> SharingGroup:
    group = session.scalars(_visible(actor).where(SharingGroup.id == group_id)).first()
    if group is None:
        raise NotFound(f"no sharing group with id {group_id}")
    return group


def create_group(session: Session, data: GroupCreate, *, actor: Actor) -> SharingGroup:
    check_permission(actor, Permission.GROUPS_MANAGE)
    if session.scalars(select(SharingGroup.id).where(SharingGroup.name == data.name)).first():
        raise Conflict(f"a sharing group named {data.name!r} exists")
    codes = set(data.countries)
    if actor.country:
        codes.add(actor.country)
    members = _check_members(session, codes, "countries")
    if not members:
        raise InvalidInput("countries", "a group needs at least one member country")
    group = SharingGroup(name=data.name, description=data.description)
    group.members = [SharingGroupMember(country_code=code) for code in members]
    session.add(group)
    session.flush()
    record(
        session,
        AuditAction.GROUP_CREATE,
        actor=actor,
        object_type="sharing_group",
        object_id=group.id,
        after=group_view(group),
    )
    return group


def update_group_members(
    session: Session, group_id: uuid.UUID, data: GroupMembersUpdate, *, actor: Actor
) -> SharingGroup:
    check_permission(actor, Permission.GROUPS_MANAGE)
    group = get_group(session, group_id, actor=actor)
    before = group_view(group)
    current = {member.country_code for member in group.members}
    wanted = (current | set(_check_members(session, data.add, "add"))) - set(data.remove)
    if not wanted:
        raise InvalidInput("remove", "a group cannot be left without members")
    group.members = [member for member in group.members if member.country_code in wanted] + [
        SharingGroupMember(country_code=code) for code in sorted(wanted - current)
    ]
    session.flush()
    session.refresh(group)
    log_regrouping(session, group.id, wanted ^ current)
    record(
        session,
        AuditAction.GROUP_UPDATE,
        actor=actor,
        object_type="sharing_group",
        object_id=group.id,
        before=before,
        after=group_view(group),
    )
    return group
