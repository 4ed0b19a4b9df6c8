"""operations

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 03:59:58.329660
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import interlink.core.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("place", sa.String(length=400), nullable=False),
        sa.Column("occurred_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deployed_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("visibility_mode", sa.String(length=16), nullable=False),
        sa.Column("visibility_countries", sa.String(length=1024), nullable=True),
        sa.Column("owner_bureau_id", sa.Uuid(), nullable=False),
        sa.Column("visibility_group_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_bureau_id"], ["bureaus.id"], name=op.f("fk_incidents_owner_bureau_id_bureaus")
        ),
        sa.ForeignKeyConstraint(
            ["visibility_group_id"],
            ["sharing_groups.id"],
            name=op.f("fk_incidents_visibility_group_id_sharing_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("reference", name=op.f("uq_incidents_reference")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incidents_owner_bureau_id"), ["owner_bureau_id"], unique=False
        )
        batch_op.create_index("ix_incidents_status_updated", ["status", "updated_at"], unique=False)

    op.create_table(
        "operations",
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("objective", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("visibility_mode", sa.String(length=16), nullable=False),
        sa.Column("visibility_countries", sa.String(length=1024), nullable=True),
        sa.Column("owner_bureau_id", sa.Uuid(), nullable=False),
        sa.Column("visibility_group_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_bureau_id"], ["bureaus.id"], name=op.f("fk_operations_owner_bureau_id_bureaus")
        ),
        sa.ForeignKeyConstraint(
            ["visibility_group_id"],
            ["sharing_groups.id"],
            name=op.f("fk_operations_visibility_group_id_sharing_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations")),
        sa.UniqueConstraint("reference", name=op.f("uq_operations_reference")),
    )
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operations_owner_bureau_id"), ["owner_bureau_id"], unique=False
        )
        batch_op.create_index(
            "ix_operations_status_updated", ["status", "updated_at"], unique=False
        )

    op.create_table(
        "incident_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("requested_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("answer", sa.String(length=4000), nullable=True),
        sa.Column("answered_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_requests_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_requests")),
    )
    with op.batch_alter_table("incident_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_requests_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_team",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("added_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_team_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_team")),
    )
    with op.batch_alter_table("incident_team", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_team_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "operation_targets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("operation_id", sa.Uuid(), nullable=False),
        sa.Column("notice_id", sa.Uuid(), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("added_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_operation_targets_notice_id_notices")
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_operation_targets_operation_id_operations"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_operation_targets_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_targets")),
    )
    with op.batch_alter_table("operation_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operation_targets_operation_id"), ["operation_id"], unique=False
        )

    op.create_table(
        "operation_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("operation_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_operation_tasks_operation_id_operations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_tasks")),
    )
    with op.batch_alter_table("operation_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operation_tasks_operation_id"), ["operation_id"], unique=False
        )

    op.create_table(
        "ops_timeline",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operation_id", sa.Uuid(), nullable=True),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("bureau", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_ops_timeline_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_ops_timeline_operation_id_operations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_timeline")),
    )
    with op.batch_alter_table("ops_timeline", schema=None) as batch_op:
        batch_op.create_index("ix_ops_timeline_incident", ["incident_id", "at"], unique=False)
        batch_op.create_index("ix_ops_timeline_operation", ["operation_id", "at"], unique=False)

    op.create_table(
        "operation_results",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("operation_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("bureau", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_operation_results_operation_id_operations"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["operation_targets.id"],
            name=op.f("fk_operation_results_target_id_operation_targets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_results")),
    )
    with op.batch_alter_table("operation_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operation_results_operation_id"), ["operation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("operation_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operation_results_operation_id"))

    op.drop_table("operation_results")
    with op.batch_alter_table("ops_timeline", schema=None) as batch_op:
        batch_op.drop_index("ix_ops_timeline_operation")
        batch_op.drop_index("ix_ops_timeline_incident")

    op.drop_table("ops_timeline")
    with op.batch_alter_table("operation_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operation_tasks_operation_id"))

    op.drop_table("operation_tasks")
    with op.batch_alter_table("operation_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operation_targets_operation_id"))

    op.drop_table("operation_targets")
    with op.batch_alter_table("incident_team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_team_incident_id"))

    op.drop_table("incident_team")
    with op.batch_alter_table("incident_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_requests_incident_id"))

    op.drop_table("incident_requests")
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.drop_index("ix_operations_status_updated")
        batch_op.drop_index(batch_op.f("ix_operations_owner_bureau_id"))

    op.drop_table("operations")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_status_updated")
        batch_op.drop_index(batch_op.f("ix_incidents_owner_bureau_id"))

    op.drop_table("incidents")
