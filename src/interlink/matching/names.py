"""Person names as screening compares them.

A name is turned into one or more *forms*: its Latin renderings (every script is
transliterated, with the common alternatives), each normalised into tokens (case,
diacritics, punctuation, titles removed; particles such as al-, bin, van attached), and
for each also the particle-free tokens, the Arabic compounds joined into one spelling
(``Abd al-Rahman`` = ``Abdulrahman``, ``Shams al-Din`` = ``Shamsuddin``) and those ending
in Allah or al-Din cut after their first name (Nasir for Nasiruddin). Two names are
compared form against form; two forms by aligning their tokens in any order, so that
swapped, missing or extra parts cost little, and a part on each side that agrees with
nothing on the other (another name, not a missing one) a little more. Two tokens agree
when they are equal, one is the other's initial, they are nickname and name (Bob /
Robert, from the maintained ``nicknames`` list), they sound alike (metaphone, same first
letter), they are spelled alike (rapidfuzz), they have the same consonants as Arabic
writes them (``Intissar`` / ``Antasar``, and names written letter for letter without
vowels: ``mhmd`` / ``Muhammad``), or they differ by a typing error (one in a short part,
two in a long one: weaker evidence). Every comparison says why.
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
    join_compounds,
    name_tokens,
    normalise_name,
    split_compounds,
    strip_particles,
)
from interlink.matching.transliterate import latin_variants

__all__ = [
    "NAME_TOKENS",
    "NameForm",
    "NameMatch",
    "compare_names",
    "name_forms",
    "name_score",
    "token_similarity",
]

_nicknames = NickNamer()

NAME_TOKENS = 12
"""Parts of a name that screening compares and files: names have a handful; the rest of
a longer text is ignored, for blocking keys pair every part with every other (a name of
200 one-letter parts took 0.4 s to file, and a record may hold 50 aliases)."""


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
        compounds = tuple(join_compounds(tokens))
        split = tuple(split_compounds(tokens))
        for candidate in (
            tokens,
            tuple(strip_particles(list(tokens))),
            untitled,
            compounds,
            split,
        ):
            candidate = candidate[:NAME_TOKENS]
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


# Letters and pairs that romanisations of one sound use in turn (French ch/dj/ou, English
# sh/j, kh/k, q/k, c before e/i as s), folded before vowels are dropped.
_SKELETON_FOLDS = (
    ("tch", "x"), ("sch", "x"), ("ch", "x"), ("sh", "x"), ("dj", "j"), ("zh", "j"),
    ("kh", "k"), ("gh", "g"), ("ph", "f"), ("th", "t"), ("dh", "d"), ("ck", "k"),
    ("ce", "se"), ("ci", "si"), ("cy", "sy"), ("c", "k"), ("q", "k"),
)  # fmt: skip
_VOWELS = frozenset("aeiou")


@lru_cache(maxsize=262144)
def _skeleton(token: str) -> str:
    """The consonants of a token as Arabic script writes them: romanisation pairs folded,
    vowels and the long-vowel letters y and w dropped (an initial vowel is kept as ``a``,
    an initial y or w as itself), a doubled letter single (it is one letter with a
    shadda): ``Intissar`` and ``Antasar`` are ``antsr``, ``Chekkouri`` and ``Shakuri``
    are ``xkr``. A token written without vowels keeps its doubled letters (``jnn`` is
    Janan: Arabic writes two letters there)."""
    collapse = not _unvocalised(token)
    for pair, folded in _SKELETON_FOLDS:
        if pair in token:
            token = token.replace(pair, folded)
    first = token[:1]
    out = "a" if first in _VOWELS else first
    previous = first
    for char in token[1:]:
        if char not in _VOWELS and char not in "yw" and (char != previous or not collapse):
            out += char
        previous = char
    return out


@lru_cache(maxsize=262144)
def _unvocalised(token: str) -> bool:
    """Written without short vowels (an Arabic name letter for letter: ``mhmd``)."""
    return len(token) >= 3 and not _VOWELS.intersection(token[1:])


@lru_cache(maxsize=262144)
def _token_info(token: str) -> tuple[frozenset[str], str, str, bool]:
    """What the comparison of a token needs, worked out once: its nickname family,
    metaphone, consonant skeleton, and whether it is written without vowels."""
    return (
        _nickname_family(token),
        jellyfish.metaphone(token),
        _skeleton(token),
        _unvocalised(token),
    )


@lru_cache(maxsize=524288)
def _token_match(left: str, right: str) -> tuple[float, str]:
    """How well two name tokens agree, in [0, 1], and by which rule (the explanation is
    written only for the match that is reported, by ``token_similarity``)."""
    if left == right:
        return 1.0, "="
    n, m = len(left), len(right)
    if n == 1 or m == 1:
        short, long_ = (left, right) if n == 1 else (right, left)
        return (0.8, "initial") if long_.startswith(short) else (0.0, "")
    family, sound, skeleton, unvocalised = _token_info(left)
    other_family, other_sound, other_skeleton, other_unvocalised = _token_info(right)
    if right in family or left in other_family:
        return 0.92, "nickname"
    ratio = fuzz.ratio(left, right) / 100
    same_first = left[0] == right[0]
    if n == m == 3 and same_first and OSA.distance(left, right) == 1:
        # Short name parts (Korean, Chinese syllables): one mistyped or swapped letter
        # still agrees well; a missing or extra one less (Cho and Chol are different
        # names, but a typing error makes one of the other), below.
        return 0.8, "one typing error"
    if same_first and sound == other_sound:
        return max(0.9, ratio), "sounds alike"
    shortest = n if n < m else m
    if ratio >= 0.75 and shortest >= 4:
        return ratio * 0.95, "spelling"
    if (skeleton == other_skeleton and len(skeleton) >= 3) or (
        (unvocalised or other_unvocalised)
        and _same_consonants(skeleton, unvocalised, other_skeleton, other_unvocalised)
    ):
        return 0.85, "same consonants"
    if abs(n - m) > 2:
        return 0.0, ""
    # Typing errors in parts too short for the ratio above: one in a part of two or
    # three letters is weak evidence (a two-part name with it alone is no hit), two in
    # a part of six letters or more a little more.
    errors = OSA.distance(left, right, score_cutoff=2)
    if errors == 1:
        return 0.58, "one typing error"
    if errors == 2 and shortest >= 6:
        return 0.6, "two typing errors"
    return 0.0, ""


def token_similarity(left: str, right: str) -> tuple[float, str]:
    """How well two name tokens agree, in [0, 1], and how (the same either way round)."""
    score, rule = _token_match(left, right) if left < right else _token_match(right, left)
    if not rule:
        return 0.0, ""
    if rule == "=":
        return score, f"{left}={right}"
    if rule == "spelling":
        rule = f"spelling, {score / 0.95:.0%}"
    return score, f"{left}~{right} ({rule})"


def _same_consonants(skeleton: str, unvocalised: bool, other: str, other_unvocalised: bool) -> bool:
    """Whether two tokens (by their ``_skeleton`` and ``_unvocalised``) have the same
    consonant skeleton, of three letters at least. A token written without vowels (Arabic
    letter for letter, alef and the article's alef left out: ``hmd`` Ahmad, ``ltkryty``
    al-Tikriti) may also lack the other's initial vowel, and start with the article's
    ``l``."""
    if skeleton == other:
        return len(skeleton) >= 3
    return (unvocalised and _unvocalised_agrees(skeleton, other)) or (
        other_unvocalised and _unvocalised_agrees(other, skeleton)
    )


def _unvocalised_agrees(bare: str, other: str) -> bool:
    bare, other = bare.removeprefix("a"), other.removeprefix("a")
    if len(bare) < 2:
        return False
    return other == bare or (len(bare) >= 3 and bare[0] == "l" and other == bare[1:])


_Similar = dict[str, dict[str, float]]


def _similar_tokens(query: Sequence[NameForm], record: Sequence[NameForm]) -> _Similar:
    """For each query token that agrees with any record token, those tokens and how well
    (each pair of distinct tokens is compared once, whatever forms they appear in)."""
    record_tokens = {token for form in record for token in form.tokens}
    similar: _Similar = {}
    for left in {token for form in query for token in form.tokens}:
        row = {
            right: score
            for right in record_tokens
            # The comparison is symmetric: one order, so that each pair is worked out once.
            if (
                score := (_token_match(left, right) if left < right else _token_match(right, left))[
                    0
                ]
            )
            > 0
        }
        if row:
            similar[left] = row
    return similar


def _align(
    query: Sequence[str], record: Sequence[str], similar: _Similar
) -> tuple[float, list[tuple[int, int]]]:
    """Best one-to-one pairing of tokens (greedy on the strongest pairs), in any order:
    the summed similarity and the pairs (query index, record index)."""
    pairs = [
        (row[right], i, j)
        for i, token in enumerate(query)
        if (row := similar.get(token))
        for j, right in enumerate(record)
        if right in row
    ]
    if len(pairs) < 2:
        return (pairs[0][0], [pairs[0][1:]]) if pairs else (0.0, [])
    pairs.sort(reverse=True)
    used_q: set[int] = set()
    used_r: set[int] = set()
    total, chosen = 0.0, []
    for score, i, j in pairs:
        if i in used_q or j in used_r:
            continue
        used_q.add(i)
        used_r.add(j)
        total += score
        chosen.append((i, j))
    return total, chosen


def _form_score(q: tuple[str, ...], r: tuple[str, ...], similar: _Similar) -> tuple[float, bool]:
    """How well two forms agree, and whether that is as joined text: tokens aligned in any
    order, each part only on one side costing a little; a single name against a full
    name at most 0.6; or, when one side has more parts, the texts joined (``abdul
    rahman`` against ``abdulrahman``)."""
    if q == r:
        return 1.0, False
    score = 0.0
    shorter, longer = (len(q), len(r)) if len(q) < len(r) else (len(r), len(q))
    if similar:
        total, chosen = _align(q, r, similar)
        score = (total / shorter) * (0.85 + 0.15 * shorter / longer)
        # A part on each side that agrees with nothing on the other is another name,
        # not a missing one: it costs a little more (brothers share all names but one).
        score *= 1 - 0.01 * (shorter - len(chosen))
        if shorter == 1 and longer > 1:
            score = min(score, 0.6)  # one name alone says little about a full name
    if shorter != longer and score < 0.95:
        joined = fuzz.ratio("".join(q), "".join(r), score_cutoff=90) / 100
        if joined * 0.95 > score:
            return joined * 0.95, True
    return min(score, 1.0), False


def _explained(
    query: NameForm, record: NameForm, score: float, joined: bool, similar: _Similar
) -> NameMatch:
    """The agreement of two forms (``_form_score``), explained."""
    q, r = query.tokens, record.tokens
    if joined:
        ratio = fuzz.ratio("".join(q), "".join(r)) / 100
        reasons = [f"{' '.join(q)}~{' '.join(r)} (joined, {ratio:.0%})"]
    elif q == r:
        reasons = [token_similarity(token, token)[1] for token in q]
    else:
        reasons = [token_similarity(q[i], r[j])[1] for i, j in _align(q, r, similar)[1]]
    if len(q) != len(r) and score > 0:
        reasons.append(f"{abs(len(q) - len(r))} part(s) only on one side")
    return NameMatch(score, " ".join(q), " ".join(r), tuple(reasons))


def _best_pair(
    query: Sequence[NameForm], record: Sequence[NameForm]
) -> tuple[float, bool, NameForm, NameForm, _Similar]:
    """The best-agreeing pair of forms: its score, whether as joined text, the forms, and
    the token similarities (for the explanation)."""
    similar = _similar_tokens(query, record)
    best, best_joined, best_pair = -1.0, False, (query[0], record[0])
    for left in query:
        for right in record:
            if similar or len(left.tokens) != len(right.tokens):
                score, joined = _form_score(left.tokens, right.tokens, similar)
            else:
                score, joined = 0.0, False  # nothing agrees, and no joined text to compare
            if score > best:
                best, best_joined, best_pair = score, joined, (left, right)
                if score >= 1.0:
                    return score, joined, left, right, similar
    return best, best_joined, *best_pair, similar


def name_score(query: Sequence[NameForm], record: Sequence[NameForm]) -> float | None:
    """``compare_names``'s score alone (no explanation written): for ranking many
    candidates, most of which are never shown."""
    if not query or not record:
        return None
    return _best_pair(query, record)[0]


def compare_names(query: Sequence[NameForm], record: Sequence[NameForm]) -> NameMatch | None:
    """The best agreement between any form of the query and any form of the record."""
    if not query or not record:
        return None
    score, joined, left, right, similar = _best_pair(query, record)
    return _explained(left, right, score, joined, similar)
