"""signin_failures: lockouts of usernames that name no account, counted like an
account's, so that a lockout tells nothing about which usernames exist

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import interlink.core.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_failures",
        sa.Column("username_key", sa.String(length=64), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("locked_until", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username_key", name=op.f("pk_signin_failures")),
    )
    op.create_index(op.f("ix_signin_failures_last_at"), "signin_failures", ["last_at"])


def downgrade() -> None:
    op.drop_table("signin_failures")
