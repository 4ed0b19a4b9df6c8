"""The candidate index: which records a query should be scored against.

Each person is filed under *blocking keys*. The main ones pair two parts of a name:
every part has a few codes (its first three letters, its last three, its sound by
metaphone, its first and last letters, its initial, its consonants), and every two parts
of a name form give a key per combination of their codes; a query also asks for the
start of every name its parts are nicknames of or for. Two names meet when any two of
their parts agree on any code, so a typing error, a swap, an initial, a nickname or
another romanisation of one part still leaves keys in common, while a query no longer
has to wade through everyone who shares a single common first name. One-part names are
filed under their part alone (and, joined, names of two or three parts); identity
documents under their number's key. A query scores only the records that share the most
keys with it (``limit``): those sharing fewer than half as many as the best are left.

The postings live in two sorted numpy arrays (key hashes and record slots: 12 bytes a
posting) plus a small dictionary of recent additions, merged in when it grows. Records
change: ``add`` files a record again under its id (the old entry is dropped),
``remove`` drops it; dropped entries leave tombstones until ``compact()``.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Generic, TypeVar

import jellyfish
import numpy as np
import numpy.typing as npt
from nicknames import NickNamer

from interlink.matching.identifiers import document_number_key
from interlink.matching.score import PersonFacts

__all__ = ["PersonIndex", "person_keys"]

K = TypeVar("K", bound=Hashable)
COMMON_KEY = 5_000
"""A key filed under more records than this is consulted only if nothing rarer is."""
MERGE_AT = 200_000
"""Recent postings are merged into the sorted arrays once there are this many (or 1/8)."""


_nicknames = NickNamer()
_MASK = (1 << 64) - 1


@lru_cache(maxsize=262144)
def _codes(token: str, asking: bool) -> tuple[str, ...]:
    """A part's codes. Initials are coded apart from whole parts ("I:j" / "F:j") so that
    "J Smith" meets "John Smith" but "John Smith" does not meet "Jane Smith": a record
    files its own kind of initial code, a query (``asking``) looks for the other kind."""
    if len(token) == 1:
        return (f"I:{token}", f"F:{token}") if asking else (f"I:{token}",)
    codes = [f"p:{token[:3]}", f"I:{token[0]}" if asking else f"F:{token[0]}"]
    if len(token) >= 4:
        codes.append(f"s:{token[-3:]}")
    if len(token) >= 3:
        codes.append(f"L:{token[0]}{token[-1]}")  # survives most typing errors inside
    sound = jellyfish.metaphone(token)
    if sound:
        codes.append(f"m:{sound}")
    skeleton = _skeleton(token)
    if len(skeleton) >= 2:
        codes.append(f"k:{skeleton}")
    if asking:
        # Nicknames (Bob / Robert): a query also asks for the starts of its part's family.
        # Records file only their own codes, so a family of fifteen names does not make
        # John Smith share fifteen more keys with every John.
        codes.extend(sorted({f"p:{name[:3]}" for name in _family(token)} - set(codes)))
    return tuple(codes)


_VOWELS = re.compile(r"[aeiouyw]")
_DOUBLED = re.compile(r"(.)\1+")


def _skeleton(token: str) -> str:
    """The first three consonants (vowels and y/w out, doubles single): Arabic and Persian
    names written without short vowels (mhmd, lslh) meet their vowelled spellings."""
    return _DOUBLED.sub(r"\1", _VOWELS.sub("", token))[:3]


def _family(token: str) -> set[str]:
    canonicals = set(_nicknames.canonicals_of(token)) | {token}
    family = set(canonicals)
    for name in canonicals:
        family |= set(_nicknames.nicknames_of(name))
    return {name.lower() for name in family if len(name) >= 2}


# Kinds of keys. Each kind ranks its candidates on its own: an initial or a consonant
# skeleton gives fewer keys than two whole parts, so "J Smythe" would otherwise always
# rank below every "John Smith" when the query is "John Smythe".
DOCUMENT, PARTS, INITIAL, SKELETON, WHOLE = range(5)


def _whole_keys(token: str, tag: str, keys: dict[int, int]) -> None:
    for code in _codes(token, False):
        if code[0] in "psmL":
            keys[hash((tag, code)) & _MASK] = WHOLE


def _form_keys(tokens: tuple[str, ...], asking: bool, keys: dict[int, int]) -> None:
    # One-part names meet one-part names ("1") and, written joined, names in two or three
    # parts ("J": Hidayatullah / Hidayat Allah); a query looks up the other side's tag.
    if len(tokens) == 1:
        _whole_keys(tokens[0], "1", keys)
        if asking:
            _whole_keys(tokens[0], "J", keys)
    elif len(tokens) <= 3:
        _whole_keys("".join(tokens), "1" if asking else "J", keys)
    for left, right in combinations(tokens, 2):
        for a in _codes(left, asking):
            for b in _codes(right, asking):
                if a[0] in "IF" or b[0] in "IF":
                    if a[0] in "pm" or b[0] in "pm":  # an initial and a start or sound
                        keys[hash((a, b) if a < b else (b, a)) & _MASK] = INITIAL
                elif a[0] == "k" and b[0] == "k":  # skeletons go with skeletons
                    keys[hash((a, b) if a < b else (b, a)) & _MASK] = SKELETON
                elif a[0] != "k" and b[0] != "k":
                    keys.setdefault(hash((a, b) if a < b else (b, a)) & _MASK, PARTS)


def person_keys(facts: PersonFacts, asking: bool = False) -> dict[int, int]:
    """A person's blocking keys, hashed (str hashes are per process, as is the index),
    each with its kind: those a record is filed under, or (``asking``) those a query
    looks up."""
    keys: dict[int, int] = {}
    for number in facts.documents:
        key = document_number_key(number)[0]
        if len(key) >= 5:
            keys[hash(("d", key)) & _MASK] = DOCUMENT
    for form in facts.names:
        _form_keys(form.tokens, asking, keys)
    return keys


@dataclass(slots=True)
class _Entry(Generic[K]):
    key: K
    facts: PersonFacts


class PersonIndex(Generic[K]):
    """Persons filed under their blocking keys; ``K`` is the caller's record id type."""

    def __init__(self) -> None:
        self._entries: list[_Entry[K] | None] = []
        self._slot_of: dict[K, int] = {}
        # Sorted key hashes and their slots, replaced together (one reference) so that a
        # query running in another thread never pairs new keys with old slots.
        self._sorted: tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32]] = (
            np.empty(0, dtype=np.uint64),
            np.empty(0, dtype=np.uint32),
        )
        self._new_keys: array[int] = array("Q")
        self._new_slots: array[int] = array("I")
        self._recent: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self._slot_of)

    def _file(self, record_id: K, facts: PersonFacts) -> tuple[list[int], int | None]:
        """File a record under a new slot; returns its keys and its previous slot, which
        the caller drops once the new one is searchable (so that a query in another
        thread finds the record all along)."""
        previous = self._slot_of.get(record_id)
        slot = len(self._entries)
        self._entries.append(_Entry(record_id, facts))
        self._slot_of[record_id] = slot
        keys = list(person_keys(facts))
        self._new_keys.extend(keys)
        self._new_slots.extend([slot] * len(keys))
        return keys, previous

    def add(self, record_id: K, facts: PersonFacts) -> None:
        """File one record (a change as it happens): searchable at once."""
        slot = len(self._entries)
        keys, previous = self._file(record_id, facts)
        for key in keys:
            self._recent.setdefault(key, []).append(slot)
        if previous is not None:
            self._entries[previous] = None
        if len(self._new_keys) >= max(MERGE_AT, len(self._sorted[0]) // 8):
            self._merge()

    def extend(self, items: Iterable[tuple[K, PersonFacts]]) -> None:
        """File many records at once (a build): one sort at the end."""
        replaced = []
        for record_id, facts in items:
            previous = self._file(record_id, facts)[1]
            if previous is not None:
                replaced.append(previous)
        self._merge()
        for slot in replaced:
            self._entries[slot] = None

    def remove(self, record_id: K) -> None:
        slot = self._slot_of.pop(record_id, None)
        if slot is not None:
            self._entries[slot] = None

    def _merge(self) -> None:
        old_keys, old_slots = self._sorted
        keys = np.concatenate([old_keys, np.frombuffer(self._new_keys, dtype=np.uint64)])
        slots = np.concatenate([old_slots, np.frombuffer(self._new_slots, dtype=np.uint32)])
        order = np.argsort(keys, kind="stable")
        self._sorted = (keys[order], slots[order])
        # A query between these two lines counts a recent posting twice: harmless.
        self._new_keys, self._new_slots, self._recent = array("Q"), array("I"), {}

    def _postings(self, query: PersonFacts) -> dict[int, list[npt.NDArray[np.uint32]]]:
        """The query's postings by kind of key (very common keys left out)."""
        asked = person_keys(query, asking=True)
        hashed = np.fromiter(asked, dtype=np.uint64, count=len(asked))
        kinds = np.fromiter(asked.values(), dtype=np.int8, count=len(asked))
        pending = self._recent  # before the arrays: a merge in between counts twice, not never
        sorted_keys, sorted_slots = self._sorted
        low = np.searchsorted(sorted_keys, hashed, "left")
        high = np.searchsorted(sorted_keys, hashed, "right")
        recent = [pending.get(key, []) for key in asked]
        sizes = high - low + np.array([len(slots) for slots in recent], dtype=np.int64)
        rare = (kinds == DOCUMENT) | (sizes <= COMMON_KEY)
        rare &= sizes > 0
        if not rare.any():
            found = np.flatnonzero(sizes)
            if not len(found):
                return {}
            rare[found[np.argmin(sizes[found])]] = True  # only common keys: the least common
        postings: dict[int, list[npt.NDArray[np.uint32]]] = {}
        for i in np.flatnonzero(rare):
            kind = postings.setdefault(int(kinds[i]), [])
            kind.append(sorted_slots[low[i] : high[i]])
            if recent[i]:
                kind.append(np.array(recent[i], dtype=np.uint32))
        return postings

    def candidates(self, query: PersonFacts, limit: int = 64) -> list[tuple[K, PersonFacts]]:
        """The records sharing the most blocking keys of a kind with ``query``, most
        first: documents, then two name parts, then initials, skeletons, joined names."""
        found: dict[K, PersonFacts] = {}
        for _, postings in sorted(self._postings(query).items()):
            slots, counts = np.unique(np.concatenate(postings), return_counts=True)
            order = np.argsort(-counts, kind="stable")
            # Records sharing far fewer keys than the best ones rarely score as a hit.
            floor = (int(counts[order[0]]) + 1) // 2
            for position in order:
                if counts[position] < floor or len(found) >= limit:
                    break
                entry = self._entries[int(slots[position])]
                if entry is not None:
                    found.setdefault(entry.key, entry.facts)
        return list(found.items())

    def compact(self) -> None:
        """Rebuild without tombstones (after many updates)."""
        live = [(entry.key, entry.facts) for entry in self._entries if entry is not None]
        self.__init__()  # type: ignore[misc]
        self.extend(live)
