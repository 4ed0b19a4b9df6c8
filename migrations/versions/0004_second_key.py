"""records: a second indexed lookup key (a vehicle's plate beside its VIN)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 23:00:00
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _compact(value: str) -> str:
    # As records.fields.compact_identifier at this revision (migrations do not import
    # the application, whose code may change after them).
    return re.sub(r"[\s\-./_]+", "", value).upper()


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("second_key", sa.String(length=128), nullable=True))
        batch_op.create_index("ix_records_kind_second_key", ["kind", "second_key"], unique=False)
    connection = op.get_bind()
    records = sa.table(
        "records", sa.column("id"), sa.column("kind"), sa.column("data"), sa.column("second_key")
    )
    rows = connection.execute(
        sa.select(records.c.id, records.c.data).where(records.c.kind == "vehicles")
    ).all()
    for record_id, data in rows:
        data = json.loads(data) if isinstance(data, str) else data
        if data.get("vin") and data.get("plate"):
            connection.execute(
                records.update()
                .where(records.c.id == record_id)
                .values(second_key=_compact(data["plate"]))
            )


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_kind_second_key")
        batch_op.drop_column("second_key")
