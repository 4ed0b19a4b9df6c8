"""The visibility body every shared object carries: its validation names the field."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from interlink.access import Visibility, VisibilityMode
from interlink.access.visibility import pack_countries, unpack_countries


def test_defaults_to_owner_only() -> None:
    assert Visibility().mode is VisibilityMode.OWNER_ONLY


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"mode": "only"}, "needs at least one country"),
        ({"mode": "except", "countries": []}, "needs at least one country"),
        ({"mode": "only", "countries": ["FRA"]}, "not an ISO 3166 alpha-2"),
        ({"mode": "group"}, "needs the sharing group"),
        ({"mode": "all_members", "countries": ["FR"]}, "only used with modes"),
        ({"mode": "owner_only", "group": str(uuid.uuid4())}, "only used with mode 'group'"),
        ({"mode": "everyone"}, "Input should be"),
    ],
)
def test_inconsistent_bodies_are_refused(body: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Visibility.model_validate(body)


def test_countries_are_normalised_and_round_trip() -> None:
    visibility = Visibility(mode=VisibilityMode.ONLY, countries=["de", "FR", "de"])
    assert visibility.countries == ["DE", "FR"]
    assert unpack_countries(pack_countries(visibility.countries)) == ["DE", "FR"]
    assert pack_countries([]) is None
