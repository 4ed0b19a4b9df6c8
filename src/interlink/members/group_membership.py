"""Who joins and leaves a sharing group: additions that wait for the consent of the
bureaus whose records the group shares, and removals.

An admin's addition takes effect at once only when no other bureau's records are shared
with the group. Otherwise the country waits outside (it is not in
``sharing_group_members``, so the access policy shows it nothing) while each owner of
records shared with the group is asked, with the number of its records the country would
see: it consents, objects (the addition waits; the admins may cancel it), or withdraws
its records from the group (they fall back to owner only). Owners with nothing shared
are not asked, and the requesting admin's own bureau has consented by asking. Whether
everyone has agreed is decided again at each answer, against who shares what at that
moment: a bureau that shared since it was asked is asked in turn.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.access import Actor, Permission, check_permission
from interlink.core.errors import Forbidden, InvalidInput, NotFound
from interlink.core.events import publish
from interlink.core.types import utcnow
from interlink.members.groups import (
    GroupTopic,
    audited,
    check_admin,
    check_members,
    depart,
    get_group,
    group_view,
    join,
    role_of,
    tell,
)
from interlink.members.models import (
    Bureau,
    ConsentAnswer,
    SharingGroup,
    SharingGroupAddition,
    SharingGroupConsent,
)
from interlink.members.schemas import GroupMembersUpdate
from interlink.records.models import Record
from interlink.records.sharing import withdraw_from_group

__all__ = [
    "answer_consent",
    "cancel_addition",
    "consent_view",
    "consents_asked",
    "list_additions",
    "update_group_members",
]


def _sharing(session: Session, group_id: uuid.UUID) -> dict[str, int]:
    """Owner country -> how many of its live records are shared with the group."""
    rows = session.execute(
        select(Bureau.country_code, func.count())
        .select_from(Record)
        .join(Bureau, Bureau.id == Record.owner_bureau_id)
        .where(Record.visibility_group_id == group_id, Record.deleted_at.is_(None))
        .group_by(Bureau.country_code)
    )
    return {str(code): int(count) for code, count in rows if code}


def _settle(session: Session, group: SharingGroup, addition: SharingGroupAddition) -> bool:
    """Ask the owners not asked yet; join the country once every owner sharing with the
    group has consented. Whether it joined."""
    owners = _sharing(session, group.id)
    owners.pop(addition.country_code, None)
    asked = {consent.country_code: consent for consent in addition.consents}
    for country, count in sorted(owners.items()):
        if country in asked:
            continue
        consent = SharingGroupConsent(country_code=country, records=count)
        if country == addition.requested_bureau:  # its admin asked: that is its consent
            consent.answer, consent.answered_by = ConsentAnswer.CONSENT.value, addition.requested_by
            consent.answered_at = addition.requested_at
        addition.consents.append(consent)
        if consent.answer is None:
            _ask(session, group, addition, country, count)
    session.flush()
    waiting = [
        c.country_code
        for c in addition.consents
        if c.country_code in owners and c.answer != ConsentAnswer.CONSENT
    ]
    if waiting:
        return False
    group.additions.remove(addition)
    join(session, group, addition.country_code)
    tell(session, group, GroupTopic.MEMBER_ADDED, countries=[addition.country_code],
         by=addition.requested_bureau)  # fmt: skip
    return True


def _ask(
    session: Session,
    group: SharingGroup,
    addition: SharingGroupAddition,
    country: str,
    records: int,
) -> None:
    """Ask one owner (its bureau alone is told how many of its records would be seen)."""
    publish(
        session,
        GroupTopic.CONSENT_ASKED.value,
        object_type="sharing_group",
        object_id=group.id,
        owner=None,
        audience=f",{country},",
        payload={"group": group.name, "group_id": str(group.id), "addition_id": str(addition.id),
                 "country": addition.country_code, "records": records},
    )  # fmt: skip


def _request(session: Session, group: SharingGroup, country: str, actor: Actor) -> None:
    if role_of(group, country) is not None or any(
        a.country_code == country for a in group.additions
    ):
        return  # a member already, or already waiting
    addition = SharingGroupAddition(
        id=uuid.uuid4(),
        group_id=group.id,
        country_code=country,
        requested_by=actor.name,
        requested_bureau=actor.bureau_code,
        requested_at=utcnow(),
    )
    group.additions.append(addition)
    session.flush()
    if not _settle(session, group, addition):
        waiting = [c.country_code for c in addition.consents if c.answer is None]
        tell(session, group, GroupTopic.ADDITION_REQUESTED, country=country,
             waiting_for=waiting, by=actor.bureau_code)  # fmt: skip


def update_group_members(
    session: Session, group_id: uuid.UUID, data: GroupMembersUpdate, *, actor: Actor
) -> SharingGroup:
    """Remove, then add (each addition at once or waiting for consent); admins only."""
    check_permission(actor, Permission.GROUPS_MANAGE)
    group = get_group(session, group_id, actor=actor)
    check_admin(group, actor)
    added = check_members(session, data.add, "add")
    removed = [code for code in data.remove if role_of(group, code) is not None]
    if group.owner_country in removed and not actor.is_secretariat:
        raise Forbidden("no one removes the group's owner (it may leave)")
    if removed and set(removed) >= {member.country_code for member in group.members}:
        raise InvalidInput("remove", "a group cannot be left without members")
    before = group_view(group)
    for addition in [a for a in group.additions if a.country_code in data.remove]:
        group.additions.remove(addition)  # removing a country that waits: no longer asked
        tell(session, group, GroupTopic.ADDITION_CANCELLED, country=addition.country_code,
             by=actor.bureau_code)  # fmt: skip
    for code in removed:
        depart(session, group, code, actor=actor)
    for code in added:
        _request(session, group, code, actor)
    if before != group_view(group):
        audited(session, group, actor, before)
        if removed:
            tell(session, group, GroupTopic.MEMBER_REMOVED, also=removed, countries=removed,
                 by=actor.bureau_code)  # fmt: skip
    return group


def _addition(
    session: Session, group: SharingGroup, addition_id: uuid.UUID
) -> SharingGroupAddition:
    for addition in group.additions:
        if addition.id == addition_id:
            return addition
    raise NotFound(f"no pending addition with id {addition_id} in this group")


def list_additions(
    session: Session, group_id: uuid.UUID, *, actor: Actor
) -> list[SharingGroupAddition]:
    """The group's additions waiting for consent, with each owner's answer."""
    return list(get_group(session, group_id, actor=actor).additions)


def cancel_addition(
    session: Session, group_id: uuid.UUID, addition_id: uuid.UUID, *, actor: Actor
) -> None:
    check_permission(actor, Permission.GROUPS_MANAGE)
    group = get_group(session, group_id, actor=actor)
    check_admin(group, actor)
    addition = _addition(session, group, addition_id)
    before = group_view(group)
    group.additions.remove(addition)
    audited(session, group, actor, before)
    tell(session, group, GroupTopic.ADDITION_CANCELLED, country=addition.country_code,
         by=actor.bureau_code)  # fmt: skip


def consents_asked(
    session: Session, *, actor: Actor
) -> list[tuple[SharingGroup, SharingGroupAddition, SharingGroupConsent]]:
    """The additions waiting for the actor's bureau's answer (answered or not yet)."""
    rows = session.execute(
        select(SharingGroup, SharingGroupAddition, SharingGroupConsent)
        .join(SharingGroupAddition, SharingGroupAddition.group_id == SharingGroup.id)
        .join(SharingGroupConsent, SharingGroupConsent.addition_id == SharingGroupAddition.id)
        .where(SharingGroupConsent.country_code == (actor.country or ""))
        .order_by(SharingGroupAddition.requested_at)
    ).all()
    return [(group, addition, consent) for group, addition, consent in rows]


def consent_view(
    group: SharingGroup, addition: SharingGroupAddition, consent: SharingGroupConsent
) -> dict[str, Any]:
    return {
        "addition_id": addition.id,
        "group_id": group.id,
        "group": group.name,
        "owner": group.owner_country,
        "country": addition.country_code,
        "records": consent.records,
        "answer": consent.answer,
        "requested_by": addition.requested_bureau,
        "requested_at": addition.requested_at,
    }


def answer_consent(
    session: Session, addition_id: uuid.UUID, answer: ConsentAnswer, *, actor: Actor
) -> tuple[SharingGroup, SharingGroupAddition, SharingGroupConsent]:
    """The actor's bureau answers an addition it was asked about (404 if it was not)."""
    check_permission(actor, Permission.GROUPS_MANAGE)
    found = [row for row in consents_asked(session, actor=actor) if row[1].id == addition_id]
    if not found:
        raise NotFound(f"no addition with id {addition_id} waits for your bureau's answer")
    group, addition, consent = found[0]
    before = group_view(group)
    consent.answer, consent.answered_by, consent.answered_at = answer.value, actor.name, utcnow()
    if answer is ConsentAnswer.WITHDRAW:
        why = f"withdrawn from the sharing group {group.name!r}: {addition.country_code} joins"
        withdraw_from_group(session, group.id, actor.bureau_id, actor=actor, why=why)
    session.flush()
    tell(session, group, GroupTopic.CONSENT_ANSWERED, country=addition.country_code,
         owner=actor.country, answer=answer.value)  # fmt: skip
    _settle(session, group, addition)
    audited(session, group, actor, before)
    return group, addition, consent
