"""Record files (photos, images) and firearm tracing requests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from interlink.access import Role
from interlink.members.models import User
from tests.records.examples import VALID

Auth = Callable[[User], dict[str, str]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "fr": make_user(Role.OFFICER, "FR"),
        "de": make_user(Role.OFFICER, "DE"),
        "at": make_user(Role.OFFICER, "AT"),
        "it": make_user(Role.OFFICER, "IT"),
        "reviewer": make_user(Role.REVIEWER, "SEC"),
    }


def test_photos_follow_their_record(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    body = {**VALID["persons"], "visibility": {"mode": "only", "countries": ["DE"]}}
    person = client.post("/api/v1/records/persons", json=body, headers=auth(people["fr"])).json()
    files = f"/api/v1/records/persons/{person['id']}/files"
    upload = client.post(
        files, files={"file": ("../../etc/face.png", PNG, "text/plain")}, headers=auth(people["fr"])
    )
    assert upload.status_code == 201, upload.text
    stored = upload.json()
    assert stored["content_type"] == "image/png"  # sniffed, not the client's word
    assert stored["filename"] == "face.png"  # no path kept
    assert len(stored["sha256"]) == 64
    got = client.get(f"{files}/{stored['id']}", headers=auth(people["de"]))
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    # Invisible record, invisible files; readers cannot attach.
    assert client.get(f"{files}/{stored['id']}", headers=auth(people["it"])).status_code == 404
    assert client.get(files, headers=auth(people["it"])).status_code == 404
    denied = client.post(files, files={"file": ("x.png", PNG)}, headers=auth(people["de"]))
    assert denied.status_code == 404
    listed = client.get(files, headers=auth(people["de"])).json()["items"]
    assert [item["id"] for item in listed] == [stored["id"]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7 not an image", "only JPEG, PNG, GIF or WebP"),
        (b"", "empty"),
        (b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_files_that_are_not_images_are_refused(
    client: TestClient, people: dict[str, User], auth: Auth, content: bytes, message: str
) -> None:
    body = {**VALID["artworks"]}
    art = client.post("/api/v1/records/artworks", json=body, headers=auth(people["fr"])).json()
    response = client.post(
        f"/api/v1/records/artworks/{art['id']}/files",
        files={"file": ("x.jpg", content, "image/jpeg")},
        headers=auth(people["fr"]),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert message in response.json()["detail"]


def test_kinds_without_files(client: TestClient, people: dict[str, User], auth: Auth) -> None:
    doc = client.post(
        "/api/v1/records/travel-documents",
        json=VALID["travel-documents"],
        headers=auth(people["fr"]),
    ).json()
    response = client.post(
        f"/api/v1/records/travel-documents/{doc['id']}/files",
        files={"file": ("x.png", PNG)},
        headers=auth(people["fr"]),
    )
    assert response.status_code == 404


def test_tracing_request_goes_to_the_country_of_manufacture(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    body = {**VALID["firearms"], "visibility": {"mode": "only", "countries": ["DE"]}}
    gun = client.post("/api/v1/records/firearms", json=body, headers=auth(people["fr"])).json()
    path = f"/api/v1/records/firearms/{gun['id']}/traces"
    question = {"question": "To whom was this pistol first sold?"}
    # The requester must see the firearm; the country asked need not.
    assert client.post(path, json=question, headers=auth(people["it"])).status_code == 404
    sent = client.post(path, json=question, headers=auth(people["de"]))
    assert sent.status_code == 201, sent.text
    trace = sent.json()
    assert (trace["addressed_country"], trace["requesting_bureau"], trace["status"]) == (
        "AT",
        "DE",
        "open",
    )
    assert trace["firearm"]["serial_number"] == "ABC-1234"
    received = client.get(
        "/api/v1/traces", params={"direction": "received"}, headers=auth(people["at"])
    )
    assert [t["id"] for t in received.json()["items"]] == [trace["id"]]
    assert (
        client.get(f"/api/v1/traces/{trace['id']}", headers=auth(people["it"])).status_code == 404
    )
    # Only Austria answers, once.
    answer = {"answer": "Sold to a dealer in Graz in 2011"}
    assert (
        client.post(
            f"/api/v1/traces/{trace['id']}/answer", json=answer, headers=auth(people["de"])
        ).status_code
        == 403
    )
    done = client.post(
        f"/api/v1/traces/{trace['id']}/answer", json=answer, headers=auth(people["at"])
    )
    assert done.status_code == 200 and done.json()["status"] == "answered"
    again = client.post(
        f"/api/v1/traces/{trace['id']}/answer", json=answer, headers=auth(people["at"])
    )
    assert again.status_code == 409
    seen = client.get(f"/api/v1/traces/{trace['id']}", headers=auth(people["de"])).json()
    assert seen["answer"] == answer["answer"] and seen["answered_by"] == people["at"].username
    assert client.get("/api/v1/traces", headers=auth(people["reviewer"])).json()["items"]


def test_tracing_needs_a_country_of_manufacture(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    body = {**VALID["firearms"], "country_of_manufacture": None}
    gun = client.post("/api/v1/records/firearms", json=body, headers=auth(people["fr"])).json()
    response = client.post(
        f"/api/v1/records/firearms/{gun['id']}/traces",
        json={"question": "Where from?"},
        headers=auth(people["fr"]),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "country_of_manufacture"
