"""Every size a caller influences is bounded (``core.limits``), and the answer past a
bound names it: a body over its route's limit is 413 before it is parsed (through the
admission gate, as servers run the app), a list, a text, a page or a file over its own is
422 (or 413) naming the field and the limit. The cases of the report: one 50 MB alias,
1.2 million aliases and a 50 MB hit query are all refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from interlink.access import Role
from interlink.app import create_app
from interlink.core import limits
from interlink.core.config import Settings
from interlink.core.gate import Gate
from interlink.matching.names import name_forms
from interlink.members.models import User
from tests.web.test_pages import _signin

Auth = Callable[[User], dict[str, str]]
MB = 1024 * 1024
PERSON: dict[str, Any] = {"full_name": "Jean Dupont", "visibility": {"mode": "all_members"}}
PURPLE = {"modus_operandi": "drugs hidden inside hollowed-out pineapples",
          "summary": "Seizures in three ports show the same method."}  # fmt: skip
UUID = "00000000-0000-0000-0000-00000000000{}"


@pytest.fixture
def gated(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """The application behind its admission gate, as ``interlink serve`` runs it."""
    app = create_app(settings, session_factory=session_factory)
    with TestClient(Gate(app), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def officer(make_user: Callable[..., User], auth: Auth) -> dict[str, str]:
    return auth(make_user(Role.OFFICER, "FR"))


@dataclass(frozen=True)
class Case:
    """A request past one limit, and what its answer must say."""

    limit: str
    method: str
    path: str
    status: int
    says: str
    json: Any = None
    content: bytes | None = None
    files: Any = None
    data: Any = None


def _person(**fields: Any) -> dict[str, Any]:
    return {**PERSON, **fields}


def _message(**fields: Any) -> dict[str, Any]:
    return {"recipients": ["DE"], "subject": "Check", "body": "Routine check.", **fields}


def _big_person() -> dict[str, Any]:
    """Every list and text within its own limit, the whole over ``RECORD_BYTES``."""
    return _person(
        aliases=[f"alias {n} " + "x" * 390 for n in range(limits.ALIASES)],
        addresses=["y" * 400] * limits.SHORT_LIST,
        identity_documents=[{"number": f"D{n:06d}" + "9" * 50} for n in range(limits.LIST_ITEMS)],
        links=[{"record_id": UUID.format(n % 10), "relation": "associate of"} for n in range(200)],
        distinguishing_marks="z" * 2000,
    )


def _multipart_message(files: int, size: int) -> Any:
    parts = [("attachments", (f"f{n}.txt", b"a" * size, "text/plain")) for n in range(files)]
    return {"files": parts, "data": {"message": json.dumps(_message())}}


CASES = [
    # Bodies, refused by the gate before anything reads them.
    Case("BODY_BYTES", "POST", "/api/v1/hits", 413, "BODY_BYTES",
         content=b'{"note": "' + b"x" * limits.BODY_BYTES + b'"}'),
    Case("STREAM_BODY_BYTES", "POST", "/api/v1/screen/stream", 413, "STREAM_BODY_BYTES",
         content=b"\n" * (limits.STREAM_BODY_BYTES + 1)),
    Case("MESSAGE_BODY_BYTES", "POST", "/api/v1/messages", 413, "MESSAGE_BODY_BYTES",
         **_multipart_message(11, limits.ATTACHMENT_BYTES)),
    Case("RECORD_FILE_BYTES (body)", "POST", "/api/v1/records/persons/{record}/files", 413,
         "RECORD_FILE_BYTES", files={"file": ("p.jpg", b"\xff\xd8\xff" + b"0" * (6 * MB))}),
    # Parts, fields and pages, refused by the application naming the field.
    Case("RECORD_FILE_BYTES", "POST", "/api/v1/records/persons/{record}/files", 422,
         "RECORD_FILE_BYTES",
         files={"file": ("p.jpg", b"\xff\xd8\xff" + b"0" * limits.RECORD_FILE_BYTES)}),
    Case("ATTACHMENT_BYTES", "POST", "/api/v1/messages", 422, "10 MB",
         **_multipart_message(1, limits.ATTACHMENT_BYTES + 1)),
    Case("ATTACHMENTS", "POST", "/api/v1/messages", 422, "at most 10 files",
         **_multipart_message(limits.ATTACHMENTS + 1, 10)),
    Case("MESSAGE_CHARS", "POST", "/api/v1/messages", 422, "100000 characters",
         json=_message(body="b" * (limits.MESSAGE_CHARS + 1))),
    Case("COUNTRIES (message)", "POST", "/api/v1/messages", 422, "250 items",
         json=_message(recipients=["DE"] * (limits.COUNTRIES + 1))),
    Case("PAGE", "GET", "/api/v1/records/persons?limit=501", 422, "500"),
    Case("PAGE (hits)", "GET", "/api/v1/hits?limit=501", 422, "500"),
    Case("ALIASES", "POST", "/api/v1/records/persons", 422, "at most 100 items",
         json=_person(aliases=["JD"] * (limits.ALIASES + 1))),
    Case("alias characters", "POST", "/api/v1/records/persons", 422, "at most 400 characters",
         json=_person(aliases=["a" * 401])),
    Case("SHORT_LIST", "POST", "/api/v1/records/persons", 422, "at most 20 items",
         json=_person(nationalities=["FR"] * (limits.SHORT_LIST + 1))),
    Case("SHORT_LIST (languages)", "POST", "/api/v1/records/persons", 422, "at most 20 items",
         json=_person(languages=["fra"] * (limits.SHORT_LIST + 1))),
    Case("LIST_ITEMS", "POST", "/api/v1/records/persons", 422, "at most 50 items",
         json=_person(identity_documents=[{"number": "X1"}] * (limits.LIST_ITEMS + 1))),
    Case("LINKS", "POST", "/api/v1/records/persons", 422, "at most 200 items",
         json=_person(links=[{"record_id": UUID.format(1)}] * (limits.LINKS + 1))),
    Case("LINKS (assets)", "POST", "/api/v1/records/assets", 422, "at most 200 items",
         json={"asset_type": "company", "name": "Acme",
               "person_ids": [UUID.format(1)] * (limits.LINKS + 1)}),
    Case("COUNTRIES", "POST", "/api/v1/records/persons", 422, "at most 250 items",
         json=_person(visibility={"mode": "only", "countries": ["DE"] * (limits.COUNTRIES + 1)})),
    Case("RECORD_BYTES", "POST", "/api/v1/records/persons", 422, "RECORD_BYTES",
         json=_big_person()),
    Case("LIST_ITEMS (notice)", "POST", "/api/v1/notices", 422, "at most 50 items",
         json={"type": "purple", "data": {**PURPLE, "objects": ["fruit"] * 51}}),
    Case("hit query", "POST", "/api/v1/hits", 422, "body.query.person.name",
         json={"record_id": UUID.format(1), "query": {"person": {"name": "x" * 401}}}),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.limit)
def test_each_limit_is_refused_naming_it(
    gated: TestClient, officer: dict[str, str], case: Case
) -> None:
    path = case.path
    if "{record}" in path:
        made = gated.post("/api/v1/records/persons", json=PERSON, headers=officer)
        path = path.format(record=made.json()["id"])
    response = gated.request(
        case.method, path, headers=officer, json=case.json, content=case.content,
        files=case.files, data=case.data,
    )  # fmt: skip
    assert response.status_code == case.status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert case.says in response.text, response.text[:500]


def test_a_record_within_every_limit_is_taken(gated: TestClient, officer: dict[str, str]) -> None:
    full = _person(
        aliases=[f"alias {n}" for n in range(limits.ALIASES)],
        nationalities=["FR", "DE"],
        identity_documents=[{"number": f"D{n:06d}"} for n in range(limits.LIST_ITEMS)],
    )
    response = gated.post("/api/v1/records/persons", json=full, headers=officer)
    assert response.status_code == 201, response.text[:500]


@pytest.mark.parametrize(
    ("what", "path", "body"),
    [
        ("one 50 MB alias", "/api/v1/records/persons", _person(aliases=["a" * 50 * MB])),
        ("1.2 million aliases", "/api/v1/records/persons", _person(aliases=["JD"] * 1_200_000)),
        ("a 50 MB hit query", "/api/v1/hits",
         {"record_id": UUID.format(1), "query": {"person": {"name": "n" * 50 * MB}}}),
    ],
)  # fmt: skip
def test_the_reported_oversized_bodies_are_refused(
    gated: TestClient, client: TestClient, officer: dict[str, str], what: str, path: str,
    body: dict[str, Any],
) -> None:  # fmt: skip
    content = json.dumps(body).encode()
    headers = {**officer, "Content-Type": "application/json"}
    # As served: 413 from the gate, the body never parsed.
    served = gated.post(path, content=content, headers=headers)
    assert served.status_code == 413 and "BODY_BYTES" in served.text, what
    # Without the gate in front, the models refuse it all the same.
    bare = client.post(path, content=content, headers=headers)
    assert bare.status_code == 422, (what, bare.text[:300])


def test_a_name_is_compared_on_its_first_parts_only() -> None:
    long_name = " ".join(f"part{n}" for n in range(40))
    assert max(len(form.tokens) for form in name_forms([long_name])) == limits.NAME_PARTS


def test_console_uploads_are_bounded(client: TestClient, make_user: Callable[..., User]) -> None:
    _signin(client, make_user(Role.OFFICER, "DE"))
    csrf = {"csrf_token": client.cookies.get("interlink_csrf") or ""}
    big = b"id,name\n" + b"T,Jean Dupont\n" * (limits.UPLOAD_BYTES // 14 + 10_000)
    too_big = client.post("/screen/batch", data=csrf, files={"manifest": ("m.csv", big)})
    assert too_big.status_code == 413 and "32 MB" in too_big.text
    rows = b"id,name\n" + b"T,Jean Dupont\n" * (limits.UPLOAD_ROWS + 1)
    too_many = client.post("/screen/batch", data=csrf, files={"manifest": ("m.csv", rows)})
    assert too_many.status_code == 422 and "100,000 travellers" in too_many.text
