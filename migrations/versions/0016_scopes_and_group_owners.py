"""API client scopes; sharing groups with an owner, admins and pending additions

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-08 04:00:00

- ``api_clients.scope``: every key made so far was a border system's (``screening``).
- ``sharing_groups.owner_country``: the bureau of the ``group.create`` audit entry when
  it is still a member, else the group's first member (by country code); it becomes the
  group's admin (``sharing_group_members.role``), every other member a plain member.
  Names become unique per owner (``uq_sharing_groups_owner_name``), not across the network.
- ``sharing_group_additions`` and ``sharing_group_consents``: countries waiting to join.

SQLite cannot drop the old unique constraint on the name without rebuilding the table,
and rebuilding a table that others reference, with foreign keys enforced (they are, on
every connection), would delete its members (``ON DELETE CASCADE``) and fail on the
records shared with a group. So the references are set aside first and put back after.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

import interlink.core.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_SHARED = ("records", "notices", "hits", "messages", "operations", "incidents")
"""The tables whose rows may name a sharing group (``visibility_group_id``)."""


def _rebuilding_groups(rebuild: Callable[[], None]) -> None:
    """Run ``rebuild`` (a batch alteration of ``sharing_groups``); on SQLite, with the
    rows that reference a group set aside meanwhile."""
    if op.get_bind().dialect.name != "sqlite":
        rebuild()
        return
    op.execute("CREATE TEMP TABLE _keep_members AS SELECT * FROM sharing_group_members")
    op.execute("DELETE FROM sharing_group_members")
    for name in _SHARED:
        op.execute(
            f"CREATE TEMP TABLE _keep_{name} AS SELECT id, visibility_group_id FROM {name} "
            "WHERE visibility_group_id IS NOT NULL"
        )
        op.execute(f"UPDATE {name} SET visibility_group_id = NULL WHERE id IN "
                   f"(SELECT id FROM _keep_{name})")  # fmt: skip
    rebuild()
    op.execute("INSERT INTO sharing_group_members SELECT * FROM _keep_members")
    op.execute("DROP TABLE _keep_members")
    for name in _SHARED:
        op.execute(
            f"UPDATE {name} SET visibility_group_id = (SELECT k.visibility_group_id FROM "
            f"_keep_{name} k WHERE k.id = {name}.id) WHERE id IN (SELECT id FROM _keep_{name})"
        )
        op.execute(f"DROP TABLE _keep_{name}")


def _owners() -> dict[object, str]:
    """Each existing group's owner: its creator (the audit trail's ``group.create``) when
    still a member, else its first member."""
    bind = op.get_bind()
    groups = sa.table("sharing_groups", sa.column("id", sa.Uuid()))
    members = sa.table(
        "sharing_group_members", sa.column("group_id", sa.Uuid()), sa.column("country_code")
    )
    audit = sa.table(
        "audit_entries",
        sa.column("seq"),
        sa.column("action"),
        sa.column("object_type"),
        sa.column("object_id"),
        sa.column("bureau"),
    )
    bureaus = sa.table("bureaus", sa.column("code"), sa.column("country_code"))
    countries_of: dict[object, list[str]] = {}
    for group_id, code in bind.execute(sa.select(members.c.group_id, members.c.country_code)):
        countries_of.setdefault(group_id, []).append(code)
    country_of_bureau = {
        code: country
        for code, country in bind.execute(sa.select(bureaus.c.code, bureaus.c.country_code))
    }
    creators: dict[str, str] = {}
    created = (
        sa.select(audit.c.object_id, audit.c.bureau)
        .where(audit.c.action == "group.create", audit.c.object_type == "sharing_group")
        .order_by(audit.c.seq)
    )
    for object_id, bureau in bind.execute(created):
        creators.setdefault(str(object_id), country_of_bureau.get(bureau) or "")
    owners = {}
    for (group_id,) in bind.execute(sa.select(groups.c.id)):
        present = sorted(countries_of.get(group_id, []))
        creator = creators.get(str(group_id), "")
        if creator in present:
            owners[group_id] = creator
        elif present:
            owners[group_id] = present[0]
    return owners


def upgrade() -> None:
    with op.batch_alter_table("api_clients") as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=16), server_default="screening", nullable=False)
        )
    with op.batch_alter_table("sharing_group_members") as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=8), server_default="member", nullable=False)
        )
    with op.batch_alter_table("sharing_groups") as batch_op:
        batch_op.add_column(sa.Column("owner_country", sa.String(length=2), nullable=True))

    groups = sa.table(
        "sharing_groups", sa.column("id", sa.Uuid()), sa.column("owner_country", sa.String())
    )
    members = sa.table(
        "sharing_group_members",
        sa.column("group_id", sa.Uuid()),
        sa.column("country_code", sa.String()),
        sa.column("role", sa.String()),
    )
    owners = _owners()
    for group_id, country in owners.items():
        op.execute(groups.update().where(groups.c.id == group_id).values(owner_country=country))
        op.execute(
            members.update()
            .where(members.c.group_id == group_id, members.c.country_code == country)
            .values(role="admin")
        )
    # A group without members (only a hand-edited database has one) has no one to own it:
    # what was shared with it was its owners' alone anyway, and stays so; the group goes.
    orphans = "SELECT id FROM sharing_groups WHERE owner_country IS NULL"
    for name in _SHARED:
        op.execute(
            f"UPDATE {name} SET visibility_mode = 'owner_only', visibility_group_id = NULL "
            f"WHERE visibility_group_id IN ({orphans})"
        )
    op.execute(groups.delete().where(groups.c.owner_country.is_(None)))

    def rebuild() -> None:
        with op.batch_alter_table("sharing_groups") as batch_op:
            batch_op.alter_column("owner_country", existing_type=sa.String(2), nullable=False)
            batch_op.drop_constraint("uq_sharing_groups_name", type_="unique")
            batch_op.create_unique_constraint(
                "uq_sharing_groups_owner_name", ["owner_country", "name"]
            )
            batch_op.create_foreign_key(
                batch_op.f("fk_sharing_groups_owner_country_countries"),
                "countries",
                ["owner_country"],
                ["code"],
            )

    _rebuilding_groups(rebuild)

    op.create_table(
        "sharing_group_additions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_bureau", sa.String(length=8), nullable=False),
        sa.Column(
            "requested_at", interlink.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["countries.code"],
            name=op.f("fk_sharing_group_additions_country_code_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["sharing_groups.id"],
            name=op.f("fk_sharing_group_additions_group_id_sharing_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_group_additions")),
        sa.UniqueConstraint("group_id", "country_code", name="uq_sharing_group_additions_country"),
    )
    op.create_index(
        op.f("ix_sharing_group_additions_group_id"), "sharing_group_additions", ["group_id"]
    )
    op.create_table(
        "sharing_group_consents",
        sa.Column("addition_id", sa.Uuid(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_at", interlink.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["addition_id"],
            ["sharing_group_additions.id"],
            name=op.f("fk_sharing_group_consents_addition_id_sharing_group_additions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["countries.code"],
            name=op.f("fk_sharing_group_consents_country_code_countries"),
        ),
        sa.PrimaryKeyConstraint(
            "addition_id", "country_code", name=op.f("pk_sharing_group_consents")
        ),
    )
    op.create_index(
        op.f("ix_sharing_group_consents_country_code"), "sharing_group_consents", ["country_code"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sharing_group_consents_country_code"), "sharing_group_consents")
    op.drop_table("sharing_group_consents")
    op.drop_index(op.f("ix_sharing_group_additions_group_id"), "sharing_group_additions")
    op.drop_table("sharing_group_additions")

    def rebuild() -> None:
        # Two owners' groups of one name cannot both keep it under the old rule.
        with op.batch_alter_table("sharing_groups") as batch_op:
            batch_op.drop_constraint(
                batch_op.f("fk_sharing_groups_owner_country_countries"), type_="foreignkey"
            )
            batch_op.drop_constraint("uq_sharing_groups_owner_name", type_="unique")
            batch_op.drop_column("owner_country")
            batch_op.create_unique_constraint("uq_sharing_groups_name", ["name"])

    _rebuilding_groups(rebuild)
    with op.batch_alter_table("sharing_group_members") as batch_op:
        batch_op.drop_column("role")
    with op.batch_alter_table("api_clients") as batch_op:
        batch_op.drop_column("scope")
