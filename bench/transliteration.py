"""Transliteration libraries compared: speed, and closeness to the Latin names people use.

Speed: names per second over 3,600 distinct Faker names (400 each in Arabic, Cyrillic,
Greek, Hebrew, Chinese, Japanese, Korean, Devanagari and Thai), caches cleared, best of
three passes. Closeness: every UN Security Council list entry with a name in its original
script (``shared/data/un-sc-consolidated-2018-part.xml``): the best rapidfuzz ratio between
the normalised transliteration and the normalised Latin names of that person (full name
and aliases). ``interlink`` rows are ``latin_variants`` (ICU plus the documented rules):
its first variant, and the best of its variants; the "held out" row keeps only entries
with none of the rule table's name words, the fairer figure for names not seen before.
Candidates that are not installed are listed as such.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from defusedxml import ElementTree  # type: ignore[import-untyped]
from faker import Faker
from rapidfuzz import fuzz

from interlink.matching import transliterate
from interlink.matching.normalise import normalise_name
from interlink.matching.transliterate import latin_variants

LOCALES = ("ar_SA", "ru_RU", "el_GR", "he_IL", "zh_CN", "ja_JP", "ko_KR", "hi_IN", "th_TH")
PER_LOCALE = 400
UN_LIST = Path(__file__).resolve().parents[2] / "shared/data/un-sc-consolidated-2018-part.xml"
SAMPLES = ("محمد عبد الله", "Юрий Щербаков", "Γεώργιος Παπαδόπουλος", "张伟", "김민준", "राहुल शर्मा")

Transliterate = Callable[[str], list[str]]


def _candidates() -> list[tuple[str, str, str, Transliterate | None]]:
    """(name, version, licence, function returning variants) for each candidate."""
    rows: list[tuple[str, str, str, Transliterate | None]] = []

    def add(name: str, dist: str, licence: str, make: Callable[[], Callable[[str], str]]) -> None:
        try:
            function = make()
            rows.append((name, version(dist), licence, lambda text: [function(text)]))
        except (ImportError, PackageNotFoundError):
            rows.append((name, "not installed", licence, None))

    def icu_any_latin() -> Callable[[str], str]:
        icu = importlib.import_module("icu")
        transform = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
        return lambda text: str(transform.transliterate(text))

    add("PyICU (Any-Latin; Latin-ASCII)", "PyICU", "MIT (ICU: Unicode)", icu_any_latin)
    add("rigour (text.ascii_text)", "rigour", "MIT", lambda: _attr("rigour.text", "ascii_text"))
    add("anyascii", "anyascii", "ISC", lambda: _attr("anyascii", "anyascii"))
    add("unidecode (reference only)", "Unidecode", "GPL-2.0+: excluded", _unidecode)
    own = version("interlink")
    rows.append(("interlink latin_variants[0]", own, "Apache-2.0", lambda t: latin_variants(t)[:1]))
    rows.append(("interlink latin_variants (best of all)", own, "Apache-2.0", latin_variants))
    return rows


def _attr(module: str, name: str) -> Callable[[str], str]:
    function: Callable[[str], str] = getattr(importlib.import_module(module), name)
    return function


def _unidecode() -> Callable[[str], str]:
    return _attr("unidecode", "unidecode")


def _clear_caches() -> None:
    for owner, name in (
        ("normality.transliteration", "_ascii_text"),
        ("interlink.matching.transliterate", "_variants"),
        ("interlink.matching.transliterate", "_ascii"),
    ):
        with contextlib.suppress(ImportError, AttributeError):
            getattr(importlib.import_module(owner), name).cache_clear()


def speed_corpus() -> list[str]:
    names: list[str] = []
    for locale in LOCALES:
        faker = Faker(locale)
        faker.seed_instance(20260101)
        seen: set[str] = set()
        while len(seen) < PER_LOCALE:
            seen.add(faker.name())
        names.extend(sorted(seen))
    return names


def names_per_second(function: Transliterate, names: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        _clear_caches()
        started = time.perf_counter()
        for name in names:
            function(name)
        best = min(best, time.perf_counter() - started)
    return len(names) / best


def un_pairs(path: Path = UN_LIST) -> list[tuple[str, list[str]]]:
    """(name in original script, normalised Latin names) for each UN list entry with one."""
    pairs: list[tuple[str, list[str]]] = []
    for person in ElementTree.parse(path).getroot().iter("INDIVIDUAL"):
        original = (person.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
        if not original:
            continue
        parts = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
        latin = [" ".join(person.findtext(tag) or "" for tag in parts)]
        latin += [alias.findtext("ALIAS_NAME") or "" for alias in person.iter("INDIVIDUAL_ALIAS")]
        normalised = [normalise_name(name) for name in latin if name.strip()]
        pairs.append((original, [name for name in normalised if name]))
    return pairs


def closeness(function: Transliterate, pairs: list[tuple[str, list[str]]]) -> list[float]:
    return [
        max(fuzz.ratio(normalise_name(out), name) for out in function(original) for name in latin)
        for original, latin in pairs
    ]


def _held_out(pairs: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    words = set(transliterate._ARABIC_NAMES)
    fold = transliterate._HAMZA_FOLD
    return [
        pair
        for pair in pairs
        if not any(
            word.translate(fold) in words or word.translate(fold).startswith("عبد")
            for word in pair[0].split()
        )
    ]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def run() -> None:
    names = speed_corpus()
    pairs = un_pairs() if UN_LIST.exists() else []
    print(f"{len(names)} names for speed; {len(pairs)} UN entries with an original-script name")
    if not pairs:
        print(f"(closeness skipped: {UN_LIST} not found)")
    print()
    header = ["candidate", "version", "licence", "names/s", "mean ratio", "≥ 70", "≥ 80"]
    print(_row(header))
    print(_row(["---"] * len(header)))
    candidates = _candidates()
    for name, release, licence, function in candidates:
        if function is None:
            print(_row([name, release, licence, "-", "-", "-", "-"]))
            continue
        rate = f"{names_per_second(function, names):,.0f}"
        print(_row([name, release, licence, rate, *_closeness_cells(function, pairs)]))
    held_out = _held_out(pairs)
    label = f"interlink latin_variants, held out (n={len(held_out)})"
    cells = _closeness_cells(latin_variants, held_out)
    print(_row([label, "", "", "", *cells]))
    print()
    print(_row(["input", *(name for name, *_, function in candidates if function)]))
    print(_row(["---"] * (1 + sum(1 for *_, function in candidates if function))))
    for sample in SAMPLES:
        print(_row([sample, *(" / ".join(f(sample)) for *_, f in candidates if f)]))


def _closeness_cells(function: Transliterate, pairs: list[tuple[str, list[str]]]) -> list[str]:
    if not pairs:
        return ["-", "-", "-"]
    scores = closeness(function, pairs)
    mean = sum(scores) / len(scores)
    share = [sum(score >= cut for score in scores) / len(scores) for cut in (70, 80)]
    return [f"{mean:.1f}", f"{share[0]:.0%}", f"{share[1]:.0%}"]


if __name__ == "__main__":
    run()
