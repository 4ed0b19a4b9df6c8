"""Data-protection requests and their findings; records.retention_reviewed_at

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import interlink.core.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("applicant", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owners_due_on", sa.Date(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_data_requests_reference")),
    )
    op.create_index("ix_data_requests_status_due", "data_requests", ["status", "due_on"])
    op.create_table(
        "data_request_findings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=3), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("action_reason", sa.String(length=1000), nullable=True),
        sa.Column("acted_by", sa.String(length=64), nullable=True),
        sa.Column("acted_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["data_requests.id"],
            name=op.f("fk_data_request_findings_request_id_data_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_request_findings")),
    )
    op.create_index(
        op.f("ix_data_request_findings_request_id"), "data_request_findings", ["request_id"]
    )
    op.create_index(
        op.f("ix_data_request_findings_record_id"), "data_request_findings", ["record_id"]
    )
    op.create_index(op.f("ix_data_request_findings_owner"), "data_request_findings", ["owner"])
    with op.batch_alter_table("records") as batch_op:
        batch_op.add_column(
            sa.Column(
                "retention_reviewed_at",
                interlink.core.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("records") as batch_op:
        batch_op.drop_column("retention_reviewed_at")
    op.drop_table("data_request_findings")
    op.drop_table("data_requests")
