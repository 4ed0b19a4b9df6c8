"""Name comparison across spellings: compound names, consonant skeletons, names written
without vowels, typing errors in short parts, and conflicting parts."""

from __future__ import annotations

import pytest

from interlink.matching.names import compare_names, name_forms, token_similarity
from interlink.matching.score import HIT_THRESHOLD


def _score(query: str, record: str) -> float:
    match = compare_names(name_forms([query]), name_forms([record]))
    assert match is not None
    return match.score


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("Shams al-Din Haqqani", "Shamsuddin Haqqani"),
        ("Shams ud Din Haqqani", "Shamseddine Haqqani"),
        ("Abd al Rahman Zahid", "Abdulrahman Zahid"),
        ("Abdur Rahman Zahid", "Abdel Rahman Zahid"),
        ("Hidayat Allah Kakazada", "Hidayatullah Kakazada"),
        ("هدايت الله", "Hidayatullah"),  # original script against the joined Latin
        ("نصیر الدین حقانی", "Nasiruddin Haqqani"),
        ("Naseer Haqqani", "Nasiruddin Haqqani"),  # the first name of a Din compound
        ("Mafouz Walad al-Walid", "Mahfouz Ould al-Walid"),  # ould and walad: son of
    ],
)
def test_compound_names_agree_however_written(query: str, record: str) -> None:
    assert _score(query, record) >= HIT_THRESHOLD


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("Intissar al-Ubaydi", "Antasar al-Abidi"),  # initial vowel, y for a long vowel
        ("Yassine Chekkouri", "Yasin Shakuri"),  # French ch for sh, doubled letters
        ("Djamel Lounici", "Jamal Lunisi"),  # dj for j, c before i for s
        ("mhmd hsn", "Muhammad Hassan"),  # Arabic letter for letter, no vowels
        ("ltkryty sdm", "Saddam al-Tikriti"),  # the article's alef left out too
        ("jnn agha", "Janan Agha"),  # two nuns are two letters where no vowels are written
        ("myr khn mtqy", "Amir Khan Motaqi"),  # two consonants are enough there
        ("hdyt llh", "Hidayatullah"),  # Allah without its alef
    ],
)
def test_same_consonants_agree(query: str, record: str) -> None:
    assert _score(query, record) >= HIT_THRESHOLD


def test_consonant_skeletons_need_three_letters_and_the_same_start() -> None:
    assert token_similarity("mahasan", "muhsin") == (0.85, "mahasan~muhsin (same consonants)")
    assert token_similarity("aysi", "essa")[0] == 0.0  # one consonant says nothing
    assert token_similarity("ahmad", "hamid")[0] == 0.0  # a vowel start is not h


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("Kim Chol Sagm", "Kim Chol Sam"),  # a letter too many in a short part
        ("Ha Jang Su", "Han Jang Su"),  # a letter missing from a two-letter part
        ("Son Mun Jsan", "Son Mun San"),
        ("Muhannad al-Najdi Strayno", "Muhannad al-Najdi Straton"),  # two in a long part
    ],
)
def test_typing_errors_in_short_parts_agree_in_longer_names(query: str, record: str) -> None:
    assert _score(query, record) >= HIT_THRESHOLD


def test_a_typing_error_in_a_short_part_is_weak_evidence_alone() -> None:
    assert token_similarity("sam", "sagm") == (0.58, "sam~sagm (one typing error)")
    assert _score("Kim Cho", "Kim Chol") < HIT_THRESHOLD  # two parts: not enough
    assert token_similarity("najdi", "njadc")[0] == 0.0  # two errors in five letters


def test_another_name_costs_more_than_a_missing_one() -> None:
    # Brothers share all their names but the first: four of five agree, one conflicts.
    brothers = _score(
        "Yasir Sabawi Ibrahim Hasan al-Tikriti", "Ibrahim Sabawi Ibrahim Hasan al-Tikriti"
    )
    assert brothers < HIT_THRESHOLD
    missing = _score("Sabawi Ibrahim Hasan al-Tikriti", "Ibrahim Sabawi Ibrahim Hasan al-Tikriti")
    assert missing >= HIT_THRESHOLD


def test_single_compound_name_stays_a_single_name() -> None:
    # Splitting Hidayatullah into Hidayat + ullah must not make a full name of it.
    assert _score("Hidayatullah", "Najibullah Haqqani Hidayatullah") < HIT_THRESHOLD
    assert _score("Haji Khairullah", "Khairullah Khairkhwah") < HIT_THRESHOLD


def test_explanation_names_the_rule() -> None:
    match = compare_names(name_forms(["ysyn shkwry"]), name_forms(["Yassine Chekkouri"]))
    assert match is not None and match.score >= HIT_THRESHOLD
    assert "shkwry~chekkouri (same consonants)" in match.explain()
    match = compare_names(name_forms(["Shams al-Din"]), name_forms(["Shamsuddin"]))
    assert match is not None and match.score == 1.0
    assert match.explain() == "'shamsuddin' ~ 'shamsuddin': shamsuddin=shamsuddin"
