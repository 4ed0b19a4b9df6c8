"""Article 3 screening: what must be flagged, what must not, and the shape of the flags."""

from __future__ import annotations

import unicodedata

import pytest

from interlink.notices import neutrality
from interlink.notices.neutrality import NeutralityFlag, neutrality_flags

CATEGORIES = {"political", "military", "religious", "racial"}


def _codes(flags: list[NeutralityFlag]) -> list[str]:
    return [flag.code for flag in flags]


@pytest.mark.parametrize(
    ("field", "text", "code", "words"),
    [
        # political: offences against the state, espionage
        ("charges.0.offence", "High treason", "political.treason", "treason"),
        ("charges.0.offence", "Trahison", "political.treason", "Trahison"),
        ("charges.0.offence", "Alta traición a la patria", "political.treason", "traición"),
        ("charges.0.offence", "Sedition", "political.offence_against_state", "Sedition"),
        ("summary", "Charged with undermining state power", "political.offence_against_state",
         "undermining state power"),
        ("summary", "Conspiracy for the overthrow of the government",
         "political.offence_against_state", "overthrow of the government"),
        ("charges.1.offence", "Atteinte à la sûreté de l'État", "political.offence_against_state",
         "sûreté de l'État"),
        ("charges.0.offence", "Incitement to separatism", "political.separatism", "separatism"),
        ("charges.0.offence", "Séparatisme", "political.separatism", "Séparatisme"),
        ("summary", "Extremism: he posted his opinions on social media",
         "political.extremism_opinion", "Extremism"),
        ("charges.0.offence", "Espionage for a foreign intelligence service",
         "political.espionage", "Espionage"),
        ("charges.0.offence", "Espionnage", "political.espionage", "Espionnage"),
        # political: opinion and expression, assembly, opposition, elections
        ("charges.0.offence", "Insulting the President", "political.insulting_head_of_state",
         "Insulting the President"),
        ("charges.0.offence", "Insulto al presidente de la República",
         "political.insulting_head_of_state", "Insulto al presidente"),
        ("charges.0.offence", "Offense au chef de l'État", "political.insulting_head_of_state",
         "Offense au chef de l'État"),
        ("charges.0.offence", "Defamation of state officials",
         "political.defamation_of_officials", "Defamation of state officials"),
        ("summary", "Spreading false information about the armed forces",
         "political.false_information", "Spreading false information"),
        ("charges.0.offence", "Difusión de noticias falsas", "political.false_information",
         "noticias falsas"),
        ("charges.0.offence", "Propaganda against the state", "political.propaganda",
         "Propaganda"),
        ("context", "Known for his criticism of the government",
         "political.criticism_of_government", "criticism of the government"),
        ("charges.0.offence", "Organising an unauthorised demonstration",
         "political.unauthorised_assembly", "unauthorised demonstration"),
        ("summary", "Participation in a rally in the capital", "political.unauthorised_assembly",
         "Participation in a rally"),
        ("summary", "Participation à une manifestation non autorisée",
         "political.unauthorised_assembly", "manifestation non autorisée"),
        ("context", "She is a member of an opposition party", "political.opposition",
         "opposition party"),
        ("summary", "Election fraud by vote buying", "political.election", "Election"),
        ("summary", "Terrorism with a political motive", "political.political_terms", "political"),
        # military
        ("charges.0.offence", "Desertion", "military.desertion", "Desertion"),
        ("charges.0.offence", "Désertion en temps de paix", "military.desertion", "Désertion"),
        ("charges.0.offence", "Deserción", "military.desertion", "Deserción"),
        ("charges.0.offence", "Draft evasion", "military.draft_evasion", "Draft evasion"),
        ("summary", "Refusal to perform military service", "military.draft_evasion",
         "Refusal to perform military service"),
        ("context", "He declared himself a conscientious objector", "military.draft_evasion",
         "conscientious objector"),
        ("charges.0.offence", "Mutiny", "military.mutiny", "Mutiny"),
        ("context", "Sentenced by a court-martial", "military.military_justice", "court-martial"),
        # religious
        ("charges.0.offence", "Blasphemy", "religious.blasphemy", "Blasphemy"),
        ("charges.0.offence", "Blasfemia", "religious.blasphemy", "Blasfemia"),
        ("charges.0.offence", "Apostasie", "religious.apostasy", "Apostasie"),
        ("charges.0.offence", "Proselytism", "religious.proselytism", "Proselytism"),
        ("charges.0.offence", "Insulting religion", "religious.insulting_religion",
         "Insulting religion"),
        ("summary", "Offending the feelings of believers", "religious.insulting_religion",
         "Offending the feelings of believers"),
        ("charges.0.offence", "Heresy", "religious.heresy", "Heresy"),
        ("summary", "Religious practice outside a registered place of worship",
         "religious.practice_or_group", "Religious practice"),
        ("charges.0.offence", "Membership of a banned religious group",
         "religious.practice_or_group", "banned religious group"),
        # racial
        ("summary", "Targeted because of his ethnic origin", "racial.race_or_ethnicity",
         "ethnic origin"),
        ("charges.0.offence", "Offence defined by race", "racial.race_or_ethnicity", "race"),
        ("context", "Member of an ethnic group", "racial.ethnic_group", "ethnic group"),
        ("context", "Pertenencia a una etnia", "racial.ethnic_group", "etnia"),
    ],
)  # fmt: skip
def test_article_3_wording_is_flagged(field: str, text: str, code: str, words: str) -> None:
    flags = neutrality_flags({field: text})

    assert code in _codes(flags)
    flag = next(flag for flag in flags if flag.code == code)
    assert flag.category == code.split(".")[0]
    assert flag.field == field
    assert words in flag.excerpt
    assert flag.reason


@pytest.mark.parametrize(
    "text",
    [
        "Murder",
        "Armed robbery",
        "Armed robbery of a military depot",
        "Theft of military equipment",
        "Drug trafficking",
        "Fraud",
        "Fraud: obtained loans by providing false information to banks",
        "Money laundering",
        "Rape",
        "Kidnapping for ransom",
        "Terrorism",
        "Terrorism: bombing of a metro station that killed twelve people",
        "Terrorism financing",
        "Membership of an extremist armed group that bombed a bus",
        "Homicide volontaire et coups et blessures",
        "Escroquerie en bande organisée",
        "Tráfico de drogas y robo con violencia",
        "Horse race fixing",
        "The suspect protested his innocence",
        "Offences committed by the president of the company",
        "Smuggled migrants across the desert",
    ],
)
def test_ordinary_law_crimes_are_not_flagged(text: str) -> None:
    assert neutrality_flags({"charges.0.offence": text, "summary": text}) == []


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("politician", "political.subject_politician"),
        ("former head of state", "political.subject_politician"),
        ("journalist", "political.subject_journalist"),
        ("human rights defender", "political.subject_rights_defender"),
        ("refugee", "political.subject_refugee"),
        ("military officer", "military.subject_military"),
        ("religious leader", "religious.subject_religious"),
        ("Journaliste", "political.subject_journalist"),
        ("réfugié", "political.subject_refugee"),
    ],
)
def test_subject_status_raises_its_own_flag(status: str, code: str) -> None:
    flags = neutrality_flags({"charges.0.offence": "Murder"}, subject_status=status)

    assert _codes(flags) == [code]
    assert flags[0].field == "subject.status"
    assert flags[0].category == code.split(".")[0]
    assert flags[0].excerpt == status


@pytest.mark.parametrize("status", ["businessman", "police officer", "", "   ", None])
def test_other_statuses_raise_nothing(status: str | None) -> None:
    assert neutrality_flags({}, subject_status=status) == []


def test_one_flag_per_code_and_field() -> None:
    flags = neutrality_flags(
        {
            "charges.0.offence": "Treason, high treason and treason again",
            "charges.1.offence": "Treason",
        }
    )

    assert [(flag.code, flag.field) for flag in flags] == [
        ("political.treason", "charges.0.offence"),
        ("political.treason", "charges.1.offence"),
    ]
    assert flags[0].excerpt.startswith("Treason")


def test_order_follows_texts_then_rules_then_status() -> None:
    flags = neutrality_flags(
        {
            "summary": "Desertion and treason",
            "charges.0.offence": "Blasphemy",
            "context": "Sedition",
        },
        subject_status="journalist",
    )

    assert [(flag.field, flag.code) for flag in flags] == [
        ("summary", "political.treason"),
        ("summary", "military.desertion"),
        ("charges.0.offence", "religious.blasphemy"),
        ("context", "political.offence_against_state"),
        ("subject.status", "political.subject_journalist"),
    ]
    assert neutrality_flags({"context": "Sedition", "summary": "Treason"})[0].field == "context"


def test_blank_and_missing_texts_are_skipped() -> None:
    assert neutrality_flags({"summary": None, "context": "", "charges.0.offence": "  \n"}) == []
    assert neutrality_flags({}) == []


def test_matching_ignores_case_and_diacritics_and_excerpt_keeps_the_writing() -> None:
    decomposed = unicodedata.normalize("NFD", "Poursuivi pour DÉSERTION en 2020")

    (flag,) = neutrality_flags({"summary": decomposed})

    assert flag.code == "military.desertion"
    assert "DÉSERTION" in unicodedata.normalize("NFC", flag.excerpt)


def test_excerpt_is_at_most_120_characters_around_the_match() -> None:
    text = "word " * 60 + "accused of blasphemy in a sermon" + " more" * 60

    (flag,) = neutrality_flags({"summary": text})

    assert len(flag.excerpt) <= 120
    assert "blasphemy" in flag.excerpt
    assert flag.excerpt.startswith("word ") and flag.excerpt.endswith(" more")


def test_words_inside_other_words_do_not_match() -> None:
    assert neutrality_flags({"summary": "Protestant church funds embezzled by the treasurer"}) == []


def test_requesting_country_is_named_in_state_reasons() -> None:
    (flag,) = neutrality_flags({"charges.0.offence": "Treason"}, requesting_country="XX")

    assert "(XX)" in flag.reason


def test_as_dict_has_the_five_string_fields() -> None:
    (flag,) = neutrality_flags({"charges.0.offence": "Mutiny"})

    assert flag.as_dict() == {
        "code": "military.mutiny",
        "category": "military",
        "field": "charges.0.offence",
        "excerpt": "Mutiny",
        "reason": flag.reason,
    }


def test_rule_codes_are_unique_and_prefixed_by_a_category() -> None:
    codes = [rule.code for rule in (*neutrality._RULES, *neutrality._STATUS_RULES)]

    assert len(codes) == len(set(codes))
    assert {rule.category for rule in neutrality._RULES} == CATEGORIES
    assert all(code.split(".")[0] in CATEGORIES for code in codes)
