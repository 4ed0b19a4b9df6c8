"""Credentials: demo_key (the demo's random signing key, kept with its database);
signin_backoff (failed sign-ins per username and address, with their waits) replaces
signin_failures and the accounts' lock (users.failed_logins, users.locked_until)

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-08 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import interlink.core.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demo_key",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_key")),
    )
    op.create_table(
        "signin_backoff",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("held_until", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("counted_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("succeeded_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_signin_backoff_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_signin_backoff")),
    )
    op.create_index(op.f("ix_signin_backoff_counted_at"), "signin_backoff", ["counted_at"])
    op.create_index(op.f("ix_signin_backoff_user_id"), "signin_backoff", ["user_id"])
    # Locks and counts of the old scheme lapse within minutes anyway: nothing to carry over.
    op.drop_table("signin_failures")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): copying the users table, as batch
    # mode would, is refused while other tables' rows refer to it.
    op.drop_column("users", "failed_logins")
    op.drop_column("users", "locked_until")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "locked_until", interlink.core.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.create_table(
        "signin_failures",
        sa.Column("username_key", sa.String(length=64), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("locked_until", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username_key", name=op.f("pk_signin_failures")),
    )
    op.create_index(op.f("ix_signin_failures_last_at"), "signin_failures", ["last_at"])
    op.drop_table("signin_backoff")
    op.drop_table("demo_key")
