"""API client scopes; sharing groups with an owner, admins and pending additions

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-08 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every key made so far was a border system's: it keeps screening, and nothing else.
    with op.batch_alter_table("api_clients") as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=16), server_default="screening", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_clients") as batch_op:
        batch_op.drop_column("scope")
