"""link graph: record identifiers, links between records, how far derivation has read

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 04:57:11.261523
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import interlink.core.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "derive_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("up_to", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_derive_state")),
    )
    op.create_table(
        "graph_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("a_id", sa.Uuid(), nullable=False),
        sa.Column("b_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.String(length=60), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("created_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["a_id"], ["records.id"], name=op.f("fk_graph_links_a_id_records")),
        sa.ForeignKeyConstraint(["b_id"], ["records.id"], name=op.f("fk_graph_links_b_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graph_links")),
        sa.UniqueConstraint("a_id", "b_id", "relation", "value", name="uq_graph_links_pair"),
    )
    with op.batch_alter_table("graph_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_graph_links_a_id"), ["a_id"], unique=False)
        batch_op.create_index("ix_graph_links_b_id", ["b_id"], unique=False)

    op.create_table(
        "record_identifiers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("owner_bureau_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("shown", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_record_identifiers_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_identifiers")),
    )
    with op.batch_alter_table("record_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_identifiers_record_id"), ["record_id"], unique=False
        )
        batch_op.create_index("ix_record_identifiers_type_value", ["type", "value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record_identifiers", schema=None) as batch_op:
        batch_op.drop_index("ix_record_identifiers_type_value")
        batch_op.drop_index(batch_op.f("ix_record_identifiers_record_id"))

    op.drop_table("record_identifiers")
    with op.batch_alter_table("graph_links", schema=None) as batch_op:
        batch_op.drop_index("ix_graph_links_b_id")
        batch_op.drop_index(batch_op.f("ix_graph_links_a_id"))

    op.drop_table("graph_links")
    op.drop_table("derive_state")
