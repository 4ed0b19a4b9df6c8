"""The change log (change feed, screening index), national node tables, hits.reported_as

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import interlink.core.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_LIVE = "('published', 'revised', 'review_due')"


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("owner_bureau_id", sa.Uuid(), nullable=False),
        sa.Column("before_mode", sa.String(length=16), nullable=True),
        sa.Column("before_countries", sa.String(length=1024), nullable=True),
        sa.Column("before_group_id", sa.Uuid(), nullable=True),
        sa.Column("after_mode", sa.String(length=16), nullable=True),
        sa.Column("after_countries", sa.String(length=1024), nullable=True),
        sa.Column("after_group_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    op.create_index("ix_changes_entity_object", "changes", ["entity", "object_id"])
    # What exists already is the feed's beginning: live records, then published notices.
    columns = (
        "at, entity, kind, object_id, owner_bureau_id, after_mode, after_countries, after_group_id"
    )
    visibility = "visibility_mode, visibility_countries, visibility_group_id"
    op.execute(
        f"INSERT INTO changes ({columns}) SELECT updated_at, 'record', kind, id, "
        f"owner_bureau_id, {visibility} FROM records WHERE deleted_at IS NULL "
        "ORDER BY updated_at, id"
    )
    op.execute(
        f"INSERT INTO changes ({columns}) SELECT updated_at, 'notice', kind, id, "
        f"owner_bureau_id, {visibility} FROM notices "
        f"WHERE kind = 'notice' AND status IN {_LIVE} ORDER BY updated_at, id"
    )
    op.create_table(
        "node_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("central_url", sa.String(length=500), nullable=False),
        sa.Column("bureau", sa.String(length=8), nullable=False),
        sa.Column("cursor", sa.String(length=64), nullable=False),
        sa.Column("synced_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_node_state")),
    )
    op.create_table(
        "node_deliveries",
        sa.Column("hit_id", sa.Uuid(), nullable=False),
        sa.Column("central_hit_id", sa.Uuid(), nullable=True),
        sa.Column("refused", sa.String(length=1000), nullable=True),
        sa.Column("delivered_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hit_id"], ["hits.id"], name=op.f("fk_node_deliveries_hit_id_hits")
        ),
        sa.PrimaryKeyConstraint("hit_id", name=op.f("pk_node_deliveries")),
    )
    with op.batch_alter_table("hits") as batch:
        batch.add_column(sa.Column("reported_as", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            "uq_hits_reported_as", ["screening_bureau_id", "reported_as"]
        )


def downgrade() -> None:
    with op.batch_alter_table("hits") as batch:
        batch.drop_constraint("uq_hits_reported_as", type_="unique")
        batch.drop_column("reported_as")
    op.drop_table("node_deliveries")
    op.drop_table("node_state")
    op.drop_index("ix_changes_entity_object", table_name="changes")
    op.drop_table("changes")
