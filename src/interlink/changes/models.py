"""The change log: one row per change of a shared object, numbered in commit order.

A row says which object changed and who could see it just before and just after the
change (the object's owner and visibility columns, ``NULL`` mode when nobody could: not
yet created, deleted, or a notice not published). The feed decides from these two
states, for each caller, whether the change is an upsert, a removal, or nothing the
caller may hear of; the object's content is read from its own table at feed time, so
the log holds no personal data.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = ["Change", "VisibilityState"]

_Id = BigInteger().with_variant(Integer, "sqlite")


class VisibilityState:
    """The columns ``access.visible_clause`` reads, taken from one side of a change."""

    def __init__(self, side: str) -> None:
        table = Change.__table__.c
        self.owner_bureau_id = table.owner_bureau_id
        self.visibility_mode = table[f"{side}_mode"]
        self.visibility_countries = table[f"{side}_countries"]
        self.visibility_group_id = table[f"{side}_group_id"]


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_entity_object", "entity", "object_id"),)

    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entity: Mapped[str] = mapped_column(String(16))
    """``record`` or ``notice``."""
    kind: Mapped[str] = mapped_column(String(32))
    """The record's kind (``persons``...) or the notice's kind (``notice``, ``diffusion``)."""
    object_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    owner_bureau_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    before_mode: Mapped[str | None] = mapped_column(String(16), default=None)
    before_countries: Mapped[str | None] = mapped_column(String(1024), default=None)
    before_group_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    after_mode: Mapped[str | None] = mapped_column(String(16), default=None)
    after_countries: Mapped[str | None] = mapped_column(String(1024), default=None)
    after_group_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
