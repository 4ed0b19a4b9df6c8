"""One damaged row does not fail a list: stored JSON that is not JSON, nested too deep, or
no longer what its model takes (planted directly in the tables; the API refuses to store
any of it) is read as damaged (``core.storedjson``) and the row is left out of the records
and notices lists, or shown marked (hits: ``tests/hits/test_damaged_hits.py``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.core.storedjson import DAMAGED, damage, depth, loads, problem
from interlink.members.models import User
from interlink.notices.models import Notice
from interlink.records.models import Record
from tests.damaged import NOT_JSON, nested, plant

Auth = Callable[[User], dict[str, str]]
VEHICLE = {"plate": "AB-123-CD", "visibility": {"mode": "all_members"}}
ORANGE = {"type": "orange", "data": {"threat_kind": "object",
          "threat": "parcel bombs disguised as books",
          "summary": "Three parcels were intercepted in sorting centres."}}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "damaged"),
    [('{"a": [1, {"b": 2}]}', None), (nested(32), None), (nested(33), "deeper than 32"),
     (nested(5000), "deeper than 32"), (NOT_JSON, "not JSON"), (b"\xff\xfe", "not JSON")],
)  # fmt: skip
def test_stored_json_is_read_whole_or_as_damaged(text: str | bytes, damaged: str | None) -> None:
    value = loads(text)
    if damaged is None:
        assert damage(value) is None and problem(text) is None
        assert value == json.loads(text)
    else:
        assert damaged in (damage(value) or "") and damaged in (problem(text) or "")


def test_depth_counts_objects_and_arrays() -> None:
    assert [depth(1), depth([]), depth({"a": [1]}), depth([[[{"b": 1}]]])] == [0, 1, 2, 4]
    assert depth(json.loads(nested(900))) == 900  # no recursion


def _damaged(session: Session) -> list[str]:
    texts = [nested(200), nested(5000)]
    if session.get_bind().dialect.name == "sqlite":  # PostgreSQL refuses text that is no JSON
        texts.append(NOT_JSON)
    return texts


def test_a_damaged_record_is_left_out_of_its_list(
    client: TestClient, session: Session, make_user: Callable[..., User], auth: Auth
) -> None:
    officer = make_user(Role.OFFICER, "FR")
    made = []
    for _ in range(5):
        response = client.post("/api/v1/records/vehicles", json=VEHICLE, headers=auth(officer))
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    broken = [*_damaged(session), json.dumps({"plate": "AB-123-CD", "colour": "y" * 41})]
    for record_id, text in zip(made, broken, strict=False):
        plant(session, Record.__table__.c.data, uuid.UUID(record_id), text)
    for who in (officer, make_user(Role.OFFICER, "DE"), make_user(Role.REVIEWER, "SEC")):
        listed = client.get("/api/v1/records/vehicles", headers=auth(who))
        assert listed.status_code == 200, listed.text[:300]
        assert {item["id"] for item in listed.json()["items"]} == set(made[len(broken) :])
        # Read alone, a damaged record is a clear refusal, not a server error.
        alone = client.get(f"/api/v1/records/vehicles/{made[0]}", headers=auth(who))
        assert alone.status_code == 409 and "interlink doctor" in alone.text, alone.text[:300]
        # An export leaves it out as the list does (it carried the marker as data before).
        exported = client.get("/api/v1/records/vehicles/export?format=csv", headers=auth(who))
        assert exported.status_code == 200 and DAMAGED not in exported.text


def test_a_damaged_notice_is_left_out_of_its_list(
    client: TestClient, session: Session, make_user: Callable[..., User], auth: Auth
) -> None:
    officer = make_user(Role.OFFICER, "FR")
    made = []
    for _ in range(4):
        response = client.post("/api/v1/notices", json=ORANGE, headers=auth(officer))
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    data, flags = Notice.__table__.c.data, Notice.__table__.c.flags
    plant(session, data, uuid.UUID(made[0]), nested(200))
    plant(session, flags, uuid.UUID(made[1]), nested(5000))
    if session.get_bind().dialect.name == "sqlite":
        plant(session, flags, uuid.UUID(made[2]), NOT_JSON)
    listed = client.get("/api/v1/notices", headers=auth(officer))
    assert listed.status_code == 200, listed.text[:300]
    items = {item["id"]: item for item in listed.json()["items"]}
    # Damaged data is shown marked; a notice whose flags cannot be read is left out.
    assert DAMAGED in items[made[0]]["data"]
    assert made[1] not in items and items[made[3]]["data"] == ORANGE["data"]
    assert (made[2] in items) == (session.get_bind().dialect.name != "sqlite")
