"""Data migrations: existing records get what later revisions compute."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from interlink.core.db import make_engine, migrate
from interlink.core.types import UTCDateTime
from interlink.members.service import ensure_network
from tests.conftest import bureau


def test_vehicles_recorded_before_0004_are_found_by_plate(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        migrate(engine, "0003")
        with Session(engine) as session:
            ensure_network(session)
            owner = bureau(session, "FR").id
            session.commit()
        records = sa.table("records", *[sa.column(name, type_) for name, type_ in _COLUMNS])
        now = datetime.now(UTC)
        rows = [
            ("AB-123 CD", "1M8GDM9AXKP042788"),  # VIN and plate: the plate becomes second key
            ("XY 999 ZZ", None),  # plate only: it is the lookup key already
        ]
        with engine.begin() as connection:
            for plate, vin in rows:
                data = {"plate": plate, **({"vin": vin} if vin else {})}
                connection.execute(
                    records.insert().values(
                        id=uuid.uuid4(),
                        kind="vehicles",
                        version=1,
                        data=data,
                        title="vehicle",
                        search_text="",
                        lookup_key=vin or plate.replace(" ", "").replace("-", ""),
                        fingerprint="",
                        created_at=now,
                        created_by="test",
                        updated_at=now,
                        updated_by="test",
                        visibility_mode="all_members",
                        owner_bureau_id=owner,
                    )
                )
        migrate(engine)
        with engine.connect() as connection:
            found = dict(
                connection.execute(sa.text("SELECT lookup_key, second_key FROM records")).all()
            )
        assert found == {"1M8GDM9AXKP042788": "AB123CD", "XY999ZZ": None}
    finally:
        engine.dispose()


_COLUMNS = [
    ("id", sa.Uuid()),
    ("kind", sa.String()),
    ("version", sa.Integer()),
    ("data", sa.JSON()),
    ("title", sa.String()),
    ("search_text", sa.Text()),
    ("lookup_key", sa.String()),
    ("fingerprint", sa.String()),
    ("created_at", UTCDateTime()),
    ("created_by", sa.String()),
    ("updated_at", UTCDateTime()),
    ("updated_by", sa.String()),
    ("visibility_mode", sa.String()),
    ("owner_bureau_id", sa.Uuid()),
]


def test_versions_recorded_before_0015_keep_their_own_visibility(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    try:
        migrate(engine, "0014")
        with Session(engine) as session:
            ensure_network(session)
            owner = bureau(session, "FR").id
            session.commit()
        records = sa.table("records", *[sa.column(name, type_) for name, type_ in _COLUMNS])
        versions = sa.table(
            "record_versions",
            *[sa.column(name, type_) for name, type_ in _VERSION_COLUMNS],
        )
        record_id, group, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
        before = [
            {"mode": "owner_only", "countries": [], "group": None},
            {"mode": "only", "countries": ["DE", "IT"], "group": None},
            {"mode": "group", "countries": [], "group": str(group)},
            {"mode": "all_members", "countries": [], "group": None},
        ]
        with engine.begin() as connection:
            connection.execute(
                records.insert().values(
                    id=record_id, kind="vehicles", version=5, data={"plate": "AB123CD"},
                    title="vehicle", search_text="", lookup_key="AB123CD", fingerprint="",
                    created_at=now, created_by="test", updated_at=now, updated_by="test",
                    visibility_mode="all_members", owner_bureau_id=owner,
                )
            )  # fmt: skip
            for number, visibility in enumerate(before, start=1):
                connection.execute(
                    versions.insert().values(
                        record_id=record_id, version=number, data={"plate": "AB123CD"},
                        visibility=visibility, changed_at=now, changed_by="test",
                    )
                )  # fmt: skip
        migrate(engine)
        with engine.connect() as connection:
            found = connection.execute(
                sa.text(
                    "SELECT visibility_mode, visibility_countries, visibility_group_id "
                    "FROM record_versions ORDER BY version"
                )
            ).all()
        assert [(mode, countries) for mode, countries, _ in found] == [
            ("owner_only", None),
            ("only", ",DE,IT,"),
            ("group", None),
            ("all_members", None),
        ]
        assert uuid.UUID(str(found[2][2])) == group
        assert [row[2] for row in found if row[0] != "group"] == [None, None, None]
    finally:
        engine.dispose()


_VERSION_COLUMNS = [
    ("record_id", sa.Uuid()),
    ("version", sa.Integer()),
    ("data", sa.JSON()),
    ("visibility", sa.JSON()),
    ("changed_at", UTCDateTime()),
    ("changed_by", sa.String()),
]
