"""Long work from the console: a manifest screened in batch and a file of records
imported, each as a job whose progress the page shows and whose result (the screening
report, the records) is the same as the command line's."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.core.jobs import Job, JobRegistry
from interlink.members.models import User
from tests.web.test_pages import _signin

Auth = Callable[[User], dict[str, str]]
PERSON = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09",
          "visibility": {"mode": "all_members"}}  # fmt: skip
MANIFEST = (
    "id,name,date_of_birth,document_number\n"
    "T1,Jean Dupont,1971-03-09,\n"
    "T2,Ottoline Zwanenburg,1990-05-05,\n"
    "T3,,,\n"
)


def _post_file(client: TestClient, path: str, field: str, name: str, data: bytes,
               **fields: str) -> Any:  # fmt: skip
    form = {"csrf_token": client.cookies.get("interlink_csrf") or "", **fields}
    return client.post(path, data=form, files={field: (name, data)}, follow_redirects=False)


def _finish(client: TestClient, response: Any) -> str:
    assert response.status_code == 303, response.text
    job_id = response.headers["location"].rsplit("/", 1)[1]
    registry: JobRegistry = client.app.state.jobs  # type: ignore[attr-defined]
    registry.wait(job_id)
    return job_id


def test_a_manifest_is_screened_with_progress_and_a_report(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    france, germany = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    record = client.post("/api/v1/records/persons", json=PERSON, headers=auth(france)).json()
    _signin(client, germany)
    assert client.get("/screen/batch").status_code == 200
    bad = _post_file(client, "/screen/batch", "manifest", "m.csv", b"passenger,seat\nA,1\n")
    assert bad.status_code == 422 and 'id="manifest-error"' in bad.text
    assert "unknown: passenger, seat" in bad.text
    binary = _post_file(client, "/screen/batch", "manifest", "m.csv", b"\xff\xfe\x00n")
    assert binary.status_code == 422 and "not UTF-8" in binary.text
    no_csrf = client.post("/screen/batch", files={"manifest": ("m.csv", MANIFEST.encode())})
    assert no_csrf.status_code == 403

    job_id = _finish(client, _post_file(client, "/screen/batch", "manifest", "flight LH123.csv",
                                        MANIFEST.encode()))  # fmt: skip
    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200 and "Done" in page.text and 'value="100"' in page.text
    assert re.search(r"screened: <strong>2</strong>", page.text)
    assert re.search(r"hits: <strong>1</strong>", page.text)
    assert re.search(r"bad: <strong>1</strong>", page.text)
    fragment = client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="job"') and "hx-trigger" not in fragment.text

    report = client.get(f"/jobs/{job_id}/report")
    assert report.status_code == 200
    assert "flight LH123-report.csv" in report.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(report.text)))
    (found,) = [row for row in rows if row["id"] == "T1" and row["hit"] == "true"]
    assert found["record_id"] == record["id"] and found["owner"] == "FR"
    assert {row["id"] for row in rows} == {"T1", "T2"}  # the bad row is not screened
    hits = client.get("/api/v1/hits", headers=auth(germany)).json()["items"]
    assert [hit["record_id"] for hit in hits] == [record["id"]]  # the owner is told

    client.cookies.clear()
    _signin(client, make_user(Role.OFFICER, "IT"))
    assert client.get(f"/jobs/{job_id}").status_code == 404  # another's job
    assert client.get(f"/jobs/{job_id}/report").status_code == 404


def test_a_file_is_imported_into_the_bureaus_databases(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    germany, operator = make_user(Role.OFFICER, "DE"), make_user(Role.OPERATOR, "SEC")
    _signin(client, operator)
    assert client.get("/records/import").status_code == 403  # no bureau's databases
    client.cookies.clear()
    _signin(client, germany)
    data = b"id,plate,vin,make\nc1,B-XY-123,,Audi\nc2,M-AB-987,,BMW\nc3,,,\n"
    no_kind = _post_file(client, "/records/import", "file", "cars.csv", data)
    assert no_kind.status_code == 422 and 'id="kind-error"' in no_kind.text
    stranger = _post_file(client, "/records/import", "file", "cars.csv", data, kind="vehicles",
                          visibility_mode="only", visibility_countries="ZZ")  # fmt: skip
    assert stranger.status_code == 422 and 'id="visibility-error"' in stranger.text
    listed = client.get("/api/v1/records/vehicles", headers=auth(germany)).json()
    assert listed["total"] == 0  # nothing written by a refused upload

    shared = {"kind": "vehicles", "visibility_mode": "all_members"}
    no_ids = _post_file(client, "/records/import", "file", "cars.csv", b"plate\nB-1\n", **shared)
    failed = client.get(f"/jobs/{_finish(client, no_ids)}")
    assert "Failed" in failed.text and "needs an &#39;id&#39; column" in failed.text
    job_id = _finish(
        client, _post_file(client, "/records/import", "file", "cars.csv", data, **shared)
    )
    page = client.get(f"/jobs/{job_id}")
    assert "Done" in page.text and re.search(r"created: <strong>2</strong>", page.text)
    assert re.search(r"bad: <strong>1</strong>", page.text) and "line 4" in page.text
    listed = client.get("/api/v1/records/vehicles", headers=auth(germany)).json()
    assert sorted(item["plate"] for item in listed["items"]) == ["B-XY-123", "M-AB-987"]
    assert {item["owner"] for item in listed["items"]} == {"DE"}


def test_uploads_are_refused_whole_and_leave_nothing_behind(
    client: TestClient, make_user: Callable[..., User], auth: Auth, session: Session,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the upload is kept
    germany = make_user(Role.OFFICER, "DE")
    _signin(client, germany)
    # Not UTF-8 JSON: the format cannot be told, said on its field; no file left.
    odd = _post_file(client, "/records/import", "file", "x.json", b'{"a": "\xff"}\n')
    if odd.status_code == 303:  # read as a STIX bundle, which the job then refuses
        failed = client.get(f"/jobs/{_finish(client, odd)}")
        assert "Failed" in failed.text
    else:
        assert odd.status_code == 422
    assert list(tmp_path.iterdir()) == []
    # A long name in any script is a name, not a path.
    name = "é" * 190 + ".csv"
    data = b"id,plate\nc1,B-XY-123\n"
    job = _finish(client, _post_file(client, "/records/import", "file", name, data,
                                     kind="vehicles"))  # fmt: skip
    assert "Done" in client.get(f"/jobs/{job}").text and list(tmp_path.iterdir()) == []
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "record.import").order_by(
            AuditEntry.seq.desc())
    ).first()  # fmt: skip
    assert entry is not None and entry.object_id == "é" * 59 + "….csv"  # as named, shortened
    assert (entry.actor, entry.bureau, entry.actor_id) == (germany.username, "DE", str(germany.id))
    # One job at a time for each user.
    registry: JobRegistry = client.app.state.jobs  # type: ignore[attr-defined]
    registry.start(
        Job(title="Screening big.csv", owner=germany.username), lambda job: time.sleep(1)
    )
    busy = _post_file(client, "/screen/batch", "manifest", "m.csv", MANIFEST.encode())
    assert busy.status_code == 409 and "still running" in busy.text
    registry.wait(registry.running(germany.username).id)  # type: ignore[union-attr]


def test_a_pfif_file_in_an_encoding_refused_is_refused_on_its_field(
    client: TestClient, make_user: Callable[..., User], auth: Auth,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    germany = make_user(Role.OFFICER, "DE")
    _signin(client, germany)
    data = (
        "<?xml version='1.0' encoding='UTF-7'?><pfif:pfif xmlns:pfif='http://zesty.ca/pfif/1.4'>"
        "<pfif:person><pfif:person_record_id>x.example/1</pfif:person_record_id>"
        "<pfif:full_name>Zoe Adler</pfif:full_name></pfif:person></pfif:pfif>"
    ).encode("utf-7")
    refused = _post_file(client, "/records/import", "file", "found.xml", data,
                         visibility_mode="all_members")  # fmt: skip
    assert refused.status_code == 422, refused.text
    assert 'id="file-error"' in refused.text and "UTF-7" in refused.text
    assert list(tmp_path.iterdir()) == []
    listed = client.get("/api/v1/records/missing-persons", headers=auth(germany)).json()
    assert listed["total"] == 0


def test_the_batch_report_neutralises_cells_a_spreadsheet_would_run(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    france, germany = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    body = {**PERSON, "source_id": "+cmd|' /C calc'!A0"}
    client.post("/api/v1/records/persons", json=body, headers=auth(france)).raise_for_status()
    _signin(client, germany)
    manifest = b"id,name,date_of_birth\n=1+1,Jean Dupont,1971-03-09\n"
    job_id = _finish(client, _post_file(client, "/screen/batch", "manifest", "m.csv", manifest))
    rows = list(csv.DictReader(io.StringIO(client.get(f"/jobs/{job_id}/report").text)))
    assert [(row["id"], row["source_id"]) for row in rows] == [("'=1+1", "'+cmd|' /C calc'!A0")]
