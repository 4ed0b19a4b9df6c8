"""The record kinds: one data model each, looked up by URL segment."""

from __future__ import annotations

from interlink.records.kinds.assets import AssetData
from interlink.records.kinds.base import RecordData, fold
from interlink.records.kinds.documents import TravelDocumentData
from interlink.records.kinds.indicators import IndicatorData
from interlink.records.kinds.objects import ArtworkData, FirearmData, VehicleData
from interlink.records.kinds.persons import MissingPersonData, PersonData, UnidentifiedBodyData

__all__ = ["KINDS", "PERSON_KINDS", "RecordData", "fold", "kind_model"]

KINDS: dict[str, type[RecordData]] = {
    model.kind: model
    for model in (
        PersonData,
        TravelDocumentData,
        VehicleData,
        ArtworkData,
        FirearmData,
        MissingPersonData,
        UnidentifiedBodyData,
        IndicatorData,
        AssetData,
    )
}

PERSON_KINDS = frozenset({"persons", "missing-persons", "unidentified-bodies"})
"""Kinds holding data on people: reads of them are audited."""


def kind_model(kind: str) -> type[RecordData]:
    from interlink.core.errors import NotFound

    try:
        return KINDS[kind]
    except KeyError:
        raise NotFound(f"no record kind {kind!r}; kinds: {', '.join(KINDS)}") from None
