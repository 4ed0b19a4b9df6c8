"""The link graph page: find a record by its words, see its neighbourhood as a drawing's
data and as tables (records, links and why), only for analysts and only over what they
may see."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from interlink.access import Role
from interlink.members.models import User
from tests.web.test_pages import _signin

Auth = Callable[[User], dict[str, str]]


def test_an_analyst_finds_a_record_and_sees_its_links(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    france, germany = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    person = {"full_name": "Karim Benali", "visibility": {"mode": "all_members"},
              "identity_documents": [{"number": "C4RT7Y1Z9"}]}  # fmt: skip
    made = client.post("/api/v1/records/persons", json=person, headers=auth(france)).json()
    passport = {"number": "C4RT7Y1Z9", "issuing_country": "DE", "document_type": "passport",
                "status": "stolen", "visibility": {"mode": "all_members"}}  # fmt: skip
    client.post("/api/v1/records/travel-documents", json=passport, headers=auth(germany))
    secret = {"full_name": "Anna Verborgen", "visibility": {"mode": "owner_only"},
              "identity_documents": [{"number": "C4RT7Y1Z9"}]}  # fmt: skip
    hidden = client.post("/api/v1/records/persons", json=secret, headers=auth(germany)).json()

    _signin(client, germany)
    assert client.get("/analysis/graph").status_code == 403  # officers: no analysis
    client.cookies.clear()
    _signin(client, make_user(Role.ANALYST, "IT"))
    found = client.get("/analysis/graph", params={"q": "benali"})
    assert found.status_code == 200 and f"/analysis/graph?record={made['id']}" in found.text
    page = client.get("/analysis/graph", params={"record": made["id"], "depth": 2})
    assert page.status_code == 200
    assert f'data-record="{made["id"]}"' in page.text and "cytoscape.min.js" in page.text
    assert re.search(r"both hold the document C4RT7Y1Z9 \((FR and DE|DE and FR)\)", page.text)
    assert "Anna Verborgen" not in page.text and hidden["id"] not in page.text
    assert "Records (2)" in page.text and "Links (1)" in page.text
    # The drawing's data: the API, read with the page's cookie.
    data = client.get(f"/api/v1/analysis/graph/records/{made['id']}")
    records = [n for n in data.json()["nodes"] if n["href"].startswith("/records/")]
    assert data.status_code == 200 and len(records) == 2
    assert client.get("/analysis/graph", params={"record": hidden["id"]}).status_code == 404
    assert client.get("/analysis/graph", params={"record": "nonsense"}).status_code == 404
    record_page = client.get(f"/records/persons/{made['id']}").text
    assert f"/analysis/graph?record={made['id']}" in record_page  # "See its links"
