# ruff: noqa: RUF001 (names in other scripts and look-alike letters are the point)
"""Name normalisation: normal form, titles, particles, and the particle-free forms."""

from __future__ import annotations

import pytest

from interlink.matching.normalise import (
    HONORIFICS,
    PARTICLES,
    STRIPPABLE_PARTICLES,
    attach_particles,
    join_compounds,
    name_key_tokens,
    name_parts,
    name_tokens,
    normalise_name,
    split_compounds,
    strip_particles,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("José María", "jose maria"),
        ("François Müller-Lüdenscheidt", "francois muller ludenscheidt"),
        ("Dvořák Łukasz Đorđe", "dvorak lukasz dorde"),
        ("Straße", "strasse"),
        ("Søren Ærø", "soren aero"),
        ("Œuvre", "oeuvre"),
        ("Dıyarbakır", "diyarbakir"),
        ("İstanbul", "istanbul"),
        ("Þórður", "thordur"),
        ("Əliyev", "eliyev"),
        ("Nguyễn Thị Minh Khai", "nguyen thi minh khai"),
        ("ﬁona ＳＭＩＴＨ", "fiona smith"),
    ],
)
def test_diacritics_ligatures_and_special_letters_fold_to_ascii(text: str, expected: str) -> None:
    assert normalise_name(text) == expected


def test_apostrophes_are_deleted_and_other_punctuation_becomes_space() -> None:
    assert normalise_name("O'Brien") == "obrien"
    assert normalise_name("O’Brien") == "obrien"
    assert normalise_name("Mu`ammar ʿAbd") == "muammar abd"
    assert normalise_name("Jean-Pierre") == "jean pierre"
    assert normalise_name("Smith, John A.") == "smith john a"
    assert normalise_name("al-Tikriti_(Saddam)") == "al tikriti saddam"


def test_whitespace_collapses_and_blank_input_is_empty() -> None:
    assert normalise_name("  Anna \t\n  Karenina  ") == "anna karenina"
    assert normalise_name("") == ""
    assert normalise_name("   \t\n") == ""
    assert normalise_name("\u200b\u00ad") == ""
    assert normalise_name("-- ' .") == ""


def test_other_scripts_keep_their_letters_with_diacritics_removed() -> None:
    assert normalise_name("Γεώργιος") == "γεωργιοσ"
    assert normalise_name("Юрий Ёлкин") == "юрий елкин"  # й kept, ё folded
    assert normalise_name("عَبْدُ ٱللَّٰهِ أحمد") == "عبد الله احمد"
    assert normalise_name("שָׁלוֹם") == "שלום"
    assert normalise_name("राहुल") == "राहुल"  # Indic vowel signs are not diacritics
    assert normalise_name("김민준") == "김민준"
    assert normalise_name("ｶﾞｰﾃﾞﾝ") == "ガーデン"


def test_digits_of_any_script_become_ascii() -> None:
    assert normalise_name("Room ٣٤ / ४२") == "room 34 42"


def test_name_parts_removes_leading_titles_only() -> None:
    assert name_parts("Dr. John Smith") == ["john", "smith"]
    assert name_parts("Sheikh Haji Mullah Omar") == ["omar"]
    assert name_parts("Gen. Col. Capt. Prof. Sir Ann Lee") == ["ann", "lee"]
    assert name_parts("Mrs Ms Mr Shaykh Shaikh Hajji Maulana Sayyid X") == ["x"]
    assert name_parts("John Major") == ["john", "major"]
    assert name_parts("Ahmad Sheikh") == ["ahmad", "sheikh"]
    assert name_parts("Dr") == ["dr"]  # a name made only of titles is kept
    assert name_parts("") == []
    assert name_parts("  ") == []


def test_title_list_has_the_documented_entries() -> None:
    for title in ("mr", "mrs", "ms", "dr", "prof", "sir", "sheikh", "shaykh", "shaikh"):
        assert title in HONORIFICS
    for title in ("haji", "hajji", "mullah", "maulana", "sayyid", "gen", "col", "capt"):
        assert title in HONORIFICS
    assert "syed" not in HONORIFICS and "major" not in HONORIFICS


@pytest.mark.parametrize(
    "text", ["al-Tikriti", "Al Tikriti", "Altikriti", "AL-TIKRITI", "al Tikriti"]
)
def test_article_spellings_give_the_same_token(text: str) -> None:
    assert name_tokens(text) == ["altikriti"]


def test_particles_attach_to_the_next_token_in_any_position() -> None:
    assert name_tokens("Saddam Hussein al-Tikriti") == ["saddam", "hussein", "altikriti"]
    assert name_tokens("Osama bin Mohammed bin Laden") == ["osama", "binmohammed", "binladen"]
    assert name_tokens("Abu Bakr al-Baghdadi") == ["abubakr", "albaghdadi"]
    assert name_tokens("Ludwig van Beethoven") == ["ludwig", "vanbeethoven"]
    assert name_tokens("Hans van der Berg") == ["hans", "vanderberg"]
    assert name_tokens("Maria de la Cruz dos Santos") == ["maria", "delacruz", "dossantos"]
    assert name_tokens("Ronald Mac Donald") == ["ronald", "macdonald"]
    assert name_tokens("Shams-ur-Rahman") == ["shams", "urrahman"]
    assert name_tokens("Dr. Ayman al-Zawahiri") == ["ayman", "alzawahiri"]
    assert name_tokens("Umm Kulthum") == ["ummkulthum"]


def test_a_trailing_particle_stays_a_token() -> None:
    assert name_tokens("Ravi Das") == ["ravi", "das"]
    assert name_tokens("Ibn") == ["ibn"]
    assert attach_particles(["x", "van", "der"]) == ["x", "vander"]


def test_hyphenated_names_split_into_tokens() -> None:
    assert name_tokens("Jean-Pierre Lévy-Strauss") == ["jean", "pierre", "levy", "strauss"]
    assert name_tokens("Abd-al-Khaliq al-Huthi") == ["abd", "alkhaliq", "alhuthi"]


def test_blank_input_gives_no_tokens() -> None:
    for function in (name_tokens, name_key_tokens, name_parts):
        assert function("") == []
        assert function(" \t ") == []
    assert strip_particles([]) == []


def test_strip_particles_accepts_separate_and_joined_particles() -> None:
    assert strip_particles(name_parts("al-Tikriti")) == ["tikriti"]
    assert strip_particles(name_tokens("al-Tikriti")) == ["tikriti"]
    assert strip_particles(name_tokens("Altikriti")) == ["tikriti"]
    assert strip_particles(name_tokens("Tikriti")) == ["tikriti"]
    assert strip_particles(name_tokens("Hans van der Berg")) == ["hans", "berg"]
    assert strip_particles(name_tokens("Osama bin Laden")) == ["osama", "laden"]
    assert strip_particles(["al"]) == ["al"]  # never everything


def test_strip_particles_keeps_short_remainders_and_mac() -> None:
    # Too little would remain after a two-letter particle: names, not particles.
    assert strip_particles(["albert", "daniel", "dennis", "alan", "delia"]) == [
        "albert",
        "daniel",
        "dennis",
        "alan",
        "delia",
    ]
    assert strip_particles(name_tokens("Ronald McDonald")) == ["ronald", "mcdonald"]
    assert "mac" in PARTICLES and "mac" not in STRIPPABLE_PARTICLES


def test_name_key_tokens_drops_only_separately_written_particles() -> None:
    assert name_key_tokens("Dr. al Tikriti") == ["tikriti"]
    assert name_key_tokens("Saddam al-Tikriti") == ["saddam", "tikriti"]
    assert name_key_tokens("Altikriti") == ["altikriti"]
    assert name_key_tokens("Alexander van Dijk") == ["alexander", "dijk"]
    assert name_key_tokens("Ronald Mac Donald") == ["ronald", "mac", "donald"]


def test_results_are_not_shared_between_calls() -> None:
    first = strip_particles(["al", "tikriti"])
    first.append("x")
    assert strip_particles(["al", "tikriti"]) == ["tikriti"]


@pytest.mark.parametrize(
    ("names", "joined"),
    [
        (
            ["Abd al-Rahman", "Abdel Rahman", "Abdur Rahman", "Abdurrahman", "Abd ar-Rahman"],
            "abdulrahman",
        ),
        (["Abdul Rahman", "Abdulrahman", "Abd-al-Rahman", "Abdal Rahman"], "abdulrahman"),
        (["Abdullah", "Abd Allah", "Abdallah", "Abdulla", "Abd-Allah"], "abdullah"),
        (["Hidayat Allah", "Hidayat-ullah", "Hidayatullah", "Hidayat Ulla"], "hidayatullah"),
        (
            ["Shams al-Din", "Shams ud Din", "Shams ad-Din", "Shamseddine", "Shamsuddin"],
            "shamsuddin",
        ),
        (["Najm Eddine", "Najm ed-Din", "Najmuddin", "Najm al-Deen"], "najmuddin"),
        (["Shams ur-Rahman", "Shamsurrahman"], "shamsurrahman"),
    ],
)
def test_compound_names_join_into_one_spelling(names: list[str], joined: str) -> None:
    for name in names:
        assert join_compounds(name_tokens(name)) == [joined], name


def test_join_compounds_leaves_other_names_alone() -> None:
    assert join_compounds(name_tokens("Ali al-Tikriti")) == ["ali", "altikriti"]  # a nisba
    assert join_compounds(name_tokens("Kim An Nam")) == ["kim", "an", "nam"]  # An: a surname
    assert join_compounds(name_tokens("Nadine Abdi")) == ["nadine", "abdi"]
    assert join_compounds(name_tokens("Mohammed Abdulla Saleh")) == [
        "mohammed",
        "abdullah",
        "saleh",
    ]
    assert join_compounds(["abdul"]) == ["abdul"]  # nothing to join
    assert join_compounds(name_tokens("Zia ul Haq")) == ["ziaulhaq"]
    assert join_compounds(name_tokens("Abd al-Majid Aziz al-Zindani")) == [
        "abdulmajid",
        "aziz",
        "alzindani",
    ]


def test_split_compounds_keeps_the_first_name_of_allah_and_din_compounds() -> None:
    assert split_compounds(name_tokens("Nasiruddin Haqqani")) == ["nasir", "uddin", "haqqani"]
    assert split_compounds(name_tokens("Najib Allah Haqqani")) == ["najib", "ullah", "haqqani"]
    # A single name stays single, and Abd is no name alone.
    assert split_compounds(name_tokens("Hidayatullah")) == ["hidayatullah"]
    assert split_compounds(name_tokens("Abdullah Saleh")) == ["abdullah", "saleh"]


@pytest.mark.parametrize(
    "name",
    ["Valentine Gaudin", "Claudine Bernardin", "Stella Rossi", "Anna Ella Smith", "Maria Cebolla"],
)
def test_european_names_ending_like_compounds_are_no_compounds(name: str) -> None:
    tokens = name_tokens(name)
    assert join_compounds(tokens) == tokens and split_compounds(tokens) == tokens


def test_ould_and_walad_are_particles_like_bin() -> None:
    assert name_tokens("Mahfouz Ould al-Walid") == ["mahfouz", "ouldalwalid"]
    assert strip_particles(name_tokens("Mahfouz Walad al-Walid")) == ["mahfouz", "walid"]
