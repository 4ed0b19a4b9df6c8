"""record_versions: each version's visibility in the columns the access policy reads

A version was shown to whoever may read the record now; it is shown to whom its own
visibility allowed. The JSON ``visibility`` each version kept becomes the three columns
every shared object has (``visibility_mode``, ``visibility_countries`` as ``,FR,DE,``,
``visibility_group_id``), which ``access.visible_clause`` evaluates in SQL.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_BATCH = 5000
_MODES = {"owner_only", "only", "except", "group", "all_members", "public"}


def _versions(columns: list[sa.ColumnClause[Any]]) -> sa.TableClause:
    return sa.table("record_versions", sa.column("id", sa.Integer()), *columns)


def _batches(table: sa.TableClause, *names: str) -> Iterator[list[sa.Row[Any]]]:
    """The rows of ``table`` (id and ``names``), a batch at a time, in id order."""
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, *[table.c[name] for name in names])
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        yield list(rows)
        last = rows[-1].id


def _columns(visibility: Any) -> dict[str, Any]:
    """The columns of a version's JSON visibility; what cannot be read is owner-only (the
    policy's default: deny)."""
    if not isinstance(visibility, dict) or visibility.get("mode") not in _MODES:
        return {"mode": "owner_only", "countries": None, "group": None}
    codes = sorted({str(c).upper() for c in visibility.get("countries") or [] if c})
    try:
        group = uuid.UUID(str(visibility["group"])) if visibility.get("group") else None
    except ValueError:
        return {"mode": "owner_only", "countries": None, "group": None}
    packed = "," + ",".join(codes) + "," if codes else None
    return {"mode": visibility["mode"], "countries": packed, "group": group}


def upgrade() -> None:
    with op.batch_alter_table("record_versions") as batch:
        batch.add_column(
            sa.Column(
                "visibility_mode",
                sa.String(length=16),
                nullable=False,
                server_default="owner_only",
            )
        )
        batch.add_column(sa.Column("visibility_countries", sa.String(length=1024), nullable=True))
        batch.add_column(sa.Column("visibility_group_id", sa.Uuid(), nullable=True))
    table = _versions(
        [
            sa.column("visibility", sa.JSON()),
            sa.column("visibility_mode", sa.String()),
            sa.column("visibility_countries", sa.String()),
            sa.column("visibility_group_id", sa.Uuid()),
        ]
    )
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("version_id"))
        .values(
            visibility_mode=sa.bindparam("mode"),
            visibility_countries=sa.bindparam("countries"),
            visibility_group_id=sa.bindparam("group"),
        )
    )
    for rows in _batches(table, "visibility"):
        op.get_bind().execute(
            update, [{"version_id": row.id, **_columns(row.visibility)} for row in rows]
        )
    with op.batch_alter_table("record_versions") as batch:
        batch.drop_column("visibility")


def downgrade() -> None:
    with op.batch_alter_table("record_versions") as batch:
        batch.add_column(sa.Column("visibility", sa.JSON(), nullable=True))
    table = _versions(
        [
            sa.column("visibility", sa.JSON()),
            sa.column("visibility_mode", sa.String()),
            sa.column("visibility_countries", sa.String()),
            sa.column("visibility_group_id", sa.Uuid()),
        ]
    )
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("version_id"))
        .values(visibility=sa.bindparam("snapshot", type_=sa.JSON()))
    )
    for rows in _batches(table, "visibility_mode", "visibility_countries", "visibility_group_id"):
        values = [
            {
                "version_id": row.id,
                "snapshot": {
                    "mode": row.visibility_mode,
                    "countries": [c for c in (row.visibility_countries or "").split(",") if c],
                    "group": str(row.visibility_group_id) if row.visibility_group_id else None,
                },
            }
            for row in rows
        ]
        op.get_bind().execute(update, values)
    with op.batch_alter_table("record_versions") as batch:
        batch.alter_column("visibility", existing_type=sa.JSON(), nullable=False)
        batch.drop_column("visibility_group_id")
        batch.drop_column("visibility_countries")
        batch.drop_column("visibility_mode")
