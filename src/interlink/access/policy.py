"""The one access policy: ``restrict(query, actor, action)``, default deny.

Every query over shared objects passes through ``restrict``; ``require`` loads one
object through it and answers ``NotFound`` for what the actor may not see, so that
an invisible object and an absent one look the same.

Rules (evaluated in SQL):
- writes (update, delete): the owner bureau, and the General Secretariat for
  compliance, with ``records:write``; machine clients never write;
- reads and screening: the owner bureau; the General Secretariat always (compliance);
  other member bureaus as the owner's visibility allows: ``all_members``, ``public``,
  ``only`` listed countries, ``except`` listed countries, ``group`` members;
- anonymous callers (``actor=None``) read ``public`` objects only;
- a role without the action's permission sees nothing.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, and_, column, false, not_, or_, select, table, true
from sqlalchemy.orm import Session

from interlink.access.actor import Actor
from interlink.access.permissions import Action, Permission
from interlink.access.visibility import SharedMixin, VisibilityMode
from interlink.core.errors import Forbidden, NotFound

__all__ = ["SharedColumns", "check_permission", "require", "restrict", "visible_clause"]

T = TypeVar("T", bound=SharedMixin)
S = TypeVar("S", bound=Any)

# Referenced by name so that the policy does not depend on the members package.
_group_members = table("sharing_group_members", column("group_id"), column("country_code"))


def check_permission(actor: Actor | None, permission: Permission) -> Actor:
    """The actor, if its role grants ``permission``; ``Forbidden`` otherwise."""
    if actor is None or not actor.can(permission):
        raise Forbidden(f"this action needs the permission {permission.value!r}")
    return actor


class SharedColumns(Protocol):
    """Anything with a shared object's owner and visibility columns (a shared model, or a
    side of a change in the change log)."""

    owner_bureau_id: Any
    visibility_mode: Any
    visibility_countries: Any
    visibility_group_id: Any


def visible_clause(
    model: type[SharedMixin] | SharedColumns, actor: Actor | None, action: Action
) -> ColumnElement[bool]:
    """The SQL condition under which ``actor`` may ``action`` a row of ``model``."""
    mode = model.visibility_mode
    if actor is None:
        return mode == VisibilityMode.PUBLIC.value if action is Action.READ else false()
    if not actor.can(action.permission):
        return false()
    owned = model.owner_bureau_id == actor.bureau_id
    if action.is_write:
        if actor.kind != "user":
            return false()
        return true() if actor.is_secretariat else owned
    if actor.is_secretariat:
        return true()
    country = actor.country or ""
    listed = model.visibility_countries.like(f"%,{country},%")
    groups = select(_group_members.c.group_id).where(_group_members.c.country_code == country)
    return or_(
        owned,
        mode.in_([VisibilityMode.ALL_MEMBERS.value, VisibilityMode.PUBLIC.value]),
        and_(mode == VisibilityMode.ONLY.value, listed),
        and_(mode == VisibilityMode.EXCEPT.value, not_(listed)),
        and_(mode == VisibilityMode.GROUP.value, model.visibility_group_id.in_(groups)),
    )


def _entity(query: Select[Any]) -> type[SharedMixin]:
    for description in query.column_descriptions:
        entity = description.get("entity")
        if isinstance(entity, type) and issubclass(entity, SharedMixin):
            return entity
    raise TypeError("restrict() needs a query over a shared model (one with SharedMixin)")


def restrict(query: Select[S], actor: Actor | None, action: Action) -> Select[S]:
    """``query`` narrowed to the rows ``actor`` may ``action``."""
    return query.where(visible_clause(_entity(query), actor, action))


def require(
    session: Session, model: type[T], object_id: uuid.UUID, actor: Actor | None, action: Action
) -> T:
    """The object if ``actor`` may ``action`` it, else ``NotFound`` (never 403)."""
    row = session.scalars(
        restrict(select(model).where(model.id == object_id), actor, action)
    ).first()
    if row is None:
        raise NotFound(f"no {model.__tablename__} with id {object_id}")  # type: ignore[attr-defined]
    return row
