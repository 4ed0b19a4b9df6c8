"""interlink screen MANIFEST.csv --out REPORT.csv --as USER."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from interlink.access import Visibility, VisibilityMode
from interlink.audit.models import AuditEntry
from interlink.cli import app as cli
from interlink.core.db import make_engine, make_session_factory
from interlink.hits.models import Hit
from interlink.interop.base import ParsedItem
from interlink.members.models import User
from interlink.records.importer import import_items
from interlink.screening import batch
from tests.conftest import bureau

runner = CliRunner()


def _seed(url: str) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        session.add(
            User(
                username="de.gates",
                password_hash="x",
                role="officer",
                bureau_id=bureau(session, "DE").id,
            )
        )
        items = [
            ParsedItem(
                1,
                "persons",
                "P1",
                {"given_name": "Anna", "family_name": "Eriksson", "date_of_birth": "1974-08-12"},
            ),
            ParsedItem(
                2,
                "travel-documents",
                "D1",
                {
                    "number": "L898902C3",
                    "document_type": "passport",
                    "issuing_country": "SE",
                    "status": "stolen",
                },
            ),
        ]
        import_items(
            session,
            items,
            owner=bureau(session, "SE"),
            visibility=Visibility(mode=VisibilityMode.ALL_MEMBERS),
            actor_name="test",
            source="seed",
        )
        hidden = ParsedItem(
            3,
            "persons",
            "P2",
            {"given_name": "Anna", "family_name": "Eriksson", "date_of_birth": "1974-08-12"},
        )
        import_items(  # a namesake only France may see: never in a German report
            session,
            [hidden],
            owner=bureau(session, "SE"),
            visibility=Visibility(mode=VisibilityMode.ONLY, countries=["FR"]),
            actor_name="test",
            source="seed",
        )
        session.commit()
    engine.dispose()


def test_batch_screening_writes_a_row_per_match(fresh_database_url: str, tmp_path: Path) -> None:
    _seed(fresh_database_url)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "id,name,given_name,family_name,date_of_birth,nationality,sex,document_number,document_country\n"
        "t1,,Ana,Ericsson,1974-08-12,SE,F,,\n"
        "t2,,,,,,,L898902C3,SE\n"
        "t3,Nobody Known,,,,,,,\n"
        "t4,,,,1974-13-01,,,,\n"
        "t5,,Bo,Lindqvist,1980-01-01,SE,M,L898902C3,SE\n"
        "t6,,Bo,Lindqvist,1980-01-01,SE,M,L898902C3,FR\n"
    )
    report = tmp_path / "report.csv"
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    result = runner.invoke(
        cli, ["screen", str(manifest), "--out", str(report), "--as", "de.gates"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "5 screened, 3 with a hit, 1 bad rows" in result.output
    assert "line 5" in result.output
    rows = list(csv.DictReader(report.open()))
    assert list(rows[0]) == ["id", "hit", "record_id", "source_id", "kind", "owner", "score"]
    by_id = {row["id"]: row for row in rows}
    assert [row["source_id"] for row in rows if row["id"] == "t1"] == ["P1"]  # not P2
    # A traveller whose passport is listed as stolen: a hit on the document.
    assert [(row["kind"], row["source_id"]) for row in rows if row["id"] == "t5"] == [
        ("travel-documents", "D1")
    ]
    # The same number issued by another country: a possible match, not a hit.
    assert [(row["hit"], row["source_id"]) for row in rows if row["id"] == "t6"] == [
        ("false", "D1")
    ]
    assert (
        by_id["t1"]["hit"] == "true"
        and by_id["t1"]["source_id"] == "P1"
        and by_id["t1"]["owner"] == "SE"
    )
    assert by_id["t2"]["kind"] == "travel-documents" and by_id["t2"]["hit"] == "true"
    assert by_id["t3"] == {
        "id": "t3",
        "hit": "false",
        "record_id": "",
        "source_id": "",
        "kind": "",
        "owner": "",
        "score": "",
    }
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "manifest")
        ).one()
        assert (
            entry.actor == "de.gates"
            and entry.after["screened"] == 5
            and len(entry.after["matches"]) >= 2
        )
        # Every hit on the Swedish records is a hit for Sweden to confirm.
        hits = session.scalars(select(Hit).order_by(Hit.score)).all()
        hit_rows = [row for row in rows if row["hit"] == "true"]
        assert len(hits) == len(hit_rows) == 3
        assert {str(hit.record_id) for hit in hits} == {row["record_id"] for row in hit_rows}
        assert all(hit.screened_by == "de.gates" and hit.query for hit in hits)
    engine.dispose()


def test_bad_manifest_and_user(fresh_database_url: str, tmp_path: Path) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,shoe_size\n1,42\n")
    result = runner.invoke(
        cli, ["screen", str(manifest), "--out", str(tmp_path / "r.csv"), "--as", "x"], env=env
    )
    assert result.exit_code == 2 and "shoe_size" in result.output
    manifest.write_text("id,name\n1,Anna\n")
    result = runner.invoke(
        cli, ["screen", str(manifest), "--out", str(tmp_path / "r.csv"), "--as", "ghost"], env=env
    )
    assert result.exit_code == 2 and "--as" in result.output


def test_worker_processes_write_the_same_report(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(fresh_database_url)
    monkeypatch.setattr(batch, "CHUNK", 2)  # several chunks from a few rows
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "id,name,date_of_birth,document_number\n"
        "t1,Ana Ericsson,1974-08-12,\n"
        "t2,,,L898902C3\n"
        "t3,Nobody Known,,\n"
        "t4,,1974-13-01,\n"
        "t5,Anna Eriksson,,L898902C3\n"
    )
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    reports = []
    for workers in ("1", "2"):
        report = tmp_path / f"report-{workers}.csv"
        result = runner.invoke(
            cli,
            ["screen", str(manifest), "--out", str(report), "--as", "de.gates", "-w", workers],
            env=env,
        )
        assert result.exit_code == 0, result.output
        assert "4 screened, 3 with a hit, 1 bad rows" in result.output
        reports.append(report.read_text())
    assert reports[0] == reports[1]
    assert [line.split(",")[0] for line in reports[0].splitlines()[1:]] == [
        "t1",
        "t2",
        "t3",
        "t5",  # the person
        "t5",  # and the stolen passport
    ]
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "manifest")
        ).all()
        assert len(entries) == 6  # three chunks, two runs
    engine.dispose()


def test_each_chunks_audit_entry_counts_that_chunk_alone(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Summed over a run's audit entries, the counts are the manifest's totals (each entry
    once carried the running totals: 2, 3, 4 screened summed to 9 for 4 travellers)."""
    _seed(fresh_database_url)
    monkeypatch.setattr(batch, "CHUNK", 2)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "id,name,date_of_birth,document_number\n"
        "t1,Ana Ericsson,1974-08-12,\n"
        "t2,,,L898902C3\n"
        "t3,Nobody Known,,\n"
        "t4,,1974-13-01,\n"
        "t5,Anna Eriksson,,L898902C3\n"
        "t6,Nobody Else,,\n"
    )
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    result = runner.invoke(
        cli,
        ["screen", str(manifest), "--out", str(tmp_path / "r.csv"), "--as", "de.gates"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "5 screened, 3 with a hit, 1 bad rows" in result.output
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "manifest").order_by(AuditEntry.seq)
        ).all()
    engine.dispose()
    assert [(e.after["screened"], e.after["hits"], e.after["bad"]) for e in entries] == [
        (2, 2, 0),  # t1, t2
        (1, 0, 1),  # t3; t4 has nothing to screen
        (2, 1, 0),  # t5, t6
    ]
    totals = {name: sum(e.after[name] for e in entries) for name in ("screened", "hits", "bad")}
    assert totals == {"screened": 5, "hits": 3, "bad": 1}
    assert (
        sum(len(e.after["matches"]) for e in entries)
        == len(list(csv.DictReader((tmp_path / "r.csv").open()))) - 2
    )  # the report's rows without a match (t3, t6) carry none


def test_the_report_neutralises_cells_a_spreadsheet_would_run(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """The traveller's id comes from the manifest, the source id from another bureau:
    neither may run as a formula in the spreadsheet that opens the report."""
    _seed(fresh_database_url)
    engine = make_engine(fresh_database_url)
    with make_session_factory(engine)() as session:
        hostile = ParsedItem(
            1,
            "travel-documents",
            '=HYPERLINK("http://evil.example","x")',
            {"number": "ZX1234567", "document_type": "passport", "issuing_country": "SE",
             "status": "stolen"},
        )  # fmt: skip
        import_items(
            session,
            [hostile],
            owner=bureau(session, "SE"),
            visibility=Visibility(mode=VisibilityMode.ALL_MEMBERS),
            actor_name="test",
            source="seed",
        )
        session.commit()
    engine.dispose()
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("id,document_number,document_country\n@SUM(1+1)*cmd,ZX1234567,SE\n")
    report = tmp_path / "report.csv"
    result = runner.invoke(
        cli,
        ["screen", str(manifest), "--out", str(report), "--as", "de.gates"],
        env={"INTERLINK_DATABASE_URL": fresh_database_url},
    )
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(report.open())
    assert row["id"] == "'@SUM(1+1)*cmd"
    assert row["source_id"] == '\'=HYPERLINK("http://evil.example","x")'
