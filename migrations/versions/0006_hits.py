"""hits

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 01:46:39.438038
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import interlink.core.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hits",
        sa.Column("created_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("screening_bureau_id", sa.Uuid(), nullable=False),
        sa.Column("screened_by", sa.String(length=64), nullable=False),
        sa.Column("system", sa.String(length=120), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("record_kind", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("priority", sa.String(length=12), nullable=True),
        sa.Column("due_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("outcome_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_details", sa.String(length=4000), nullable=True),
        sa.Column("updated_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("visibility_mode", sa.String(length=16), nullable=False),
        sa.Column("visibility_countries", sa.String(length=1024), nullable=True),
        sa.Column("owner_bureau_id", sa.Uuid(), nullable=False),
        sa.Column("visibility_group_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_bureau_id"], ["bureaus.id"], name=op.f("fk_hits_owner_bureau_id_bureaus")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_hits_record_id_records")
        ),
        sa.ForeignKeyConstraint(
            ["screening_bureau_id"],
            ["bureaus.id"],
            name=op.f("fk_hits_screening_bureau_id_bureaus"),
        ),
        sa.ForeignKeyConstraint(
            ["visibility_group_id"],
            ["sharing_groups.id"],
            name=op.f("fk_hits_visibility_group_id_sharing_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hits")),
    )
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hits_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hits_owner_bureau_id"), ["owner_bureau_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hits_record_id"), ["record_id"], unique=False)
        batch_op.create_index("ix_hits_screening_bureau", ["screening_bureau_id"], unique=False)
        batch_op.create_index("ix_hits_status_due", ["status", "due_at"], unique=False)

    op.create_table(
        "hit_confirmations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hit_id", sa.Uuid(), nullable=False),
        sa.Column("priority", sa.String(length=12), nullable=False),
        sa.Column("requested_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("due_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=4000), nullable=True),
        sa.Column("answer", sa.String(length=24), nullable=True),
        sa.Column("details", sa.String(length=4000), nullable=True),
        sa.Column("answered_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("escalated_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["hit_id"], ["hits.id"], name=op.f("fk_hit_confirmations_hit_id_hits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_confirmations")),
    )
    with op.batch_alter_table("hit_confirmations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hit_confirmations_hit_id"), ["hit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hit_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hit_confirmations_hit_id"))

    op.drop_table("hit_confirmations")
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.drop_index("ix_hits_status_due")
        batch_op.drop_index("ix_hits_screening_bureau")
        batch_op.drop_index(batch_op.f("ix_hits_record_id"))
        batch_op.drop_index(batch_op.f("ix_hits_owner_bureau_id"))
        batch_op.drop_index(batch_op.f("ix_hits_created_at"))

    op.drop_table("hits")
