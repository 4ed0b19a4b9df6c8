"""messaging

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 01:58:29.848682
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import interlink.core.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bureau_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["bureau_id"], ["bureaus.id"], name=op.f("fk_bureau_keys_bureau_id_bureaus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bureau_keys")),
    )
    with op.batch_alter_table("bureau_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bureau_keys_bureau_id"), ["bureau_id"], unique=False)

    op.create_table(
        "messages",
        sa.Column("thread_id", sa.Uuid(), nullable=False),
        sa.Column("reply_to_id", sa.Uuid(), nullable=True),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("sent_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("visibility_mode", sa.String(length=16), nullable=False),
        sa.Column("visibility_countries", sa.String(length=1024), nullable=True),
        sa.Column("owner_bureau_id", sa.Uuid(), nullable=False),
        sa.Column("visibility_group_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["key_id"], ["bureau_keys.id"], name=op.f("fk_messages_key_id_bureau_keys")
        ),
        sa.ForeignKeyConstraint(
            ["owner_bureau_id"], ["bureaus.id"], name=op.f("fk_messages_owner_bureau_id_bureaus")
        ),
        sa.ForeignKeyConstraint(
            ["visibility_group_id"],
            ["sharing_groups.id"],
            name=op.f("fk_messages_visibility_group_id_sharing_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_messages_owner_bureau_id"), ["owner_bureau_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_messages_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index("ix_messages_thread", ["thread_id", "sent_at"], unique=False)

    op.create_table(
        "message_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_attachments_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachments")),
    )
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_attachments_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "message_recipients",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("delivered_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["bureau_id"], ["bureaus.id"], name=op.f("fk_message_recipients_bureau_id_bureaus")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_recipients_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("message_id", "bureau_id", name=op.f("pk_message_recipients")),
    )
    with op.batch_alter_table("message_recipients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_recipients_bureau_id"), ["bureau_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("message_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_recipients_bureau_id"))

    op.drop_table("message_recipients")
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_attachments_message_id"))

    op.drop_table("message_attachments")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_thread")
        batch_op.drop_index(batch_op.f("ix_messages_sent_at"))
        batch_op.drop_index(batch_op.f("ix_messages_owner_bureau_id"))

    op.drop_table("messages")
    with op.batch_alter_table("bureau_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bureau_keys_bureau_id"))

    op.drop_table("bureau_keys")
