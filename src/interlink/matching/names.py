"""Person names as screening compares them.

A name is turned into one or more *forms*: its Latin renderings (every script is
transliterated, with the common alternatives), each normalised into tokens (case,
diacritics, punctuation, titles removed; particles such as al-, bin, van attached).
Two names are compared form against form; two forms by aligning their tokens in any
order, so that swapped, missing or extra parts cost little. Two tokens agree when they
are equal, one is the other's initial, they are nickname and name (Bob / Robert, from
the maintained ``nicknames`` list), they sound alike (metaphone, same first letter), or
they differ by a few typing errors (rapidfuzz). Every comparison says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from nicknames import NickNamer
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from interlink.matching.normalise import (
    attach_particles,
    name_tokens,
    normalise_name,
    strip_particles,
)
from interlink.matching.transliterate import latin_variants

__all__ = ["NameForm", "NameMatch", "compare_names", "name_forms", "token_similarity"]

_nicknames = NickNamer()


@dataclass(frozen=True, slots=True)
class NameForm:
    original: str
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NameMatch:
    score: float
    query: str
    record: str
    reasons: tuple[str, ...]

    def explain(self) -> str:
        return f"{self.query!r} ~ {self.record!r}: " + ", ".join(self.reasons)


@lru_cache(maxsize=262144)
def _forms_of(name: str) -> tuple[NameForm, ...]:
    forms: dict[tuple[str, ...], NameForm] = {}
    for variant in latin_variants(name):
        tokens = tuple(name_tokens(variant))
        # A leading title may also be a name ("Maulana Fazlullah" is listed both ways).
        untitled = tuple(attach_particles(normalise_name(variant).split()))
        for candidate in (tokens, tuple(strip_particles(list(tokens))), untitled):
            if candidate and candidate not in forms:
                forms[candidate] = NameForm(name, candidate)
    return tuple(forms.values())


def name_forms(names: Iterable[str | None]) -> list[NameForm]:
    """Every comparable form of the given names (blank ones skipped)."""
    return [form for name in names if name and name.strip() for form in _forms_of(name.strip())]


@lru_cache(maxsize=8192)
def _nickname_family(token: str) -> frozenset[str]:
    canonical = set(_nicknames.canonicals_of(token)) | {token}
    family = set(canonical)
    for name in canonical:
        family |= set(_nicknames.nicknames_of(name))
    return frozenset(family)


@lru_cache(maxsize=262144)
def _metaphone(token: str) -> str:
    return jellyfish.metaphone(token)


@lru_cache(maxsize=524288)
def token_similarity(left: str, right: str) -> tuple[float, str]:
    """How well two name tokens agree, in [0, 1], and how."""
    if left == right:
        return 1.0, f"{left}={right}"
    if len(left) == 1 or len(right) == 1:
        short, long_ = (left, right) if len(left) == 1 else (right, left)
        if long_.startswith(short):
            return 0.8, f"{left}~{right} (initial)"
        return 0.0, ""
    if right in _nickname_family(left) or left in _nickname_family(right):
        return 0.92, f"{left}~{right} (nickname)"
    ratio = fuzz.ratio(left, right) / 100
    if len(left) == len(right) == 3 and left[0] == right[0] and OSA.distance(left, right) == 1:
        # Short name parts (Korean, Chinese syllables): one mistyped or swapped letter
        # still agrees; a missing letter does not (Cho and Chol are different names).
        return 0.8, f"{left}~{right} (one typing error)"
    if left[0] == right[0] and _metaphone(left) == _metaphone(right):
        return max(0.9, ratio), f"{left}~{right} (sounds alike)"
    if ratio >= 0.75 and min(len(left), len(right)) >= 4:
        return ratio * 0.95, f"{left}~{right} (spelling, {ratio:.0%})"
    return 0.0, ""


def _align(query: Sequence[str], record: Sequence[str]) -> tuple[float, list[str]]:
    """Best one-to-one pairing of tokens (greedy on the strongest pairs), in any order."""
    pairs = sorted(
        (
            (*token_similarity(q, r), i, j)
            for i, q in enumerate(query)
            for j, r in enumerate(record)
        ),
        reverse=True,
    )
    used_q: set[int] = set()
    used_r: set[int] = set()
    total, reasons = 0.0, []
    for score, reason, i, j in pairs:
        if score <= 0 or i in used_q or j in used_r:
            continue
        used_q.add(i)
        used_r.add(j)
        total += score
        reasons.append(reason)
    return total, reasons


def _compare_forms(query: NameForm, record: NameForm) -> NameMatch:
    q, r = query.tokens, record.tokens
    total, reasons = _align(q, r)
    shorter, longer = min(len(q), len(r)), max(len(q), len(r))
    score = (total / shorter) * (0.85 + 0.15 * shorter / longer)
    if shorter == 1 and longer > 1:
        score = min(score, 0.6)  # one name alone says little about a full name
    if len(q) != len(r):
        # Joined or split parts: "abdul rahman" against "abdulrahman".
        joined = fuzz.ratio("".join(q), "".join(r)) / 100
        if joined >= 0.9 and joined * 0.95 > score:
            score, reasons = joined * 0.95, [f"{' '.join(q)}~{' '.join(r)} (joined, {joined:.0%})"]
    if longer > shorter and score > 0:
        reasons.append(f"{longer - shorter} part(s) only on one side")
    return NameMatch(min(score, 1.0), " ".join(q), " ".join(r), tuple(reasons))


def compare_names(query: Sequence[NameForm], record: Sequence[NameForm]) -> NameMatch | None:
    """The best agreement between any form of the query and any form of the record."""
    best: NameMatch | None = None
    for left in query:
        for right in record:
            match = _compare_forms(left, right)
            if best is None or match.score > best.score:
                best = match
                if best.score >= 1.0:
                    return best
    return best
