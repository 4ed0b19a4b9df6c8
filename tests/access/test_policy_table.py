"""The access policy as a table: every role x action x visibility mode, on every shared kind.

Expectations come from the rules as written in the foundation issue (``EXPECTED_*``
below), not from the policy's code: for each visibility, which viewers may read it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import (
    ROLE_PERMISSIONS,
    Action,
    Actor,
    Role,
    SharedMixin,
    Visibility,
    VisibilityMode,
    require,
    restrict,
)
from interlink.core.db import Base
from interlink.core.errors import NotFound
from interlink.members.models import SharingGroup, SharingGroupMember
from tests.conftest import bureau

OWNER = "FR"
# Viewer positions: the owner's bureau, a country listed by the owner and in its group,
# a country neither listed nor in the group, the secretariat, and an anonymous caller.
VIEWERS = ["owner", "DE", "IT", "secretariat", "anonymous"]

# Which viewers may read (or screen) an object with each visibility.
EXPECTED_READ: dict[str, set[str]] = {
    "owner_only": {"owner", "secretariat"},
    "only_DE": {"owner", "DE", "secretariat"},
    "except_DE": {"owner", "IT", "secretariat"},
    "group_FR_DE": {"owner", "DE", "secretariat"},
    "all_members": {"owner", "DE", "IT", "secretariat"},
    "public": {"owner", "DE", "IT", "secretariat", "anonymous"},
}
# Only the owner bureau writes, and the secretariat for compliance, whatever the visibility.
EXPECTED_WRITE: dict[str, set[str]] = {mode: {"owner", "secretariat"} for mode in EXPECTED_READ}

NCB_ROLES = [Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.CLIENT]
SECRETARIAT_ROLES = [Role.REVIEWER, Role.OPERATOR, Role.ANALYST, Role.AUDITOR, Role.ADMIN]


def shared_kinds() -> list[type[SharedMixin]]:
    kinds = [
        mapper.class_ for mapper in Base.registry.mappers if issubclass(mapper.class_, SharedMixin)
    ]
    return sorted(kinds, key=lambda kind: kind.__tablename__)  # type: ignore[attr-defined]


def _visibilities(group_id: uuid.UUID) -> dict[str, Visibility]:
    return {
        "owner_only": Visibility(mode=VisibilityMode.OWNER_ONLY),
        "only_DE": Visibility(mode=VisibilityMode.ONLY, countries=["DE"]),
        "except_DE": Visibility(mode=VisibilityMode.EXCEPT, countries=["DE"]),
        "group_FR_DE": Visibility(mode=VisibilityMode.GROUP, group=group_id),
        "all_members": Visibility(mode=VisibilityMode.ALL_MEMBERS),
        "public": Visibility(mode=VisibilityMode.PUBLIC),
    }


def _actor(session: Session, role: Role, viewer: str) -> Actor | None:
    if viewer == "anonymous":
        return None
    code = {"owner": OWNER, "secretariat": "SEC"}.get(viewer, viewer)
    office = bureau(session, code)
    return Actor.build(
        id=uuid.uuid4(),
        name=f"{viewer}-{role}",
        role=role,
        bureau_id=office.id,
        bureau_code=office.code,
        country=office.country_code,
        kind="client" if role is Role.CLIENT else "user",
    )


def _expected(role: Role | None, viewer: str, action: Action, mode_key: str) -> bool:
    if viewer == "anonymous":
        return action is Action.READ and viewer in EXPECTED_READ[mode_key]
    assert role is not None
    if action.permission not in ROLE_PERMISSIONS[role]:
        return False
    if action.is_write:
        return viewer in EXPECTED_WRITE[mode_key] and role is not Role.CLIENT
    return viewer in EXPECTED_READ[mode_key]


def _cases() -> list[tuple[Role | None, str]]:
    cases: list[tuple[Role | None, str]] = [(None, "anonymous")]
    for viewer in ("owner", "DE", "IT"):
        cases += [(role, viewer) for role in NCB_ROLES]
    cases += [(role, "secretariat") for role in SECRETARIAT_ROLES]
    return cases


@pytest.fixture
def objects(session: Session, request: pytest.FixtureRequest) -> dict[str, Any]:
    kind: type[SharedMixin] = request.param
    group = SharingGroup(name=f"probe-{uuid.uuid4().hex[:6]}", owner_country=OWNER)
    group.members = [SharingGroupMember(country_code=OWNER), SharingGroupMember(country_code="DE")]
    session.add(group)
    session.flush()
    owner = bureau(session, OWNER)
    made: dict[str, Any] = {}
    for key, visibility in _visibilities(group.id).items():
        obj = kind.example(owner_bureau_id=owner.id)  # type: ignore[attr-defined]
        obj.set_visibility(visibility)
        session.add(obj)
        made[key] = obj
    session.commit()
    return {"kind": kind, "by_mode": made}


@pytest.mark.parametrize("objects", shared_kinds(), indirect=True, ids=lambda k: k.__tablename__)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_every_role_action_and_visibility(
    session: Session, objects: dict[str, Any], action: Action
) -> None:
    kind = objects["kind"]
    by_mode = objects["by_mode"]
    ids = {obj.id: key for key, obj in by_mode.items()}
    checked = 0
    for role, viewer in _cases():
        actor = _actor(session, role, viewer) if role else None
        query = restrict(select(kind.id).where(kind.id.in_(list(ids))), actor, action)
        visible = {ids[row] for row in session.scalars(query)}
        for mode_key, obj in by_mode.items():
            expected = _expected(role, viewer, action, mode_key)
            assert (mode_key in visible) is expected, (role, viewer, action, mode_key)
            if expected:
                assert require(session, kind, obj.id, actor, action).id == obj.id
            else:
                with pytest.raises(NotFound):
                    require(session, kind, obj.id, actor, action)
            checked += 1
    assert checked == len(_cases()) * len(EXPECTED_READ)


def test_restrict_refuses_a_query_over_a_kind_without_visibility() -> None:
    from interlink.members.models import User

    with pytest.raises(TypeError):
        restrict(select(User), None, Action.READ)


def test_group_members_change_what_a_bureau_sees(session: Session) -> None:
    from tests.kinds import ProbeRecord

    group = SharingGroup(name="probe-growing", owner_country=OWNER)
    group.members = [SharingGroupMember(country_code=OWNER)]
    session.add(group)
    session.flush()
    obj = ProbeRecord.example(owner_bureau_id=bureau(session, OWNER).id)
    obj.set_visibility(Visibility(mode=VisibilityMode.GROUP, group=group.id))
    session.add(obj)
    session.commit()
    italian = _actor(session, Role.OFFICER, "IT")
    query = restrict(select(ProbeRecord.id), italian, Action.READ)
    assert obj.id not in set(session.scalars(query))
    group.members.append(SharingGroupMember(country_code="IT"))
    session.commit()
    assert obj.id in set(session.scalars(query))
