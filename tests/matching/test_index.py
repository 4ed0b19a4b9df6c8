"""The candidate index: who is scored for a query, and that changes are followed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlink.matching import index as index_module
from interlink.matching.index import PersonIndex
from interlink.matching.names import name_forms
from interlink.matching.score import PersonFacts

PEOPLE = {
    "john": "John Smith",
    "jane": "Jane Smith",
    "initial": "J. Smythe",
    "peter": "Peter Cherif",
    "robert": "Robert Dylan",
    "hidayat": "Hidayatullah",
    "abdul": "Abdul Rahman Yasin",
    "wang": "王伟",
}


def _person(name: str) -> PersonFacts:
    return PersonFacts(tuple(name_forms([name])))


def _index() -> PersonIndex[str]:
    index: PersonIndex[str] = PersonIndex()
    index.extend((key, _person(name)) for key, name in PEOPLE.items())
    return index


def _found(index: PersonIndex[str], name: str) -> list[str]:
    return [key for key, _ in index.candidates(_person(name))]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Smith John", "john"),  # swapped
        ("Jon Smiht", "john"),  # two typing errors
        ("Pecer Cherif", "peter"),  # a typo that changes a part's start and sound
        ("Bob Dylan", "robert"),  # nickname
        ("J Smith", "john"),  # an initial in the query
        ("John Smythe", "initial"),  # an initial in the record
        ("Hidayat Allah", "hidayat"),  # written apart, recorded joined
        ("Abdulrahman Yasin", "abdul"),  # written joined, recorded apart
        ("Wang Wei", "wang"),  # recorded in Chinese characters
    ],
)
def test_variants_meet_their_record(query: str, expected: str) -> None:
    assert expected in _found(_index(), query)


def test_a_shared_family_name_and_initial_is_not_enough() -> None:
    found = _found(_index(), "John Smith")
    assert "john" in found and "jane" not in found


def test_recent_changes_are_found_before_and_after_merging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = _index()
    index.add("new", _person("Marta Kowalska"))  # not merged yet
    assert "new" in _found(index, "Marta Kowalski")
    monkeypatch.setattr(index_module, "MERGE_AT", 1)
    index.add("other", _person("Olga Petrova"))  # merges everything pending
    assert "new" in _found(index, "Marta Kowalski") and "other" in _found(index, "Olga Petrova")
    index.add("new", _person("Anna Nowak"))  # filed again under its new name
    assert "new" not in _found(index, "Marta Kowalski") and "new" in _found(index, "Anna Nowak")
    index.remove("other")
    assert "other" not in _found(index, "Olga Petrova")
    index.compact()
    assert len(index) == len(PEOPLE) + 1 and "new" in _found(index, "Anna Nowak")


def test_a_document_number_finds_its_holder_whatever_the_name() -> None:
    index = _index()
    index.add("holder", PersonFacts(tuple(name_forms(["Ali Hassan"])), documents=("X 1234567",)))
    found = [key for key, _ in index.candidates(PersonFacts((), documents=("x1234567",)))]
    assert found == ["holder"]


def test_a_record_filed_again_stays_findable_meanwhile() -> None:
    index = _index()

    def updates() -> Iterator[tuple[str, PersonFacts]]:
        for number in range(3):
            yield f"other-{number}", _person(f"Person Number{number}")
            # A query in the middle of a large update (another thread, in the service).
            assert "john" in _found(index, "John Smith")
        yield "john", _person("John Smith")  # the same person, filed again
        assert "john" in _found(index, "John Smith")

    index.extend(updates())
    assert "john" in _found(index, "John Smith") and len(index) == len(PEOPLE) + 3
