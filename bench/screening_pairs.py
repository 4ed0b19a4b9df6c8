"""Labelled screening pairs built from the UN Security Council list (see screening_accuracy).

Each person gives one *record* (primary name, one date of birth, nationalities) and several
*queries* that name the same person another way, each labelled with its variant type.
Every query is paired with its own record (a positive) and with the records of other
people of the same split (negatives: the nearest names and random ones). Queries naming
the person exactly but with a date of birth 17 years off are kept apart.

The list holds one person twice (Hassan Dahir Aweys, QDi.042 and SOi.002): entries with
the same normalised name and date of birth are merged, so that no pair calls a person a
stranger to himself. Aliases are split by a crude word test into "related" (a word equal
or spelled alike, ratio >= 80, or one inside the other) and "unrelated name" (noms de
guerre, kunyas); a few heavy respellings (Kasim Sulaymani / Qasem Soleimani) fail the
test and count as unrelated.

Generation is deterministic: every random choice comes from a ``random.Random`` seeded with
``SEED`` and the reference number, so adding a variant type does not reshuffle the others.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from anyascii import anyascii
from defusedxml import ElementTree  # type: ignore[import-untyped]
from followthemoney.types import registry
from nicknames import NickNamer
from rapidfuzz import fuzz, process

from interlink.matching.normalise import normalise_name

__all__ = [
    "DOB_SHIFT_YEARS",
    "Benchmark",
    "Pair",
    "Person",
    "Query",
    "build_benchmark",
    "load_people",
]

UN_LIST = Path(__file__).resolve().parents[2] / "shared/data/un-sc-consolidated-2018-part.xml"
SEED = 20260101
RANDOM_NEGATIVES = 20
NEAR_NEGATIVES = 5
DOB_SHIFT_YEARS = 17
NAME_TAGS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")

# Alternations seen between romanisations of the same name (Yusuf/Youssef, Muhammad/
# Mohamed, Khalid/Halid, Qasim/Kasim, Chol/Cheol, Ivanov/Iwanow...). The vowel rules leave
# a word's first letter alone: it is the letter spellings of a name agree on most.
SPELLING_RULES: tuple[tuple[str, str], ...] = (
    (r"ou", "u"),
    (r"(?<=[a-z])u", "ou"),
    (r"(?<=[a-z])u", "o"),
    (r"(?<=[a-z])o", "u"),
    (r"(?<=[a-z])o", "eo"),
    (r"(?<=[a-z])a(?=[a-z])", "e"),
    (r"(?<=[a-z])e(?=[a-z])", "a"),
    (r"(?<=[a-z])i", "ee"),
    (r"ee", "i"),
    (r"(?<=[a-z])i\b", "y"),
    (r"(?<=[a-z])y\b", "i"),
    (r"\by", "i"),
    (r"kh", "h"),
    (r"q", "k"),
    (r"dh", "z"),
    (r"th", "t"),
    (r"sh", "ch"),
    (r"\bj", "dj"),
    (r"([bdfgklmnprstz])\1", r"\1"),
    (r"(?<=[aeiou])([bdfklmnrst])(?=[aeiou])", r"\1\1"),
    (r"w", "v"),
    (r"v", "w"),
    (r"ph", "f"),
    (r"\bal-", "el-"),
    (r"\babd al-", "abdul "),
)
# Particles and titles: sharing only these does not make two names related.
GENERIC_WORDS = frozenset(
    {"abd", "abdel", "abdul", "abu", "bin", "ibn", "ben", "bint", "ould"}
    | {"sheikh", "shaykh", "mullah", "haji", "maulavi"}
)
_nicknames = NickNamer()


@dataclass(frozen=True, slots=True)
class Person:
    """One individual of the list, as a record: what the matchers are screened against."""

    reference: str
    name: str
    date_of_birth: str | None
    nationalities: tuple[str, ...]  # ISO 3166 alpha-2, lower case
    aliases: tuple[str, ...]  # QUALITY Good only
    original_script: str | None
    split: str  # "dev" or "held-out"


@dataclass(frozen=True, slots=True)
class Query:
    person: int  # index of the true record in Benchmark.people
    kind: str  # variant type
    name: str
    date_of_birth: str | None
    nationalities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pair:
    query: int
    record: int
    negative: str | None  # None for the positive, else "random" or "near name"


@dataclass(frozen=True, slots=True)
class Benchmark:
    people: tuple[Person, ...]
    queries: tuple[Query, ...]
    pairs: tuple[Pair, ...]
    other_birthday: tuple[Query, ...]  # exact name, date of birth shifted: should not hit


# --- the list -------------------------------------------------------------------------


def _text(element: object, tag: str) -> str:
    return " ".join((element.findtext(tag) or "").split())  # type: ignore[attr-defined]


def _split(reference: str) -> str:
    return "dev" if hashlib.sha256(reference.encode()).digest()[0] % 2 == 0 else "held-out"


_DATE = re.compile(r"^\d{4}(?:-\d{2}-\d{2})?")


def _date_of_birth(person: object) -> str | None:
    """The first exact date, else the first year (ranges and notes are not dates); a time
    zone suffix (``1960-01-01-05:00``) is dropped."""
    dates = list(person.iter("INDIVIDUAL_DATE_OF_BIRTH"))  # type: ignore[attr-defined]
    for tag in ("DATE", "YEAR"):
        for element in dates:
            match = _DATE.match(_text(element, tag))
            if match:
                return match.group()
    return None


def _nationalities(person: object) -> tuple[str, ...]:
    codes: list[str] = []
    for element in person.iter("NATIONALITY"):  # type: ignore[attr-defined]
        for value in element.iter("VALUE"):
            code = registry.country.clean_text(value.text or "")
            if code and len(code) == 2 and code not in codes:
                codes.append(code)
    return tuple(codes)


def _aliases(person: object, primary: str) -> tuple[str, ...]:
    """Good-quality aliases, split where one entry holds several (``A; B``), that differ
    from the primary name once normalised."""
    seen = {normalise_name(primary)}
    aliases: list[str] = []
    for alias in person.iter("INDIVIDUAL_ALIAS"):  # type: ignore[attr-defined]
        if _text(alias, "QUALITY").lower() != "good":
            continue
        for name in _text(alias, "ALIAS_NAME").split(";"):
            key = normalise_name(name)
            if key and key not in seen:
                seen.add(key)
                aliases.append(name.strip())
    return tuple(aliases)


def _merged(first: Person, second: Person) -> Person:
    aliases = {normalise_name(alias): alias for alias in second.aliases + first.aliases}
    return replace(
        first,
        aliases=tuple(aliases.values()),
        original_script=first.original_script or second.original_script,
        nationalities=tuple(dict.fromkeys(first.nationalities + second.nationalities)),
    )


def load_people(path: Path = UN_LIST) -> list[Person]:
    """One record per person: entries with the same normalised name and date of birth (one
    person listed under two sanctions regimes) are merged into the first one listed."""
    people: dict[tuple[str, str | None], Person] = {}
    for element in ElementTree.parse(path).getroot().iter("INDIVIDUAL"):
        name = " ".join(part for part in (_text(element, tag) for tag in NAME_TAGS) if part)
        reference = _text(element, "REFERENCE_NUMBER")
        if not name or not reference:
            continue
        person = Person(
            reference=reference,
            name=name,
            date_of_birth=_date_of_birth(element),
            nationalities=_nationalities(element),
            aliases=_aliases(element, name),
            original_script=_text(element, "NAME_ORIGINAL_SCRIPT") or None,
            split=_split(reference),
        )
        key = (normalise_name(name), person.date_of_birth)
        people[key] = _merged(people[key], person) if key in people else person
    return list(people.values())


# --- name variants --------------------------------------------------------------------


def _rng(person: Person, kind: str) -> random.Random:
    return random.Random(f"{SEED}:{person.reference}:{kind}")


def _typo(name: str, edits: int, rng: random.Random) -> str:
    """``edits`` random typing errors (substitution or insertion of a random letter,
    deletion, transposition of neighbours) on letters, never emptying a word."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    text = list(name)
    for _ in range(edits):
        positions = [i for i, char in enumerate(text) if char.isalpha()]
        i = rng.choice(positions)
        operation = rng.choice(("substitute", "delete", "insert", "transpose"))
        upper = text[i].isupper()
        letter = rng.choice(letters.replace(text[i].lower(), ""))
        letter = letter.upper() if upper else letter
        word_ok = (i > 0 and text[i - 1].isalpha()) or (i + 1 < len(text) and text[i + 1].isalpha())
        if operation == "delete" and word_ok:
            del text[i]
        elif operation == "insert":
            text.insert(i, letter)
        elif operation == "transpose" and i + 1 < len(text) and text[i + 1].isalpha():
            text[i], text[i + 1] = text[i + 1], text[i]
        else:
            text[i] = letter
    return "".join(text)


def _respell(name: str, rng: random.Random) -> str | None:
    """One or two romanisation alternations applied at one place each; None if none fits."""
    text = name.lower()
    rules = [rule for rule in SPELLING_RULES if re.search(rule[0], text)]
    if not rules:
        return None
    for pattern, replacement in rng.sample(rules, min(len(rules), rng.choice((1, 2)))):
        matches = list(re.finditer(pattern, text))
        if not matches:
            continue
        match = rng.choice(matches)
        text = text[: match.start()] + match.expand(replacement) + text[match.end() :]
    return text.title() if normalise_name(text) != normalise_name(name) else None


def _swap(words: list[str], rng: random.Random) -> str | None:
    if len(words) < 2:
        return None
    if len(words) == 2 or rng.random() < 0.5:
        return " ".join([words[-1], *words[:-1]])
    return " ".join([*words[1:], words[0]])


def _missing_part(words: list[str], rng: random.Random) -> str | None:
    if len(words) < 3:
        return None
    drop = rng.randrange(1, len(words) - 1)
    return " ".join(words[:drop] + words[drop + 1 :])


def _initial(words: list[str], rng: random.Random) -> str | None:
    if len(words) < 2:
        return None
    index = rng.randrange(1, len(words) - 1) if len(words) >= 3 else 0
    letters = [char for char in words[index] if char.isalpha()]
    if not letters:
        return None
    return " ".join([*words[:index], letters[0].upper() + ".", *words[index + 1 :]])


def _nickname(words: list[str], rng: random.Random) -> str | None:
    if not words or not words[0].isascii():
        return None
    nicknames = sorted(_nicknames.nicknames_of(words[0].lower()))
    if not nicknames:
        return None
    return " ".join([rng.choice(nicknames).title(), *words[1:]])


def _words(name: str) -> set[str]:
    return {word for word in normalise_name(name).split() if len(word) > 2} - GENERIC_WORDS


def _related_words(left: str, right: str) -> bool:
    """Equal, spelled alike (ratio >= 80) or one inside the other (Shams / Shamsurrahman)."""
    if fuzz.ratio(left, right) >= 80:
        return True
    return min(len(left), len(right)) >= 5 and fuzz.partial_ratio(left, right) == 100


def _alias_kind(alias: str, primary: str) -> str:
    """Aliases with a word related to one of the primary name (a respelling, a shorter or
    reordered form) apart from those with none (another name: nom de guerre, kunya), which
    no comparison of names can be expected to find."""
    related = any(_related_words(a, p) for a in _words(alias) for p in _words(primary))
    return "alias: related" if related else "alias: unrelated name"


def _name_variants(person: Person) -> Iterator[tuple[str, str]]:
    """(variant type, query name) for one person."""
    words = person.name.split()
    yield "exact (control)", person.name
    for alias in person.aliases:
        yield _alias_kind(alias, person.name), alias
    if person.original_script:
        yield "original script", person.original_script
        yield "transliteration: anyascii", anyascii(person.original_script)
    generated: list[tuple[str, Callable[[random.Random], str | None]]] = [
        ("transliteration: spelling", lambda rng: _respell(person.name, rng)),
        ("typo: 1 edit", lambda rng: _typo(person.name, 1, rng)),
        ("typo: 2 edits", lambda rng: _typo(person.name, 2, rng)),
        ("swap", lambda rng: _swap(words, rng)),
        ("missing part", lambda rng: _missing_part(words, rng)),
        ("initial", lambda rng: _initial(words, rng)),
        ("nickname", lambda rng: _nickname(words, rng)),
    ]
    for kind, make in generated:
        name = make(_rng(person, kind))
        if name and normalise_name(name) != normalise_name(person.name):
            yield kind, name


# --- date variants --------------------------------------------------------------------


def _valid(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _digit_typo(date: str, rng: random.Random) -> str:
    """One digit changed in the decade, year, month or day (the century is left alone)."""
    digits = date.replace("-", "")
    while True:
        position = rng.randrange(2, len(digits))
        changed = digits[:position] + rng.choice("0123456789".replace(digits[position], ""))
        changed += digits[position + 1 :]
        if len(changed) == 4:
            return changed
        year, month, day = int(changed[:4]), int(changed[4:6]), int(changed[6:])
        if _valid(year, month, day):
            return f"{year:04d}-{month:02d}-{day:02d}"


def _date_variants(person: Person) -> Iterator[tuple[str, str]]:
    date = person.date_of_birth
    if not date:
        return
    if len(date) == 10:
        year, month, day = (int(part) for part in date.split("-"))
        if day <= 12 and day != month:
            yield "date: day/month swapped", f"{year:04d}-{day:02d}-{month:02d}"
        yield "date: year only", date[:4]
    kind = "date: one digit mistyped" if len(date) == 10 else "date: year mistyped (year only)"
    yield kind, _digit_typo(date, _rng(person, "date typo"))


def _shifted(date: str) -> str:
    year = int(date[:4]) + DOB_SHIFT_YEARS
    if len(date) == 10 and date[5:] == "02-29":
        return f"{year:04d}-02-28"
    return f"{year:04d}{date[4:]}"


# --- pairs ----------------------------------------------------------------------------


def _queries(person: int, record: Person) -> list[Query]:
    base = Query(person, "", record.name, record.date_of_birth, record.nationalities)
    queries = [replace(base, kind=kind, name=name) for kind, name in _name_variants(record)]
    queries += [replace(base, kind=kind, date_of_birth=d) for kind, d in _date_variants(record)]
    return queries


def _search_key(name: str) -> str:
    return normalise_name(anyascii(name))


def _negatives(
    query_index: int, query: Query, candidates: list[int], keys: dict[int, str]
) -> list[Pair]:
    """Nearest names first (rapidfuzz token_sort_ratio), then random records."""
    others = [index for index in candidates if index != query.person]
    choices = {index: keys[index] for index in others}
    near = process.extract(
        _search_key(query.name), choices, scorer=fuzz.token_sort_ratio, limit=NEAR_NEGATIVES
    )
    near_records = [index for _, _, index in near]
    rng = random.Random(f"{SEED}:negatives:{query_index}")
    pool = [index for index in others if index not in near_records]
    randoms = rng.sample(pool, min(RANDOM_NEGATIVES, len(pool)))
    return [Pair(query_index, index, "near name") for index in near_records] + [
        Pair(query_index, index, "random") for index in randoms
    ]


def build_benchmark(path: Path = UN_LIST) -> Benchmark:
    people = load_people(path)
    keys = {index: _search_key(person.name) for index, person in enumerate(people)}
    by_split: dict[str, list[int]] = {}
    for index, person in enumerate(people):
        by_split.setdefault(person.split, []).append(index)
    queries: list[Query] = []
    pairs: list[Pair] = []
    other_birthday: list[Query] = []
    for index, person in enumerate(people):
        for query in _queries(index, person):
            query_index = len(queries)
            queries.append(query)
            pairs.append(Pair(query_index, index, None))
            pairs += _negatives(query_index, query, by_split[person.split], keys)
        if person.date_of_birth:
            other_birthday.append(
                Query(
                    index,
                    "same name, different DOB (should not hit)",
                    person.name,
                    _shifted(person.date_of_birth),
                    person.nationalities,
                )
            )
    return Benchmark(tuple(people), tuple(queries), tuple(pairs), tuple(other_birthday))
