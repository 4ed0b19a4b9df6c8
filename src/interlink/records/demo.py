"""Demo records of every kind from many member countries, with a mix of visibilities.

Generated with Faker in each country's locale (names in their own scripts), seeded per
country so that every run produces the same data; written through the importer, so
re-seeding changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import iban as stdnum_iban

from interlink.access import Visibility, VisibilityMode
from interlink.interop.base import ParsedItem
from interlink.members.models import Bureau, SharingGroup
from interlink.records.importer import import_items

__all__ = ["DEMO_COUNTRIES", "PER_COUNTRY", "seed_records"]

DEMO_COUNTRIES = [
    "AR", "AT", "AU", "BD", "BG", "BR", "CA", "CH", "CN", "CO", "CZ", "DE", "DK", "EG", "ES",
    "FI", "FR", "GB", "GE", "GR", "HU", "IL", "IN", "IR", "IT", "JP", "KE", "KR", "MX", "NG",
    "NL", "NO", "PH", "PL", "PT", "RO", "RU", "SA", "SE", "TH", "TR", "UA", "US", "VN", "ZA",
]  # fmt: skip

PER_COUNTRY = {
    "persons": 12,
    "travel-documents": 30,
    "vehicles": 8,
    "artworks": 2,
    "firearms": 4,
    "missing-persons": 3,
    "unidentified-bodies": 1,
    "indicators": 4,
    "assets": 3,
}

Progress = Callable[[str, int, int], None]


def _latin(text: str) -> bool:
    return all(ord(char) < 0x250 for char in text if char.isalpha())


def _person(fake: Faker, country: str) -> dict[str, Any]:
    sex = random.choice("MF")
    given = fake.first_name_male() if sex == "M" else fake.first_name_female()
    family = fake.last_name()
    data: dict[str, Any] = {
        "sex": sex,
        "date_of_birth": fake.date_of_birth(minimum_age=18, maximum_age=75).isoformat(),
        "nationalities": [country],
        "place_of_birth": fake.city(),
        "country_of_birth": country,
    }
    if _latin(given + family):
        data |= {"given_name": given, "family_name": family}
    else:
        data["original_script_name"] = (
            f"{family} {given}" if country in ("CN", "JP", "KR") else f"{given} {family}"
        )
    return data


def _iban(fake: Faker) -> str:
    """The locale's IBAN where Faker makes valid ones, else a valid German one."""
    candidate = fake.iban()
    if stdnum_iban.is_valid(candidate):
        return str(candidate)
    bban = fake.numerify("#" * 18)
    return "DE" + stdnum_iban.calc_check_digits("DE00" + bban) + bban


def _generators(fake: Faker, country: str) -> dict[str, Callable[[int], dict[str, Any]]]:
    def person(_: int) -> dict[str, Any]:
        data = _person(fake, country)
        if random.random() < 0.3:
            data["aliases"] = [fake.last_name()]
        if random.random() < 0.4:
            data["identity_documents"] = [
                {
                    "number": fake.bothify("??#######").upper(),
                    "document_type": "passport",
                    "country": country,
                }
            ]
        return data

    def document(index: int) -> dict[str, Any]:
        return {
            "number": fake.bothify("##??#####").upper(),
            "document_type": random.choice(
                ["passport", "passport", "id_card", "visa", "residence_permit"]
            ),
            "issuing_country": country,
            "status": random.choice(
                ["stolen", "lost", "lost", "revoked", "invalidated", "blank_stolen"]
            ),
            "event_date": fake.date_between("-4y", "today").isoformat(),
            "event_place": fake.city(),
        }

    def vehicle(_: int) -> dict[str, Any]:
        return {
            "vin": fake.vin(),
            "plate": fake.license_plate()[:20],
            "plate_country": country,
            "make": random.choice(["Toyota", "Volkswagen", "BMW", "Renault", "Hyundai", "Ford"]),
            "model": fake.word().capitalize(),
            "colour": fake.color_name(),
            "year": random.randint(2008, 2026),
            "date_stolen": fake.date_between("-2y", "today").isoformat(),
        }

    def artwork(_: int) -> dict[str, Any]:
        return {
            "title": fake.sentence(nb_words=3).rstrip("."),
            "object_type": random.choice(["painting", "sculpture", "icon", "manuscript", "vase"]),
            "artist": fake.name(),
            "period": f"{random.randint(14, 20)}th century",
            "date_of_theft": fake.date_between("-10y", "today").isoformat(),
            "place_of_theft": fake.city(),
            "country_of_theft": country,
        }

    def firearm(_: int) -> dict[str, Any]:
        make, origin = random.choice(
            [("Glock", "AT"), ("Beretta", "IT"), ("Colt", "US"), ("CZ", "CZ"), ("Walther", "DE")]
        )
        return {
            "make": make,
            "model": str(random.randint(17, 99)),
            "firearm_type": random.choice(["pistol", "revolver", "rifle", "shotgun"]),
            "calibre": random.choice(["9x19mm", ".45 ACP", "7.62x39mm", "12 gauge"]),
            "serial_number": fake.bothify("??####-##").upper(),
            "country_of_manufacture": origin,
            "status": random.choice(["lost", "stolen", "trafficked", "seized"]),
        }

    def missing(_: int) -> dict[str, Any]:
        data = _person(fake, country)
        data["date_of_birth"] = fake.date_of_birth(minimum_age=8, maximum_age=80).isoformat()
        data.pop("place_of_birth"), data.pop("country_of_birth")
        return data | {
            "last_seen_date": fake.date_between("-1y", "today").isoformat(),
            "last_seen_place": fake.city(),
            "last_seen_country": country,
            "circumstances": fake.sentence(nb_words=10),
        }

    def body(_: int) -> dict[str, Any]:
        low = random.randint(18, 60)
        return {
            "found_date": fake.date_between("-1y", "today").isoformat(),
            "found_place": fake.city(),
            "found_country": country,
            "sex": random.choice("MFU"),
            "estimated_age_min": low,
            "estimated_age_max": low + 10,
            "description": fake.sentence(nb_words=8),
        }

    def indicator(index: int) -> dict[str, Any]:
        kind = ["domain", "ipv4", "sha256", "email"][index % 4]
        value = {
            "domain": fake.domain_name(),
            "ipv4": fake.ipv4_public(),
            "sha256": fake.sha256(),
            "email": fake.free_email(),
        }[kind]
        return {
            "indicator_type": kind,
            "value": value,
            "first_seen": fake.date_between("-1y", "today").isoformat(),
        }

    def asset(index: int) -> dict[str, Any]:
        if index % 3 == 0:
            return {
                "asset_type": "bank_account",
                "name": fake.name(),
                "iban": fake.iban(),
                "bank_name": fake.company(),
            }
        if index % 3 == 1:
            return {
                "asset_type": "company",
                "name": fake.company(),
                "registration_number": fake.bothify("RC-#######"),
                "jurisdiction": country,
            }
        return {
            "asset_type": "real_estate",
            "name": fake.street_address(),
            "address": fake.address().replace("\n", ", "),
        }

    return {
        "persons": person,
        "travel-documents": document,
        "vehicles": vehicle,
        "artworks": artwork,
        "firearms": firearm,
        "missing-persons": missing,
        "unidentified-bodies": body,
        "indicators": indicator,
        "assets": asset,
    }


def _visibilities(country: str, groups: dict[str, SharingGroup]) -> list[Visibility]:
    neighbours = [c for c in DEMO_COUNTRIES if c != country]
    choices = [
        Visibility(mode=VisibilityMode.ALL_MEMBERS),
        Visibility(mode=VisibilityMode.ALL_MEMBERS),
        Visibility(mode=VisibilityMode.ONLY, countries=random.sample(neighbours, 3)),
        Visibility(mode=VisibilityMode.EXCEPT, countries=random.sample(neighbours, 2)),
        Visibility(mode=VisibilityMode.OWNER_ONLY),
    ]
    for group in groups.values():
        if country in {member.country_code for member in group.members}:
            choices.append(Visibility(mode=VisibilityMode.GROUP, group=group.id))
    return choices


def _items(
    country: str, fake: Faker, visibilities: list[Visibility]
) -> Iterator[tuple[Visibility, ParsedItem]]:
    generators = _generators(fake, country)
    line = 0
    for kind, count in PER_COUNTRY.items():
        for index in range(count):
            line += 1
            data = generators[kind](index)
            source_id = f"demo-{country}-{kind}-{index:04d}"
            yield visibilities[line % len(visibilities)], ParsedItem(line, kind, source_id, data)


def seed_records(
    session: Session, faker_for: Callable[[str, int], Faker], progress: Progress
) -> int:
    """Seed the demo records; returns how many were created (0 when all exist)."""
    groups = {group.name: group for group in session.scalars(select(SharingGroup))}
    created = 0
    for done, country in enumerate(DEMO_COUNTRIES, 1):
        seed = sum(map(ord, country))
        random.seed(seed)
        fake = faker_for(country, seed)
        owner = session.scalars(select(Bureau).where(Bureau.code == country)).one()
        by_visibility: dict[str, tuple[Visibility, list[ParsedItem]]] = {}
        for visibility, item in _items(country, fake, _visibilities(country, groups)):
            key = visibility.model_dump_json()
            by_visibility.setdefault(key, (visibility, []))[1].append(item)
        for visibility, items in by_visibility.values():
            report = import_items(
                session, items, owner=owner, visibility=visibility, actor_name="demo", source="demo"
            )
            created += report.created
        progress("records", done, len(DEMO_COUNTRIES))
    return created
