"""A cross-border network worth finding in the demo: a document-fraud and vehicle-theft
ring whose members each bureau knows only in part. France knows the organiser and his
associates; Germany a stolen passport whose number one of them carries; the Netherlands
a phone and an e-mail address a Spanish suspect also uses; Italy a car whose VIN a
German stolen-vehicle record holds. Nobody states the cross-border ties: the link graph
derives them from the identifiers the records share. Made through the records service,
as the bureaus would, once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.analysis.derive import catch_up
from interlink.members.auth import actor_named
from interlink.records.models import Record
from interlink.records.schemas import create_schema
from interlink.records.service import create_record

__all__ = ["seed_network"]

Progress = Callable[[str, int, int], None]
SHARED = {"mode": "all_members"}
PHONE, EMAIL = "+31 6 4812 7730", "k.vandijk.logistics@protonmail.example"
PASSPORT, VIN = "C4RT7Y1Z9", "WVWZZZ1KZ8W123456"

# (bureau, kind, source id, data); "@name" in links is another record of this list.
NETWORK: list[tuple[str, str, str, dict[str, Any]]] = [
    ("FR", "persons", "ring-1", {
        "given_name": "Karim", "family_name": "Benali", "date_of_birth": "1979-04-02",
        "nationalities": ["FR"], "phones": ["+33 6 71 22 90 14"]}),
    ("FR", "persons", "ring-2", {
        "given_name": "Lucas", "family_name": "Moreau", "date_of_birth": "1988-11-17",
        "nationalities": ["FR"], "identity_documents": [{"number": PASSPORT, "country": "DE"}],
        "links": [{"record_id": "@ring-1", "relation": "associate of"}]}),
    ("FR", "persons", "ring-3", {
        "given_name": "Sofia", "family_name": "Lambert", "date_of_birth": "1991-06-30",
        "nationalities": ["FR"], "phones": [PHONE],
        "links": [{"record_id": "@ring-1", "relation": "co-offender"}]}),
    ("DE", "travel-documents", "ring-passport", {
        "number": PASSPORT, "issuing_country": "DE", "document_type": "passport",
        "status": "stolen", "holder_name": "Jonas Weber"}),
    ("DE", "vehicles", "ring-car", {
        "plate": "F-KL 4411", "plate_country": "DE", "vin": VIN, "make": "Volkswagen",
        "model": "Golf", "date_stolen": "2026-10-03", "place_stolen": "Frankfurt am Main"}),
    ("NL", "indicators", "ring-mail", {
        "indicator_type": "email", "value": EMAIL,
        "description": "Used to order forged registration papers"}),
    ("NL", "persons", "ring-4", {
        "given_name": "Kees", "family_name": "van Dijk", "date_of_birth": "1975-02-11",
        "nationalities": ["NL"], "phones": [PHONE], "emails": [EMAIL]}),
    ("ES", "persons", "ring-5", {
        "given_name": "Javier", "family_name": "Ortega", "date_of_birth": "1983-09-05",
        "nationalities": ["ES"], "emails": [EMAIL]}),
    ("IT", "vehicles", "ring-car-it", {
        "plate": "GA 512 KX", "plate_country": "IT", "vin": VIN.lower(), "make": "Volkswagen",
        "model": "Golf", "colour": "grey"}),
]  # fmt: skip


def seed_network(session: Session, progress: Progress) -> int:
    """Seed the ring (once) and derive the graph; returns how many records it made."""
    made: dict[str, str] = {}
    created = 0
    for index, (bureau, kind, source, data) in enumerate(NETWORK, 1):
        found = session.scalars(
            select(Record.id).where(Record.kind == kind, Record.source_id == source)
        ).first()
        if found is None:
            actor = actor_named(session, f"{bureau.lower()}.officer")
            links = [{**link, "record_id": made[link["record_id"][1:]]}
                     for link in data.get("links", [])]  # fmt: skip
            body = {**data, "links": links} if links else dict(data)
            body |= {"source_id": source, "visibility": SHARED}
            record = create_record(session, kind, create_schema(kind).model_validate(body),
                                   actor=actor)  # fmt: skip
            found, created = record.id, created + 1
        made[source] = str(found)
        progress("cross-border network", index, len(NETWORK))
    if created:
        catch_up(session, full=True)
    session.commit()
    return created
