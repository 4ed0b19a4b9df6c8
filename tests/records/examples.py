"""A valid body, a change and a precisely wrong body for every record kind."""

from __future__ import annotations

from typing import Any

VALID: dict[str, dict[str, Any]] = {
    "persons": {
        "given_name": "Jean-Pierre",
        "family_name": "Dupont",
        "original_script_name": "Жан-Пьер Дюпон",
        "aliases": ["JP Dupond"],
        "sex": "M",
        "date_of_birth": "1971-03",
        "nationalities": ["FR"],
        "identity_documents": [
            {"number": "15AB12345", "document_type": "passport", "country": "FR"}
        ],
    },
    "travel-documents": {
        "number": "15 ab-12345",
        "document_type": "passport",
        "issuing_country": "FR",
        "status": "stolen",
        "event_date": "2025-11-02",
    },
    "vehicles": {
        "vin": "1M8GDM9AXKP042788",
        "plate": "AB-123-CD",
        "plate_country": "FR",
        "make": "Renault",
        "model": "Clio",
        "colour": "red",
        "year": 2019,
    },
    "artworks": {
        "title": "Portrait of a Lady",
        "object_type": "painting",
        "artist": "Gustav Klimt",
        "date_of_theft": "1997-02",
        "country_of_theft": "IT",
    },
    "firearms": {
        "make": "Glock",
        "model": "17",
        "firearm_type": "pistol",
        "calibre": "9x19mm",
        "serial_number": "ABC-1234",
        "country_of_manufacture": "AT",
        "status": "stolen",
    },
    "missing-persons": {
        "given_name": "Anna",
        "family_name": "Kowalska",
        "sex": "F",
        "date_of_birth": "2009-05-14",
        "last_seen_date": "2026-10-01",
        "last_seen_place": "Kraków",
        "last_seen_country": "PL",
    },
    "unidentified-bodies": {
        "found_date": "2026-09-30",
        "found_place": "Rotterdam harbour",
        "found_country": "NL",
        "estimated_age_min": 30,
        "estimated_age_max": 45,
    },
    "indicators": {
        "indicator_type": "domain",
        "value": "Phish-Bank.example.COM",
        "first_seen": "2026-01",
        "related_case": "OP-KINGFISHER",
    },
    "assets": {
        "asset_type": "bank_account",
        "name": "Dupont Holdings",
        "iban": "GB82 WEST 1234 5698 7654 32",
        "bank_name": "Westminster",
    },
}

CHANGE: dict[str, dict[str, Any]] = {
    "persons": {"aliases": ["JP Dupond", "Jean Dupon"]},
    "travel-documents": {"status": "lost"},
    "vehicles": {"colour": "blue"},
    "artworks": {"description": "Oil on canvas, stolen during restoration"},
    "firearms": {"status": "seized"},
    "missing-persons": {"circumstances": "Left school and did not come home"},
    "unidentified-bodies": {"description": "Tattoo of an anchor on the left forearm"},
    "indicators": {"last_seen": "2026-11"},
    "assets": {"estimated_value": 250000, "currency": "EUR"},
}

# A body with one wrong field, and the field the 422 must name.
WRONG: dict[str, tuple[dict[str, Any], str]] = {
    "persons": ({**VALID["persons"], "date_of_birth": "1971-13"}, "body.date_of_birth"),
    "travel-documents": (
        {**VALID["travel-documents"], "issuing_country": "XX"},
        "body.issuing_country",
    ),
    "vehicles": ({**VALID["vehicles"], "year": 1700}, "body.year"),
    "artworks": ({**VALID["artworks"], "title": ""}, "body.title"),
    "firearms": ({**VALID["firearms"], "status": "misplaced"}, "body.status"),
    "missing-persons": ({**VALID["missing-persons"], "height_cm": 900}, "body.height_cm"),
    "unidentified-bodies": (
        {**VALID["unidentified-bodies"], "found_date": "yesterday"},
        "body.found_date",
    ),
    "indicators": ({**VALID["indicators"], "indicator_type": "ipv4", "value": "999.1.1.1"}, "body"),
    "assets": ({**VALID["assets"], "iban": "GB00 WEST 1234 5698 7654 32"}, "body.iban"),
}
