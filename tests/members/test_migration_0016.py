"""Migration 0016 on a database with groups, shared records and API keys made before it:
each group gets its creator (from the audit trail) as owner and admin, or its first
member when the creator has gone; members, and records shared with groups, survive the
rebuild of the groups' table (on SQLite, where it is rebuilt); keys are screening keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from interlink.access import Actor, Role
from interlink.audit import AuditAction, record
from interlink.core.db import make_engine, migrate
from interlink.members.service import ensure_network
from tests.conftest import bureau
from tests.records.test_migrations import _COLUMNS

NOW = datetime.now(UTC)
GROUPS = sa.table(
    "sharing_groups",
    sa.column("id", sa.Uuid()),
    sa.column("name"),
    sa.column("description"),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
MEMBERS = sa.table(
    "sharing_group_members", sa.column("group_id", sa.Uuid()), sa.column("country_code")
)
RECORDS = sa.table(
    "records",
    *[sa.column(name, type_) for name, type_ in _COLUMNS],
    sa.column("visibility_group_id", sa.Uuid()),
)
CLIENTS = sa.table(
    "api_clients",
    sa.column("id", sa.Uuid()),
    sa.column("name"),
    sa.column("bureau_id", sa.Uuid()),
    sa.column("key_prefix"),
    sa.column("key_hash"),
    sa.column("active", sa.Boolean()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _group(connection: Connection, name: str, members: list[str]) -> uuid.UUID:
    group = uuid.uuid4()
    connection.execute(GROUPS.insert().values(id=group, name=name, description="", created_at=NOW))
    for code in members:
        connection.execute(MEMBERS.insert().values(group_id=group, country_code=code))
    return group


def test_existing_groups_get_an_owner_and_keep_their_members_and_records(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    try:
        migrate(engine, "0014")
        with Session(engine) as session:
            ensure_network(session)
            creators = {code: bureau(session, code).id for code in ("FR", "CH")}
            session.commit()
        french = creators["FR"]
        with engine.begin() as connection:
            rhine = _group(connection, "Rhine", ["DE", "FR"])
            alps = _group(connection, "Alps", ["IT", "AT"])
            shared = uuid.uuid4()
            connection.execute(
                RECORDS.insert().values(
                    id=shared, kind="vehicles", version=1, data={"plate": "AB123CD"},
                    title="vehicle", search_text="", lookup_key="AB123CD", fingerprint="",
                    created_at=NOW, created_by="test", updated_at=NOW, updated_by="test",
                    visibility_mode="group", owner_bureau_id=french, visibility_group_id=rhine,
                )
            )  # fmt: skip
            connection.execute(
                CLIENTS.insert().values(id=uuid.uuid4(), name="gates", bureau_id=french,
                                        key_prefix="abc", key_hash="x", active=True, created_at=NOW)
            )  # fmt: skip
        with Session(engine) as session:
            for group, code in ((rhine, "FR"), (alps, "CH")):  # CH made Alps, then left it
                maker = Actor.build(id=uuid.uuid4(), name=f"{code.lower()}.officer",
                                    role=Role.OFFICER, bureau_id=creators[code],
                                    bureau_code=code, country=code)  # fmt: skip
                record(session, AuditAction.GROUP_CREATE, actor=maker,
                       object_type="sharing_group", object_id=group)  # fmt: skip
            session.commit()

        migrate(engine)
        owner = sa.table("sharing_groups", sa.column("id", sa.Uuid()), sa.column("owner_country"))
        role = sa.table(
            "sharing_group_members",
            sa.column("group_id", sa.Uuid()),
            sa.column("country_code"),
            sa.column("role"),
        )
        with engine.connect() as connection:
            owners = dict(connection.execute(sa.select(owner.c.id, owner.c.owner_country)).all())
            roles = set(connection.execute(sa.select(role.c.group_id, role.c.country_code,
                                                     role.c.role)).all())  # fmt: skip
            kept = connection.execute(
                sa.select(RECORDS.c.visibility_group_id).where(RECORDS.c.id == shared)
            ).scalar_one()
            scopes = connection.execute(sa.text("SELECT scope FROM api_clients")).scalars().all()
        assert owners == {rhine: "FR", alps: "AT"}
        assert roles == {(rhine, "DE", "member"), (rhine, "FR", "admin"),
                         (alps, "AT", "admin"), (alps, "IT", "member")}  # fmt: skip
        assert kept == rhine and scopes == ["screening"]
    finally:
        engine.dispose()
