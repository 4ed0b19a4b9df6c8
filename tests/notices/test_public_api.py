"""The public notices API: the same paths, parameters and JSON shape as INTERPOL's (checked
against the responses recorded in ``data/public_api_sample.json``), showing only the
extracts of published notices whose owners allowed one."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlink.members.models import User
from tests.notices.conftest import Auth, Flow, make_record

SAMPLE = json.loads((Path(__file__).parent / "data" / "public_api_sample.json").read_text())
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__


def _same_shape(sample: Any, ours: Any, where: str = "") -> None:
    """Every field of the sample is in ours, with the same JSON type (recursively)."""
    if isinstance(sample, dict):
        assert isinstance(ours, dict), where
        for key, item in sample.items():
            assert key in ours, f"{where}.{key} missing"
            _same_shape(item, ours[key], f"{where}.{key}")
    elif isinstance(sample, list):
        assert isinstance(ours, list), where
        if sample and ours:
            _same_shape(sample[0], ours[0], f"{where}[0]")
    elif sample != "null" and ours != "null":
        assert sample == ours, f"{where}: {sample} vs {ours}"


@pytest.fixture
def published(
    client: TestClient, flow: Flow, people: dict[str, User], auth: Auth,
    valid: dict[str, dict[str, Any]], records: dict[str, str],
) -> dict[str, dict[str, Any]]:  # fmt: skip
    files = f"/api/v1/records/persons/{records['persons']}/files"
    photo = client.post(files, files={"file": ("face.png", PNG, "image/png")},
                        headers=auth(people["officer"]))  # fmt: skip
    assert photo.status_code == 201, photo.text
    red = copy.deepcopy(valid["red"])
    red["person"].update(
        place_of_birth="Lyon", country_of_birth="FR", height_m=1.8, weight_kg=80,
        eye_colours=["BRO"], hair_colours=["BLA"], languages=["FRE", "ENG"],
        distinguishing_marks="Scar on left cheek", sex="M", date_of_birth="1971-03-09",
    )  # fmt: skip
    other = make_record(client, "persons", people["officer"], auth, given_name="Marie",
                        family_name="Curtis", sex="F", date_of_birth="1990-06-01",
                        nationalities=["DE"])  # fmt: skip
    other_photo = client.post(f"/api/v1/records/persons/{other}/files",
                              files={"file": ("marie.png", PNG, "image/png")},
                              headers=auth(people["officer"]))  # fmt: skip
    assert other_photo.status_code == 201
    second = copy.deepcopy(valid["red"])
    second["person"] = {"record_id": other}
    second["warrant"]["issuing_country"] = "DE"
    un = copy.deepcopy(valid["un"])
    un_entity = {**valid["un"], "subject_type": "entity", "person": None,
                 "entity": {"name": "Example Trading LLC", "country": "AE"}}  # fmt: skip
    del un_entity["person"]
    return {
        "red": flow.published("red", red, public_extract=True),
        "second": flow.published("red", second, public_extract=True),
        "private": flow.published("red", valid["red"]),
        "yellow": flow.published("yellow", valid["yellow"], public_extract=True),
        "un": flow.published("un", un, public_extract=True),
        "entity": flow.published("un", un_entity, public_extract=True),
    }


def _id(notice: dict[str, Any]) -> str:
    return notice["reference"].replace("/", "-")


def test_shapes_match_the_recorded_sample(
    client: TestClient, published: dict[str, dict[str, Any]]
) -> None:
    listed = client.get("/notices/v1/red", params={"resultPerPage": 1, "page": 1})
    assert listed.status_code == 200
    body = listed.json()
    sample = copy.deepcopy(SAMPLE["list"])
    del sample["query"]["name"]  # the recorded request filtered by name; this one does not
    _same_shape(_shape(sample), _shape(body))
    assert body["total"] == 2 and set(body["_links"]) == {"self", "first", "next", "last"}
    assert body["query"] == {"page": 1, "resultPerPage": 1}
    detail = client.get(f"/notices/v1/red/{_id(published['red'])}").json()
    _same_shape(_shape(SAMPLE["detail"]), _shape(detail))
    assert detail["entity_id"] == published["red"]["reference"]
    reference = published["red"]["reference"]  # also as written in JSON, slash and all
    for path in (reference, reference.replace("/", "%2F")):
        assert client.get(f"/notices/v1/red/{path}").json() == detail
    assert (detail["forename"], detail["name"]) == ("JEAN-PIERRE", "DUPONT")
    assert detail["date_of_birth"] == "1971/03/09" and detail["sex_id"] == "M"
    assert detail["arrest_warrants"] == [
        {"issuing_country_id": "FR", "charge": "Armed robbery", "charge_translation": None}
    ]
    images = client.get(f"/notices/v1/red/{_id(published['red'])}/images").json()
    _same_shape(_shape(SAMPLE["images"]), _shape(images))
    picture = images["_embedded"]["images"][0]["_links"]["self"]["href"]
    assert detail["_links"]["thumbnail"]["href"] == picture
    got = client.get(picture)
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"


def test_only_public_extracts_of_notices_in_force(
    client: TestClient, flow: Flow, published: dict[str, dict[str, Any]]
) -> None:
    listed = {n["entity_id"] for n in client.get("/notices/v1/red").json()["_embedded"]["notices"]}
    assert listed == {published["red"]["reference"], published["second"]["reference"]}
    assert client.get(f"/notices/v1/red/{_id(published['private'])}").status_code == 404
    assert client.get(f"/notices/v1/yellow/{_id(published['red'])}").status_code == 404
    flow.must(published["second"], "cancel", "officer", cancel_reason="arrested", reason="caught")
    assert client.get(f"/notices/v1/red/{_id(published['second'])}").status_code == 404
    assert client.get("/notices/v1/red").json()["total"] == 1


def _age(born: date) -> int:
    today = date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"name": "dupont"}, {"red"}),
        ({"forename": "Marie"}, {"second"}),
        ({"nationality": "DE"}, {"second"}),
        ({"sexId": "F"}, {"second"}),
        ({"arrestWarrantCountryId": "DE"}, {"second"}),
        ({"freeText": "robbery lyon"}, {"red"}),
        ({"ageMin": _age(date(1971, 3, 9))}, {"red"}),
        ({"ageMin": _age(date(1971, 3, 9)) + 1}, set()),
        ({"ageMax": _age(date(1990, 6, 1))}, {"second"}),
        ({"ageMax": _age(date(1990, 6, 1)) - 1}, set()),
        ({"ageMin": 30, "ageMax": 90}, {"red", "second"}),
    ],
)
def test_list_parameters(
    client: TestClient, published: dict[str, dict[str, Any]],
    params: dict[str, Any], expected: set[str],
) -> None:  # fmt: skip
    response = client.get("/notices/v1/red", params=params)
    assert response.status_code == 200, response.text
    found = {n["entity_id"] for n in response.json()["_embedded"]["notices"]}
    assert found == {published[name]["reference"] for name in expected}
    assert response.json()["query"] == {"page": 1, "resultPerPage": 20, **params}


def test_pages_and_bad_parameters(client: TestClient, published: dict[str, Any]) -> None:
    second = client.get("/notices/v1/red", params={"page": 2, "resultPerPage": 1}).json()
    assert len(second["_embedded"]["notices"]) == 1
    assert set(second["_links"]) == {"self", "first", "previous", "last"}
    assert "page=2" in second["_links"]["self"]["href"]
    for params in ({"resultPerPage": 161}, {"sexId": "X"}, {"page": 0}, {"nationality": "fr"}):
        assert client.get("/notices/v1/red", params=params).status_code == 422, params


def test_yellow_and_un_collections(client: TestClient, published: dict[str, Any]) -> None:
    yellow = client.get(f"/notices/v1/yellow/{_id(published['yellow'])}").json()
    assert (yellow["date_of_event"], yellow["place"], yellow["country"]) == (
        "2026/10/01", "KRAKÓW", "PL"
    )  # fmt: skip
    assert yellow["name"] == "KOWALSKA" and "arrest_warrants" not in yellow
    persons = client.get("/notices/v1/un/persons").json()["_embedded"]["notices"]
    entities = client.get("/notices/v1/un/entities").json()["_embedded"]["notices"]
    assert [n["entity_id"] for n in persons] == [published["un"]["reference"]]
    assert [n["entity_id"] for n in entities] == [published["entity"]["reference"]]
    assert client.get("/notices/v1/un").json()["total"] == 2
    entity = client.get(f"/notices/v1/un/{_id(published['entity'])}").json()
    assert entity["name"] == "EXAMPLE TRADING LLC" and entity["un_reference"] == "QDi.999"


def test_un_notices_answer_at_the_persons_and_entities_paths(
    client: TestClient, published: dict[str, Any]
) -> None:
    person = _id(published["un"])
    listed = client.get("/notices/v1/un/persons").json()["_embedded"]["notices"][0]
    assert listed["_links"]["self"]["href"].endswith(f"/notices/v1/un/persons/{person}")
    detail = client.get(f"/notices/v1/un/persons/{person}")
    assert detail.status_code == 200 and detail.json()["entity_id"] == published["un"]["reference"]
    assert client.get(f"/notices/v1/un/persons/{person}/images").status_code == 200
    assert client.get(f"/notices/v1/un/entities/{person}").status_code == 404
    entity = _id(published["entity"])
    assert client.get(f"/notices/v1/un/entities/{entity}").json()["name"] == "EXAMPLE TRADING LLC"


def test_a_deleted_subject_takes_the_extract_down(
    client: TestClient, published: dict[str, Any], records: dict[str, str],
    people: dict[str, User], auth: Auth,
) -> None:  # fmt: skip
    path = f"/notices/v1/red/{_id(published['red'])}"
    picture = client.get(path).json()["_links"]["thumbnail"]["href"]
    record = f"/api/v1/records/persons/{records['persons']}"
    deleted = client.delete(
        record, params={"reason": "CCF decision"}, headers=auth(people["officer"])
    )
    assert deleted.status_code == 204
    assert client.get(path).status_code == 404
    assert client.get(picture).status_code == 404
    listed = client.get("/notices/v1/red").json()["_embedded"]["notices"]
    assert published["red"]["reference"] not in {n["entity_id"] for n in listed}


def _hrefs(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [h for key, item in value.items()
                for h in ([item] if key == "href" else _hrefs(item))]  # fmt: skip
    if isinstance(value, list):
        return [h for item in value for h in _hrefs(item)]
    return []


def test_links_ignore_a_hostile_host_header(client: TestClient, published: dict[str, Any]) -> None:
    hostile = {"Host": "phishing.example", "X-Forwarded-Host": "phishing.example"}
    notice = f"/notices/v1/red/{_id(published['red'])}"
    answers = [client.get(path, headers=hostile).json()
               for path in ("/notices/v1/red", notice, f"{notice}/images")]  # fmt: skip
    links = [href for answer in answers for href in _hrefs(answer)]
    assert len(links) > 8 and not any("phishing" in href for href in links)
    # Unset INTERLINK_BASE_URL: links relative to the server's root, which clients follow.
    assert all(href.startswith("/notices/v1/") for href in links), links
    assert client.get(answers[1]["_links"]["thumbnail"]["href"]).status_code == 200
    # Set: absolute, on the configured address.
    configured = client.app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"base_url": "https://interlink.example.org"}
    )
    client.app.state.settings = configured  # type: ignore[attr-defined]
    detail = client.get(notice, headers=hostile).json()
    assert detail["_links"]["self"]["href"] == f"https://interlink.example.org{notice}"
    listed = _hrefs(client.get("/notices/v1/red", headers=hostile).json())
    assert all(href.startswith("https://interlink.example.org/notices/v1/") for href in listed)
