"""Sharing groups: named sets of member bureaus, with an owner and admins.

The bureau that creates a group owns it and is its first admin. Admins add and remove
members and change roles; the secretariat may too, for compliance. Any member may leave
but the last admin, and no one but the secretariat removes the owner (who is always an
admin; its ownership passes to another admin if it goes). Names are unique per owner,
not across the network, so another bureau's group names are never revealed. Every
change is audited with the group before and after, and told to the members (events
``group.*`` on the live stream).

Who joins goes through ``group_membership``: an addition waits for the consent of the
bureaus whose records are shared with the group. This module holds the group itself:
reads, creation, roles, leaving, and the primitives of joining and departing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission, check_permission
from interlink.audit import AuditAction, record
from interlink.changes.log import log_regrouping
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.core.events import publish
from interlink.members.models import (
    Bureau,
    Country,
    GroupRole,
    SharingGroup,
    SharingGroupAddition,
    SharingGroupMember,
)
from interlink.members.schemas import GroupCreate
from interlink.records.sharing import withdraw_from_group

__all__ = [
    "GroupTopic",
    "addition_view",
    "audited",
    "check_admin",
    "check_members",
    "create_group",
    "depart",
    "get_group",
    "group_view",
    "join",
    "leave_group",
    "list_groups",
    "role_of",
    "set_member_role",
    "tell",
]


class GroupTopic(StrEnum):
    """The live stream's events about sharing groups."""

    MEMBER_ADDED = "group.member-added"
    MEMBER_REMOVED = "group.member-removed"
    ROLE_CHANGED = "group.role-changed"
    ADDITION_REQUESTED = "group.addition-requested"
    ADDITION_CANCELLED = "group.addition-cancelled"
    CONSENT_ASKED = "group.consent-asked"
    """To one owner of records shared with the group: a country would join."""
    CONSENT_ANSWERED = "group.consent-answered"


def addition_view(addition: SharingGroupAddition) -> dict[str, Any]:
    return {
        "id": addition.id,
        "country": addition.country_code,
        "requested_by": addition.requested_bureau,
        "requested_at": addition.requested_at,
        "consents": [
            {
                "country": consent.country_code,
                "records": consent.records,
                "answer": consent.answer,
                "answered_at": consent.answered_at,
            }
            for consent in addition.consents
        ],
    }


def group_view(group: SharingGroup) -> dict[str, Any]:
    members = sorted(group.members, key=lambda member: member.country_code)
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "owner": group.owner_country,
        "countries": [member.country_code for member in members],
        "members": [{"country": m.country_code, "role": m.role} for m in members],
        "pending": [addition_view(addition) for addition in group.additions],
        "created_at": group.created_at,
    }


def check_members(session: Session, codes: Iterable[str], field: str) -> list[str]:
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
    query = select(SharingGroup).order_by(SharingGroup.name, SharingGroup.owner_country)
    if actor.is_secretariat:
        return query
    mine = select(SharingGroupMember.group_id).where(
        SharingGroupMember.country_code == actor.country
    )
    return query.where(SharingGroup.id.in_(mine))


def list_groups(session: Session, *, actor: Actor) -> list[SharingGroup]:
    """The groups the actor's bureau is in (every group, for the secretariat)."""
    return list(session.scalars(_visible(actor)))


def get_group(session: Session, group_id: uuid.UUID, *, actor: Actor) -> SharingGroup:
    """A group the actor's bureau is in (any, for the secretariat); 404 otherwise."""
    group = session.scalars(_visible(actor).where(SharingGroup.id == group_id)).first()
    if group is None:
        raise NotFound(f"no sharing group with id {group_id}")
    return group


def role_of(group: SharingGroup, country: str | None) -> GroupRole | None:
    for member in group.members:
        if member.country_code == country:
            return GroupRole(member.role)
    return None


def check_admin(group: SharingGroup, actor: Actor) -> None:
    """Only the group's admins (and the secretariat) change its members and roles."""
    check_permission(actor, Permission.GROUPS_MANAGE)
    if not actor.is_secretariat and role_of(group, actor.country) is not GroupRole.ADMIN:
        raise Forbidden("only the group's admins change its members and roles")


def tell(
    session: Session,
    group: SharingGroup,
    topic: GroupTopic,
    *,
    also: Iterable[str] = (),
    **payload: Any,
) -> None:
    """An event to the group's members (and to ``also``) about the group."""
    codes = sorted({m.country_code for m in group.members} | set(also))
    publish(
        session,
        topic.value,
        object_type="sharing_group",
        object_id=group.id,
        owner=group.owner_country,
        audience="," + ",".join(codes) + ",",
        payload={"group": group.name, "group_id": str(group.id), **payload},
    )


def audited(session: Session, group: SharingGroup, actor: Actor, before: dict[str, Any]) -> None:
    """The audit entry of a change of ``group`` (its view ``before`` and now)."""
    session.flush()
    session.refresh(group)
    record(session, AuditAction.GROUP_UPDATE, actor=actor, object_type="sharing_group",
           object_id=group.id, before=before, after=group_view(group))  # fmt: skip


def create_group(session: Session, data: GroupCreate, *, actor: Actor) -> SharingGroup:
    check_permission(actor, Permission.GROUPS_MANAGE)
    if actor.country is None:
        raise Forbidden(
            "a sharing group belongs to a national bureau; the secretariat manages the "
            "members of existing groups"
        )
    taken = select(SharingGroup.id).where(
        SharingGroup.owner_country == actor.country, SharingGroup.name == data.name
    )
    if session.scalars(taken).first():
        raise Conflict(f"your bureau already has a sharing group named {data.name!r}")
    others = check_members(session, set(data.countries) - {actor.country}, "countries")
    group = SharingGroup(name=data.name, description=data.description, owner_country=actor.country)
    group.members = [SharingGroupMember(country_code=actor.country, role=GroupRole.ADMIN.value)]
    group.members += [SharingGroupMember(country_code=code) for code in others]
    session.add(group)
    session.flush()
    record(session, AuditAction.GROUP_CREATE, actor=actor, object_type="sharing_group",
           object_id=group.id, after=group_view(group))  # fmt: skip
    if others:
        tell(session, group, GroupTopic.MEMBER_ADDED, countries=others, by=actor.bureau_code)
    return group


def join(session: Session, group: SharingGroup, country: str) -> None:
    """``country`` becomes a member: from now on it sees what is shared with the group,
    and the change feed sends it all of it."""
    group.members.append(SharingGroupMember(group_id=group.id, country_code=country))
    session.flush()
    log_regrouping(session, group.id, {country})


def depart(session: Session, group: SharingGroup, country: str, *, actor: Actor) -> None:
    """``country`` leaves: its records shared with the group fall back to owner only
    (``records.sharing``), it no longer sees the others', and the change feed tells it
    so. The owner's going passes ownership to another admin."""
    others = [m for m in group.members if m.country_code != country]
    admins = sorted(m.country_code for m in others if m.role == GroupRole.ADMIN)
    if not admins:
        raise Conflict(
            f"{country} is the group's last admin: make another member admin first"
            if role_of(group, country) is GroupRole.ADMIN
            else "a group keeps at least one admin"
        )
    bureau = session.scalars(select(Bureau).where(Bureau.country_code == country)).one()
    withdraw_from_group(session, group.id, bureau.id, actor=actor,
                        why=f"{country} left the sharing group {group.name!r}")  # fmt: skip
    group.members = others
    if group.owner_country == country:
        group.owner_country = admins[0]
    session.flush()
    log_regrouping(session, group.id, {country})


def set_member_role(
    session: Session, group_id: uuid.UUID, country: str, role: GroupRole, *, actor: Actor
) -> SharingGroup:
    check_permission(actor, Permission.GROUPS_MANAGE)
    group = get_group(session, group_id, actor=actor)
    check_admin(group, actor)
    country = country.strip().upper()
    member = next((m for m in group.members if m.country_code == country), None)
    if member is None:
        raise NotFound(f"{country} is not a member of this group")
    if country == group.owner_country and role is not GroupRole.ADMIN:
        if actor.country == country:
            raise Conflict("the group's owner is always an admin")
        raise Forbidden("no one demotes the group's owner")
    if member.role == role.value:
        return group
    before = group_view(group)
    member.role = role.value
    audited(session, group, actor, before)
    tell(session, group, GroupTopic.ROLE_CHANGED, country=country, role=role.value,
         by=actor.bureau_code)  # fmt: skip
    return group


def leave_group(session: Session, group_id: uuid.UUID, *, actor: Actor) -> None:
    """The actor's bureau leaves the group (not the last admin)."""
    check_permission(actor, Permission.GROUPS_MANAGE)
    group = get_group(session, group_id, actor=actor)
    if role_of(group, actor.country) is None:
        raise Conflict("the secretariat is not a member of any sharing group")
    assert actor.country is not None
    before = group_view(group)
    depart(session, group, actor.country, actor=actor)
    audited(session, group, actor, before)
    tell(session, group, GroupTopic.MEMBER_REMOVED, also=[actor.country],
         country=actor.country, by=actor.bureau_code, left=True)  # fmt: skip
