"""Name comparison, the person score and the candidate index."""

from __future__ import annotations

import pytest

from interlink.matching.index import PersonIndex
from interlink.matching.names import compare_names, name_forms, token_similarity
from interlink.matching.score import HIT_THRESHOLD, PersonFacts, score_person


def _names(*names: str) -> tuple:  # type: ignore[type-arg]
    return tuple(name_forms(names))


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("John Smith", "Smith, John"),  # order swapped
        ("Anna Maria Eriksson", "Anna Eriksson"),  # extra middle name
        ("J. Smith", "John Smith"),  # initial
        ("Bob Dylan", "Robert Dylan"),  # nickname
        ("Mohammed Al-Tikriti", "Muhammad al Tikriti"),  # spelling variant, particle
        ("Abdulrahman Hassan", "Abdul Rahman Hassan"),  # joined / split
        ("Jonathon Smyth", "Jonathan Smith"),  # typing errors
        ("José García", "Jose Garcia"),  # diacritics
    ],
)
def test_variants_of_a_name_agree(query: str, record: str) -> None:
    match = compare_names(_names(query), _names(record))
    assert match is not None and match.score >= HIT_THRESHOLD, match and match.explain()


@pytest.mark.parametrize(
    ("query", "record"),
    [("John Smith", "Jane Doe"), ("Ali Hassan", "Omar Farouk"), ("Smith", "John Smith")],
)
def test_different_names_do_not(query: str, record: str) -> None:
    match = compare_names(_names(query), _names(record))
    assert match is None or match.score < HIT_THRESHOLD


def test_token_similarity_says_why() -> None:
    assert token_similarity("robert", "bob")[1].endswith("(nickname)")
    assert token_similarity("j", "john") == (0.8, "j~john (initial)")
    assert token_similarity("smith", "jones") == (0.0, "")


def test_other_evidence_moves_the_score() -> None:
    record = PersonFacts(_names("Jean Dupont"), "1971-03-09", ("FR",), "M", ("15AB12345",))
    same = score_person(PersonFacts(_names("Jean Dupont"), "1971-03-09", ("FR",), "M"), record)
    other_birthday = score_person(PersonFacts(_names("Jean Dupont"), "1990-12-01"), record)
    other_sex = score_person(PersonFacts(_names("Jean Dupont"), sex="F"), record)
    by_document = score_person(
        PersonFacts(_names("Someone Else"), documents=("15 AB 12345",)), record
    )
    assert same.score >= 0.95 and same.explanation["date_of_birth"]["detail"] == "same date"
    assert other_birthday.score < HIT_THRESHOLD
    assert other_sex.score < same.score
    assert (
        by_document.score >= 0.95 and "identical" in by_document.explanation["document"]["detail"]
    )


def test_index_finds_candidates_and_follows_changes() -> None:
    index: PersonIndex[str] = PersonIndex()
    index.add("a", PersonFacts(_names("Jean Dupont")))
    index.add("b", PersonFacts(_names("Maria Garcia")))
    index.add("c", PersonFacts(_names("Someone"), documents=("X1234567",)))
    assert [key for key, _ in index.candidates(PersonFacts(_names("Jean Dupond")))][:1] == ["a"]
    assert [key for key, _ in index.candidates(PersonFacts((), documents=("x1234567",)))] == ["c"]
    index.add("a", PersonFacts(_names("Pierre Martin")))
    assert "a" not in [key for key, _ in index.candidates(PersonFacts(_names("Jean Dupont")))]
    index.remove("b")
    assert "b" not in [key for key, _ in index.candidates(PersonFacts(_names("Maria Garcia")))]
    index.compact()
    assert len(index) == 2


@pytest.mark.parametrize(
    ("query", "record", "agrees"),
    [
        ("Choe Hiw", "Choe Hwi", True),  # short parts: one swapped letter
        ("Kim Chol", "Kim Cho", False),  # a missing letter makes another name
        ("Fazlullah Maulana", "Maulana Fazlullah", True),  # a title that is also a name
    ],
)
def test_short_parts_and_titles(query: str, record: str, agrees: bool) -> None:
    match = compare_names(_names(query), _names(record))
    assert match is not None and (match.score >= HIT_THRESHOLD) is agrees, match.explain()


def test_a_year_one_apart_is_no_evidence_either_way() -> None:
    record = PersonFacts(_names("Omar Haddad"), "1958")
    near = score_person(PersonFacts(_names("Omar Haddad"), "1959-04-02"), record)
    far = score_person(PersonFacts(_names("Omar Haddad"), "1975-04-02"), record)
    assert near.score >= HIT_THRESHOLD > far.score


def test_unexplained_score_is_the_explained_one() -> None:
    records = [
        PersonFacts(_names("Jean Dupont"), "1971-03-09", ("FR",), "M", ("15AB12345",)),
        PersonFacts(_names("Abd al-Rahman Shams al-Din"), "1965"),
        PersonFacts(_names("Robert Smith", "Bob Smythe"), "1980-02-01", ("GB",)),
    ]
    queries = [
        PersonFacts(_names("Dupont Jean"), "1971-09-03", ("FR",)),
        PersonFacts(_names("Jean Dupon"), sex="F"),
        PersonFacts(_names("Abdulrahman Shamsuddin"), "1966"),
        PersonFacts(_names("Bob Smith"), "1980-02-01", ("US",)),
        PersonFacts(_names("Someone Else"), documents=("15 AB 12345",)),
    ]
    for query in queries:
        for record in records:
            explained = score_person(query, record)
            plain = score_person(query, record, explain=False)
            assert plain.score == explained.score
            assert plain.explanation == {}
    assert any(score_person(q, r).score >= HIT_THRESHOLD for q in queries for r in records)
