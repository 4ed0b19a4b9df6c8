"""events by time: the command centre's map counts the last 24 hours' events

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 04:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_at", "events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_events_at", table_name="events")
