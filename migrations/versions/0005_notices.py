"""notices

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 01:29:22.669787
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import interlink.core.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=48), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=8), nullable=True),
        sa.Column("audience", sa.String(length=1024), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_object_id"), ["object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_topic"), ["topic"], unique=False)

    op.create_table(
        "reference_counters",
        sa.Column("series", sa.String(length=32), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "notices",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("public_extract", sa.Boolean(), nullable=False),
        sa.Column("recipients", sa.String(length=1024), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=True),
        sa.Column("created_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_due_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("visibility_mode", sa.String(length=16), nullable=False),
        sa.Column("visibility_countries", sa.String(length=1024), nullable=True),
        sa.Column("owner_bureau_id", sa.Uuid(), nullable=False),
        sa.Column("visibility_group_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_bureau_id"], ["bureaus.id"], name=op.f("fk_notices_owner_bureau_id_bureaus")
        ),
        sa.ForeignKeyConstraint(
            ["visibility_group_id"],
            ["sharing_groups.id"],
            name=op.f("fk_notices_visibility_group_id_sharing_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("kind", "reference", name="uq_notices_kind_reference"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_kind_status", ["kind", "status"], unique=False)
        batch_op.create_index("ix_notices_kind_type", ["kind", "type"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notices_owner_bureau_id"), ["owner_bureau_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notices_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "notice_extracts",
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("collection", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=16), nullable=False),
        sa.Column("forename", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sex_id", sa.String(length=1), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("birth_month", sa.Integer(), nullable=True),
        sa.Column("birth_day", sa.Integer(), nullable=True),
        sa.Column("nationalities", sa.String(length=256), nullable=False),
        sa.Column("warrant_countries", sa.String(length=256), nullable=False),
        sa.Column("free_text", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("published_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_extracts_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("notice_id", name=op.f("pk_notice_extracts")),
        sa.UniqueConstraint("entity_id", name=op.f("uq_notice_extracts_entity_id")),
    )
    with op.batch_alter_table("notice_extracts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_extracts_collection"), ["collection"], unique=False
        )

    op.create_table(
        "notice_subjects",
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_subjects_notice_id_notices")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_notice_subjects_record_id_records")
        ),
        sa.PrimaryKeyConstraint("notice_id", "record_id", name=op.f("pk_notice_subjects")),
    )
    with op.batch_alter_table("notice_subjects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_subjects_record_id"), ["record_id"], unique=False
        )

    op.create_table(
        "notice_transitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("bureau", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=4000), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_transitions_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_transitions")),
    )
    with op.batch_alter_table("notice_transitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_transitions_notice_id"), ["notice_id"], unique=False
        )

    op.create_table(
        "notice_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("published_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("replaced_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("replaced_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_versions_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_versions")),
        sa.UniqueConstraint("notice_id", "version", name="uq_notice_versions_version"),
    )
    with op.batch_alter_table("notice_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_versions_notice_id"), ["notice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notice_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_versions_notice_id"))

    op.drop_table("notice_versions")
    with op.batch_alter_table("notice_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_transitions_notice_id"))

    op.drop_table("notice_transitions")
    with op.batch_alter_table("notice_subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_subjects_record_id"))

    op.drop_table("notice_subjects")
    with op.batch_alter_table("notice_extracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_extracts_collection"))

    op.drop_table("notice_extracts")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_updated_at"))
        batch_op.drop_index(batch_op.f("ix_notices_owner_bureau_id"))
        batch_op.drop_index("ix_notices_kind_type")
        batch_op.drop_index("ix_notices_kind_status")

    op.drop_table("notices")
    op.drop_table("reference_counters")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_topic"))
        batch_op.drop_index(batch_op.f("ix_events_object_id"))

    op.drop_table("events")
