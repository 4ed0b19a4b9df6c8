"""What a national node keeps about its replication: where it syncs from, how far it
has read the central change feed, and which of its offline hits central has received."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from interlink.core.db import Base
from interlink.core.types import UTCDateTime, utcnow

__all__ = ["NodeDelivery", "NodeState"]


class NodeState(Base):
    """One row on a node (none on a central system): its presence makes the database a
    replica, whose records and notices only the sync changes."""

    __tablename__ = "node_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    central_url: Mapped[str] = mapped_column(String(500))
    bureau: Mapped[str] = mapped_column(String(8))
    """The node's bureau, as central told it from the sync's credentials."""
    cursor: Mapped[str] = mapped_column(String(64), default="0")
    """The change feed's cursor after the last page applied (in that page's transaction)."""
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the feed was last read to its end."""


class NodeDelivery(Base):
    """A hit found on the node that central has answered: acknowledged (its hit there),
    or refused for good (the record is no longer one the node's bureau may screen, say),
    so that one refusal does not hold the rest of the queue."""

    __tablename__ = "node_deliveries"

    hit_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("hits.id"), primary_key=True)
    central_hit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    refused: Mapped[str | None] = mapped_column(String(1000), default=None)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
