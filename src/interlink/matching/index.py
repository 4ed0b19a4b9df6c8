"""The candidate index: which records a query should be scored against.

Each person is filed under *blocking keys*: the sound (metaphone) and the first three
letters of every token of every name form (so transliterations and spelling variants
meet), and the key of every identity document. A query looks up its own keys and
scores only the records that share the most keys with it (``limit``), not the corpus.
Keys shared by very many records (the sound of "Muhammad") are consulted only when the
query has no rarer key, so that a common name does not flood the candidates.

Records change: ``add`` files a record again under its id (the old entry is dropped),
``remove`` drops it. Dropped entries leave tombstones until ``compact()``.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

import jellyfish

from interlink.matching.identifiers import document_number_key
from interlink.matching.score import PersonFacts

__all__ = ["PersonIndex", "person_keys"]

K = TypeVar("K", bound=Hashable)
COMMON_KEY = 20_000
"""A key filed under more records than this is consulted only if nothing rarer is."""


@lru_cache(maxsize=262144)
def _token_keys(token: str) -> tuple[str, ...]:
    if len(token) < 2:
        return ()
    sound = jellyfish.metaphone(token)
    keys = [f"p:{token[:3]}"]
    if sound:
        keys.append(f"m:{sound}")
    return tuple(keys)


def person_keys(facts: PersonFacts) -> set[str]:
    keys: set[str] = set()
    for form in facts.names:
        for token in form.tokens:
            keys.update(_token_keys(token))
    for number in facts.documents:
        key = document_number_key(number)[0]
        if len(key) >= 5:
            keys.add(f"d:{key}")
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
        self._postings: dict[str, array[int]] = {}

    def __len__(self) -> int:
        return len(self._slot_of)

    def add(self, record_id: K, facts: PersonFacts) -> None:
        self.remove(record_id)
        slot = len(self._entries)
        self._entries.append(_Entry(record_id, facts))
        self._slot_of[record_id] = slot
        for key in person_keys(facts):
            postings = self._postings.get(key)
            if postings is None:
                postings = self._postings[key] = array("I")
            postings.append(slot)

    def extend(self, items: Iterable[tuple[K, PersonFacts]]) -> None:
        for record_id, facts in items:
            self.add(record_id, facts)

    def remove(self, record_id: K) -> None:
        slot = self._slot_of.pop(record_id, None)
        if slot is not None:
            self._entries[slot] = None

    def candidates(self, query: PersonFacts, limit: int = 64) -> list[tuple[K, PersonFacts]]:
        """The records sharing the most blocking keys with ``query``, most first."""
        postings = [
            (key, self._postings[key]) for key in person_keys(query) if key in self._postings
        ]
        rare = [p for key, p in postings if len(p) <= COMMON_KEY or key.startswith("d:")]
        chosen = rare or sorted((p for _, p in postings), key=len)[:1]
        counts: Counter[int] = Counter()
        for slots in chosen:
            counts.update(slots)
        found: list[tuple[K, PersonFacts]] = []
        ranked = counts.most_common()
        # Records sharing far fewer keys than the best ones rarely score as a hit.
        floor = (ranked[0][1] + 1) // 2 if ranked else 0
        for slot, shared in ranked:
            if shared < floor:
                break
            entry = self._entries[slot]
            if entry is not None:
                found.append((entry.key, entry.facts))
                if len(found) >= limit:
                    break
        return found

    def compact(self) -> None:
        """Rebuild without tombstones (after many updates)."""
        live = [(entry.key, entry.facts) for entry in self._entries if entry is not None]
        self.__init__()  # type: ignore[misc]
        self.extend(live)
