"""``interlink doctor`` finds the rows whose stored JSON is damaged (planted directly in
the database: the API refuses to store them), names each, and exits 1; a clean database
exits 0. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from interlink.cli import app as cli
from interlink.core.db import make_engine, make_session_factory
from interlink.hits.models import Hit
from interlink.records.models import Record
from tests.conftest import bureau
from tests.damaged import NOT_JSON, nested, plant

runner = CliRunner()
QUERY = {"person": {"name": "Jean Dupont"}}


@pytest.fixture
def database(fresh_database_url: str) -> Iterator[tuple[str, Session, Hit]]:
    engine = make_engine(fresh_database_url)
    with make_session_factory(engine)() as session:
        owner = bureau(session, "FR").id
        hit = Hit.example(
            owner_bureau_id=owner,
            query=QUERY,
            record=Record.example(owner_bureau_id=owner),
            explanation={"reported": "national copy"},
        )
        session.add(hit)
        session.commit()
        yield fresh_database_url, session, hit
    engine.dispose()


def _doctor(url: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["doctor", "--show", "50"], env={"INTERLINK_DATABASE_URL": url})
    return result.exit_code, result.output


def test_doctor_names_every_damaged_row_and_exits_1(
    database: tuple[str, Session, Hit],
) -> None:
    url, session, hit = database
    assert _doctor(url)[0] == 0
    records = Record.__table__.c
    too_many = {"plate": "AB-123-CD", "colour": "x" * 41}  # longer than a colour may be
    plant(session, Hit.__table__.c.query, hit.id, nested(200))
    plant(session, records.data, hit.record_id, json.dumps(too_many))
    planted = 2
    if session.get_bind().dialect.name == "sqlite":  # PostgreSQL refuses text that is no JSON
        plant(session, Hit.__table__.c.explanation, hit.id, NOT_JSON)
        planted += 1

    code, output = _doctor(url)
    assert code == 1, output
    assert f"{planted} damaged values" in output
    assert f"hits {hit.id} query: nested deeper than 32 levels" in output
    assert f"records {hit.record_id} data: fails its model VehicleData: colour" in output
    if planted == 3:
        assert f"hits {hit.id} explanation: not JSON" in output

    # Mended, the database is clean again.
    plant(session, Hit.__table__.c.query, hit.id, json.dumps(QUERY))
    plant(session, records.data, hit.record_id, json.dumps({"plate": "AB-123-CD"}))
    plant(session, Hit.__table__.c.explanation, hit.id, "{}")
    code, output = _doctor(url)
    assert code == 0 and "no damaged rows" in output, output


def test_a_query_that_is_no_screening_body_fails_its_model(
    database: tuple[str, Session, Hit],
) -> None:
    url, session, hit = database
    plant(session, Hit.__table__.c.query, hit.id, json.dumps({"reported": "Jean Dupont"}))
    code, output = _doctor(url)
    assert code == 1 and "fails its model ScreenRequest" in output, output
