"""Import in every format through the CLI (format guessed from the file), idempotently,
and export over the API in every format, validated by each format's own library."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import stix2
from fastapi.testclient import TestClient
from followthemoney import model
from sqlalchemy import func, select
from typer.testing import CliRunner

from interlink.access import Role
from interlink.cli import app as cli
from interlink.core.db import make_engine, make_session_factory
from interlink.interop import pfif
from interlink.members.models import User
from interlink.records.models import Record
from tests.records.examples import VALID

DATA = Path(__file__).parents[1] / "interop" / "data"
runner = CliRunner()
Auth = Callable[[User], dict[str, str]]


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        rows = session.execute(select(Record.kind, func.count()).group_by(Record.kind)).all()
    engine.dispose()
    return {kind: count for kind, count in rows}


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("ftm_sample.jsonl", {"persons", "vehicles", "assets", "indicators"}),
        ("indicators.stix.json", {"indicators"}),
        ("missing.pfif.xml", {"missing-persons"}),
    ],
)
def test_import_guesses_the_format_and_is_idempotent(
    fresh_database_url: str, tmp_path: Path, sample: str, expected: set[str]
) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    path = tmp_path / sample
    shutil.copy(DATA / sample, path)
    args = ["import", str(path), "--owner", "NL", "--visibility", "all_members"]
    first = runner.invoke(cli, args, env=env)
    assert first.exit_code == 0, first.output
    counts = _counts(fresh_database_url)
    assert expected <= set(counts), (counts, first.output)
    again = runner.invoke(cli, args, env=env)
    assert again.exit_code == 0
    assert re.search(r"^0 created, 0 updated, ", again.output, re.MULTILINE), again.output
    assert _counts(fresh_database_url) == counts


def test_ftm_bad_lines_are_reported_with_their_numbers(
    fresh_database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "sample.ftm.json"
    shutil.copy(DATA / "ftm_sample.jsonl", path)
    result = runner.invoke(
        cli,
        ["import", str(path), "--owner", "NL"],
        env={"INTERLINK_DATABASE_URL": fresh_database_url},
    )
    assert "line 10" in result.output and "not valid JSON" in result.output
    assert "line 11, schema:" in result.output
    assert "status" in result.output  # the passport whose status FtM cannot say


def test_unknown_format_is_named(fresh_database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "records.txt"
    path.write_text("hello\n")
    result = runner.invoke(
        cli,
        ["import", str(path), "--owner", "NL"],
        env={"INTERLINK_DATABASE_URL": fresh_database_url},
    )
    assert result.exit_code == 2 and "--format" in result.output


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {cc: make_user(Role.OFFICER, cc) for cc in ("FR", "DE", "IT")}


def _post(client: TestClient, kind: str, who: User, auth: Auth, body: dict[str, object]) -> None:
    response = client.post(f"/api/v1/records/{kind}", json=body, headers=auth(who))
    assert response.status_code == 201, response.text


def test_export_respects_visibility_in_every_format(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    only_de = {"mode": "only", "countries": ["DE"]}
    _post(client, "persons", people["FR"], auth, {**VALID["persons"], "visibility": only_de})
    _post(
        client,
        "persons",
        people["FR"],
        auth,
        {"full_name": "Open Person", "visibility": {"mode": "all_members"}},
    )
    for who, names in (("DE", {"Jean-Pierre Dupont", "Open Person"}), ("IT", {"Open Person"})):
        response = client.get(
            "/api/v1/records/persons/export", params={"format": "ftm"}, headers=auth(people[who])
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/x-ndjson")
        entities = [json.loads(line) for line in response.text.splitlines() if line]
        for entity in entities:
            proxy = model.get_proxy(entity)
            assert proxy.schema.validate(entity) is None
        assert {e["properties"]["name"][0] for e in entities} == names

    csv_export = client.get("/api/v1/records/persons/export", headers=auth(people["IT"]))
    assert csv_export.status_code == 200 and "Open Person" in csv_export.text
    assert "Dupont" not in csv_export.text


def test_stix_and_pfif_exports_parse_with_their_libraries(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    _post(client, "indicators", people["FR"], auth, VALID["indicators"])
    _post(client, "missing-persons", people["FR"], auth, VALID["missing-persons"])
    stix = client.get(
        "/api/v1/records/indicators/export", params={"format": "stix"}, headers=auth(people["FR"])
    )
    assert stix.status_code == 200
    bundle = stix2.parse(stix.text, allow_custom=True)
    assert [o.pattern for o in bundle.objects if o.type == "indicator"] == [
        "[domain-name:value = 'phish-bank.example.com']"
    ]
    xml = client.get(
        "/api/v1/records/missing-persons/export",
        params={"format": "pfif"},
        headers=auth(people["FR"]),
    )
    assert xml.status_code == 200
    persons = list(pfif.read(io.BytesIO(xml.content), "missing-persons"))
    assert [p.data["family_name"] for p in persons] == ["Kowalska"]


def test_export_refuses_a_format_that_cannot_carry_the_kind(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    response = client.get(
        "/api/v1/records/artworks/export", params={"format": "stix"}, headers=auth(people["FR"])
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "format"
    unknown = client.get(
        "/api/v1/records/artworks/export", params={"format": "xls"}, headers=auth(people["FR"])
    )
    assert unknown.status_code == 422 and "unknown format" in unknown.json()["detail"]


def test_an_encoding_refused_is_named_with_the_file(
    fresh_database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "found.xml"
    document = (
        "<?xml version='1.0' encoding='UTF-7'?><pfif:pfif xmlns:pfif='http://zesty.ca/pfif/1.4'>"
        "<pfif:person><pfif:full_name>Zoe Adler</pfif:full_name></pfif:person></pfif:pfif>"
    )
    path.write_bytes(document.encode("utf-7"))  # once a traceback out of the XML parser
    result = runner.invoke(
        cli,
        ["import", str(path), "--owner", "NL"],
        env={"INTERLINK_DATABASE_URL": fresh_database_url},
    )
    assert result.exit_code == 2, result.output
    assert "found.xml" in result.output and "UTF-7" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _counts(fresh_database_url) == {}
