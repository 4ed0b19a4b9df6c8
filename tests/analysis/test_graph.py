"""The link graph through the API: links derived from identifiers that records of
different bureaus share (explained), links records state, kept current as records
change, and read only through what the analyst may see: no node it may not see, no
edge to one, no sign that either exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlink.access import Role
from interlink.analysis.identifiers import record_identifiers
from interlink.members.models import User

Auth = Callable[[User], dict[str, str]]
SHARED = {"mode": "all_members"}


def _make(client: TestClient, who: User, auth: Auth, kind: str, body: dict[str, Any]) -> str:
    made = client.post(f"/api/v1/records/{kind}", json=body, headers=auth(who))
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


@pytest.fixture
def network(client: TestClient, make_user: Callable[..., User], auth: Auth) -> dict[str, Any]:
    fr, de, es = (make_user(Role.OFFICER, c) for c in ("FR", "DE", "ES"))
    person = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09",
              "phones": ["+33 6 12 34 56 78"], "visibility": SHARED,
              "identity_documents": [{"number": "19FR12345", "country": "FR"}]}  # fmt: skip
    ids = {"fr": fr, "de": de, "es": es}
    ids["person"] = _make(client, fr, auth, "persons", person)
    ids["passport"] = _make(client, de, auth, "travel-documents", {
        "number": "19fr-12345", "issuing_country": "FR", "document_type": "passport",
        "status": "stolen", "visibility": SHARED})  # fmt: skip
    ids["hidden"] = _make(client, de, auth, "persons", {
        "full_name": "Hans Geheim", "phones": ["+33612345678"],
        "visibility": {"mode": "owner_only"}})  # fmt: skip
    ids["same_bureau"] = _make(
        client,
        fr,
        auth,
        "persons",
        {"full_name": "Paul Dupont", "phones": ["+33 6 12 34 56 78"], "visibility": SHARED},
    )
    ids["associate"] = _make(client, fr, auth, "persons", {
        "full_name": "Marc Petit", "visibility": SHARED,
        "links": [{"record_id": ids["person"], "relation": "associate of",
                   "source": "wiretap 2026/117", "confidence": 0.7}]})  # fmt: skip
    ids["car"] = _make(
        client,
        fr,
        auth,
        "vehicles",
        {"plate": "AB-123-CD", "vin": "VF1AB000123456789", "visibility": SHARED},
    )
    ids["car_es"] = _make(
        client,
        es,
        auth,
        "vehicles",
        {"plate": "1234-XYZ", "vin": "vf1ab000123456789", "visibility": SHARED},
    )
    return ids


def _records(graph: dict[str, Any]) -> list[str]:
    """The record nodes of a graph (not the identifiers, notices, hits around them)."""
    return [node["id"] for node in graph["nodes"] if node["href"].startswith("/records/")]


def test_identifiers_are_compared_in_one_written_form() -> None:
    one = record_identifiers(
        "persons",
        {"phones": ["+33 6 12 34 56 78"], "identity_documents": [{"number": "19fr 12345"}]},
    )
    two = record_identifiers("travel-documents", {"number": "19FR-12345"})
    assert {(i.type, i.value) for i in one} == {("phone", "+33612345678"),
                                                ("document", "19FR12345")}  # fmt: skip
    assert [(i.type, i.value) for i in two] == [("document", "19FR12345")]
    assert record_identifiers("persons", {"phones": ["06 12 34 56 78"]}) == []  # no country
    assert record_identifiers("firearms", {"make": "Glock", "serial_number": "AB12345"}) != (
        record_identifiers("firearms", {"make": "Beretta", "serial_number": "AB12345"})
    )


def test_a_shared_identifier_links_bureaus_and_is_explained(
    client: TestClient, make_user: Callable[..., User], auth: Auth, network: dict[str, Any]
) -> None:
    analyst = make_user(Role.ANALYST, "IT")  # a national bureau's analyst
    answer = client.get(f"/api/v1/analysis/graph/records/{network['person']}",
                        headers=auth(analyst))  # fmt: skip
    assert answer.status_code == 200, answer.text
    graph = answer.json()
    ids = set(_records(graph))
    assert ids == {network["person"], network["passport"], network["associate"]}
    # Hidden from the analyst: not a node, not an edge, not a count, nowhere in the answer.
    assert network["hidden"] not in answer.text and "Geheim" not in answer.text
    # The same bureau's records sharing a phone: that bureau's own business, no link.
    assert network["same_bureau"] not in answer.text
    by_relation = {edge["relation"]: edge for edge in graph["edges"]}
    shared = by_relation["shares document"]
    assert shared["origin"] == "derived" and shared["value"] == "19FR12345"
    assert shared["explanation"]["because"] == "both hold the document 19FR12345"
    assert sorted(shared["explanation"]["owners"]) == ["DE", "FR"]
    assert sorted(shared["explanation"]["written"]) == ["19FR12345", "19fr-12345"]
    stated = by_relation["associate of"]
    assert stated["origin"] == "stated" and stated["source"] == network["associate"]
    assert stated["confidence"] == 0.7 and stated["explanation"]["source"] == "wiretap 2026/117"
    # The owner bureau of the hidden record sees what it may: DE sees its own record.
    assert (
        client.get(
            f"/api/v1/analysis/graph/records/{network['person']}", headers=auth(network["de"])
        ).status_code
        == 403
    )  # officers: no analysis


def test_links_follow_the_records(
    client: TestClient, make_user: Callable[..., User], auth: Auth, network: dict[str, Any]
) -> None:
    analyst = make_user(Role.ANALYST, "IT")
    path = f"/api/v1/analysis/graph/records/{network['person']}"
    de = auth(network["de"])
    changed = client.patch(f"/api/v1/records/travel-documents/{network['passport']}",
                           json={"number": "20DE99999"}, headers=de)  # fmt: skip
    assert changed.status_code == 200, changed.text
    reason = {"reason": "entered twice"}
    deleted = client.delete(f"/api/v1/records/persons/{network['associate']}", params=reason,
                            headers=auth(network["fr"]))  # fmt: skip
    assert deleted.status_code == 204, deleted.text
    graph = client.get(path, headers=auth(analyst)).json()
    assert _records(graph) == [network["person"]]
    assert [edge["relation"] for edge in graph["edges"]] == ["is held by the"]  # its phone


def test_paths_measures_and_exports(
    client: TestClient, make_user: Callable[..., User], auth: Auth, network: dict[str, Any]
) -> None:
    analyst = auth(make_user(Role.ANALYST, "IT"))
    path = client.get(
        "/api/v1/analysis/graph/paths",
        headers=analyst,
        params={"source": network["associate"], "target": network["passport"]},
    )
    assert path.status_code == 200, path.text
    assert [node["id"] for node in path.json()["nodes"]] == [
        network["associate"], network["person"], network["passport"]]  # fmt: skip
    apart = client.get(
        "/api/v1/analysis/graph/paths",
        headers=analyst,
        params={"source": network["person"], "target": network["car_es"]},
    )
    assert apart.status_code == 404
    cars = client.get(f"/api/v1/analysis/graph/records/{network['car']}", headers=analyst).json()
    assert {n["owner"] for n in cars["nodes"] if n["owner"]} == {
        "FR",
        "ES",
    }  # the VIN, written two ways

    measures = client.get(f"/api/v1/analysis/graph/records/{network['person']}/measures",
                          headers=analyst).json()  # fmt: skip
    assert measures["degree"][0]["id"] == network["person"]  # the hub
    grouped = [node for community in measures["communities"] for node in community]
    three = [network["person"], network["passport"], network["associate"]]
    assert sorted(grouped) == sorted([*three, "phone:+33612345678"])  # every node, once
    graphml = client.get(f"/api/v1/analysis/graph/records/{network['person']}/export",
                         headers=analyst)  # fmt: skip
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    assert "<graphml" in graphml.text and network["passport"] in graphml.text
    assert network["hidden"] not in graphml.text
    as_json = client.get(f"/api/v1/analysis/graph/records/{network['person']}/export",
                         params={"format": "json"}, headers=analyst).json()  # fmt: skip
    assert len(_records(as_json)) == 3


def test_bad_requests_are_refused(
    client: TestClient, make_user: Callable[..., User], auth: Auth, network: dict[str, Any]
) -> None:
    analyst = auth(make_user(Role.ANALYST, "IT"))
    too_deep = client.get(f"/api/v1/analysis/graph/records/{network['person']}",
                          params={"depth": 9}, headers=analyst)  # fmt: skip
    assert too_deep.status_code == 422 and too_deep.json()["errors"][0]["field"] == "query.depth"
    hidden = client.get(f"/api/v1/analysis/graph/records/{network['hidden']}", headers=analyst)
    assert hidden.status_code == 404  # as if it did not exist
    bad = client.get("/api/v1/analysis/graph/records/not-an-id", headers=analyst)
    assert bad.status_code == 422


def test_the_same_person_kept_by_two_bureaus_is_linked_by_the_screening_engine(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    fr, de = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    french = _make(client, fr, auth, "persons", {
        "given_name": "Mohammed", "family_name": "Al-Rashid", "date_of_birth": "1980-05-17",
        "nationalities": ["SY"], "visibility": SHARED})  # fmt: skip
    german = _make(client, de, auth, "persons", {
        "given_name": "Mohamad", "family_name": "Alrashid", "date_of_birth": "1980-05-17",
        "nationalities": ["SY"], "visibility": SHARED})  # fmt: skip
    stranger = _make(client, de, auth, "persons", {
        "given_name": "Greta", "family_name": "Lindqvist", "date_of_birth": "1980-05-17",
        "visibility": SHARED})  # fmt: skip
    analyst = auth(make_user(Role.ANALYST, "IT"))
    graph = client.get(f"/api/v1/analysis/graph/records/{french}", headers=analyst).json()
    assert set(_records(graph)) == {french, german}  # not the stranger
    (edge,) = graph["edges"]
    assert edge["relation"] == "same person" and edge["basis"] == "screening"
    assert 0.8 <= edge["confidence"] <= 1.0
    assert edge["explanation"]["because"].startswith("the screening engine finds the same")
    assert "name" in edge["explanation"]["detail"]  # the engine says why, as in screening
    assert stranger not in str(graph)


def test_hits_around_a_record_are_shown_to_who_may_see_them(
    client: TestClient, make_user: Callable[..., User], auth: Auth, network: dict[str, Any]
) -> None:
    query = {"person": {"name": "Jean Dupont", "date_of_birth": "1971-03-09"}}
    screened = client.post("/api/v1/screen", json=query, headers=auth(network["de"]))
    assert screened.json()["hit"] is True
    path = f"/api/v1/analysis/graph/records/{network['person']}"

    def around(country: str) -> list[dict[str, Any]]:
        graph = client.get(path, headers=auth(make_user(Role.ANALYST, country))).json()
        return [node for node in graph["nodes"] if node["kind"] == "hit"]

    (hit,) = around("FR")  # the record's owner sees the hit on its record
    assert hit["href"].startswith("/api/v1/hits/") and around("DE")  # and the screening bureau
    assert around("IT") == []  # nobody else: the hit is theirs
