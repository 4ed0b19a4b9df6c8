"""The member network: countries, bureaus, the secretariat."""

from __future__ import annotations

from fastapi.testclient import TestClient

from interlink.members.countries import MEMBER_COUNT


def test_countries_list_every_member_with_codes(client: TestClient) -> None:
    items = client.get("/api/v1/countries").json()["items"]
    by_code = {item["code"]: item for item in items}
    assert by_code["FR"] == {"code": "FR", "code3": "FRA", "name": "France", "member": True}
    assert sum(item["member"] for item in items) == MEMBER_COUNT == 196
    assert by_code["KP"]["member"] is False
    assert by_code["GI"]["member"] is False  # a territory, served by another bureau
    assert by_code["VA"]["member"] is True
    assert by_code["PS"]["member"] is True


def test_member_filter(client: TestClient) -> None:
    members = client.get("/api/v1/countries", params={"member": True}).json()["items"]
    others = client.get("/api/v1/countries", params={"member": False}).json()["items"]
    assert len(members) == 196
    assert all(not item["member"] for item in others) and others


def test_one_bureau_per_member_and_the_secretariat(client: TestClient) -> None:
    bureaus = client.get("/api/v1/bureaus").json()["items"]
    ncbs = [b for b in bureaus if b["kind"] == "ncb"]
    assert len(ncbs) == 196
    assert len({b["country_code"] for b in ncbs}) == 196
    secretariat = [b for b in bureaus if b["kind"] == "secretariat"]
    assert [(b["code"], b["country_code"]) for b in secretariat] == [("SEC", None)]
