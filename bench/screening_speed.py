"""Screening speed: building the person index and screening against it, in process.

Synthetic persons (names from Faker in several locales and scripts, combined at random,
with dates of birth and nationalities) are filed into the candidate index; queries are
records' names with a typing error or in swapped order, with the date of birth ("listed
persons": the best hit should be their record), and travellers made up the same way who
are not listed ("strangers": names from the same pools, other dates of birth; most
screenings at a border are of such people, and any hit among them is a false alarm unless
a namesake shares the birthday). Reports index build time and resident memory, and person
queries per second on one core (candidates + scoring, the work of a batch screening per
traveller).

``python -m bench screening_speed [--quick]`` (quick: 100,000 records only).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from faker import Faker

from interlink.matching.index import PersonIndex
from interlink.matching.names import name_forms
from interlink.matching.score import HIT_THRESHOLD, PersonFacts, score_person
from interlink.screening.index import person_facts

LOCALES = ["en_US", "fr_FR", "de_DE", "es_ES", "it_IT", "ru_RU", "ar_AA", "tr_TR", "pl_PL", "zh_CN"]
QUERIES = 5_000


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1024 / 1024


def _pools(rng: random.Random) -> list[tuple[list[str], list[str], str]]:
    pools = []
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(rng.randint(0, 10**6))
        given = list({fake.first_name() for _ in range(400)})
        family = list({fake.last_name() for _ in range(400)})
        pools.append((given, family, locale[-2:]))
    return pools


def _records(count: int, rng: random.Random) -> list[dict[str, object]]:
    pools = _pools(rng)
    records = []
    for _ in range(count):
        given, family, country = rng.choice(pools)
        records.append(
            {
                "given_name": rng.choice(given),
                "family_name": rng.choice(family),
                "date_of_birth": (
                    f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                ),
                "nationalities": [country if country != "AA" else "EG"],
            }
        )
    return records


def _variant(record: dict[str, object], rng: random.Random) -> str:
    given, family = str(record["given_name"]), str(record["family_name"])
    kind = rng.randrange(3)
    if kind == 0 and len(family) > 3:
        i = rng.randrange(len(family))
        family = family[:i] + family[i + 1 :]
    if kind == 1:
        return f"{family} {given}"
    return f"{given} {family}"


def _measure(count: int) -> None:
    rng = random.Random(count)
    records = _records(count, rng)
    before = _rss_mb()
    started = time.perf_counter()
    index: PersonIndex[int] = PersonIndex()
    index.extend((number, person_facts(data)) for number, data in enumerate(records))
    build = time.perf_counter() - started
    memory = _rss_mb() - before
    picks = [rng.randrange(count) for _ in range(QUERIES)]
    known = [
        PersonFacts(
            names=tuple(name_forms([_variant(records[i], rng)])),
            date_of_birth=str(records[i]["date_of_birth"]),
        )
        for i in picks
    ]
    strangers = [
        PersonFacts(
            names=tuple(name_forms([f"{data['given_name']} {data['family_name']}"])),
            date_of_birth=str(data["date_of_birth"]),
        )
        for data in _records(QUERIES, random.Random(count + 1))
    ]
    known_rate, found = _screen(index, known, picks)
    stranger_rate, false_hits = _screen(index, strangers, None)
    print(
        f"| {count:,} | {build:.1f} s | {memory:,.0f} MB | {known_rate:,.0f} | "
        f"{found / QUERIES:.1%} | {stranger_rate:,.0f} | {false_hits / QUERIES:.2%} |",
        flush=True,
    )


def _screen(
    index: PersonIndex[int], queries: list[PersonFacts], truth: list[int] | None
) -> tuple[float, int]:
    """Queries per second, and how many found their record (``truth``) or hit anything."""
    started = time.perf_counter()
    counted = 0
    for position, query in enumerate(queries):
        best = None
        for number, facts in index.candidates(query):
            score = score_person(query, facts, explain=False).score
            if score >= HIT_THRESHOLD and (best is None or score > best[1]):
                best = (number, score)
        if truth is None:
            counted += best is not None
        else:
            counted += best is not None and best[0] == truth[position]
    return len(queries) / (time.perf_counter() - started), counted


def run() -> None:
    sizes = [100_000] if "--quick" in sys.argv else [100_000, 1_000_000]
    print(
        "| person records | index build | index memory | listed persons: queries/s | found "
        "| strangers: queries/s | any hit |"
    )
    print("|---|---|---|---|---|---|---|")
    for size in sizes:
        _measure(size)


if __name__ == "__main__":
    run()
