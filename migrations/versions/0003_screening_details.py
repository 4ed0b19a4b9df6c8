"""records: screening details

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:06:17.491609
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing records keep full details for screening clients.
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "screening_details", sa.String(length=16), nullable=False, server_default="full"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("screening_details")
