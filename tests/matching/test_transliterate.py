# ruff: noqa: RUF001 (names in other scripts and look-alike letters are the point)
"""Transliteration: script detection, Latin variants per script, and robustness."""

from __future__ import annotations

import random

import pytest

from interlink.matching.normalise import normalise_name
from interlink.matching.transliterate import MAX_VARIANTS, latin_variants, script_of


def normalised(text: str) -> set[str]:
    return {normalise_name(variant) for variant in latin_variants(text)}


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("John Smith", "Latin"),
        ("José Ñúñez", "Latin"),
        ("محمد عبد الله", "Arabic"),
        ("عبدالغنی برادر", "Arabic"),  # Persian letters are Arabic script
        ("Юрий Щербаков", "Cyrillic"),
        ("Γεώργιος", "Greek"),
        ("דוד לוי", "Hebrew"),
        ("张伟", "Han"),
        ("やまだ", "Hiragana"),
        ("サトウ ユーコ", "Katakana"),
        ("김민준", "Hangul"),
        ("राहुल शर्मा", "Devanagari"),
        ("สมชาย ใจดี", "Thai"),
        ("Հայկ", "Armenian"),
        ("გიორგი", "Georgian"),
        ("ሰላም", "Ethiopic"),
        ("ＡＢＣ", "Latin"),  # full-width letters
        ("Ivan Иванов Иванович", "Cyrillic"),  # the dominant script wins
        ("123 -", "Common"),
        ("", "Common"),
    ],
)
def test_script_of(text: str, script: str) -> None:
    assert script_of(text) == script


def test_latin_text_is_returned_as_it_is() -> None:
    assert latin_variants("John Smith") == ["John Smith"]
    assert latin_variants("José  Núñez ") == ["José Núñez"]
    assert latin_variants("") == [""]
    assert latin_variants("   ") == [""]


def test_arabic_gives_the_common_spellings() -> None:
    forms = normalised("محمد")
    assert "muhammad" in forms
    assert {"mohammed", "mohamed"} & forms
    assert "mhmd" in forms  # the library's letter-for-letter form
    assert normalise_name(latin_variants("محمد عبد الله")[0]) == "muhammad abdullah"


def test_arabic_article_compounds_and_letter_variants() -> None:
    forms = normalised("عبدالخالق الحوثي")
    assert "abd al khaliq al huthi" in forms
    assert "abdel khaliq el houthi" in forms  # ou for u, el- for al-
    assert "abdul halik husi" in forms  # Turkish/Persian: kh > h, q > k, th > s
    assert latin_variants("عبدالخالق الحوثي")[0] == "Abd al-Khaliq al-Huthi"


def test_arabic_vowel_patterns_of_longer_words() -> None:
    assert "rahmat" in normalised("رحمت")  # four consonants, no long vowel: C-a-C-C-a-C
    assert "jafar" in normalised("جعفر")
    assert "hamza" in normalised("حمزة")  # and C-a-C-C-a before ta marbuta
    assert "hasan" in normalised("حسن")  # three: a between every two, as before
    assert "hadayat" in normalised("هدايت")  # a-C-C at the end takes a before t...
    assert "majahid" in normalised("مجاهد")  # ... and i otherwise
    assert "isa" in normalised("عيسى")  # a word-initial ayn is written as nothing
    assert "amir" in normalised("عامر")
    assert "zada" in normalised("زاده")  # final heh after a consonant: a vowel
    assert "ayyad" in normalised("عيّاد")  # yeh with shadda is a consonant


def test_allah_is_a_name_word_not_an_article() -> None:
    assert latin_variants("هدايت الله")[0] == "Hadayat Allah"
    assert "hadayat ullah" in normalised("هدايت الله")
    assert normalise_name(latin_variants("عبد الله")[0]) == "abdullah"


def test_persian_text_reads_final_alef_maqsura_as_i() -> None:
    assert "namani haqani" in normalised("نعمانى حقانی")  # Persian letters elsewhere: Nomani
    assert "mustafa" in normalised("مصطفى")  # Arabic text: a


def test_arabic_short_vowel_guesses() -> None:
    assert "hasan" in normalised("حسن")  # no long vowel written: a between consonants
    assert "khalid" in normalised("خالد")  # C-a-C-C takes i
    assert "nazmi" in normalised("نظمي")  # no word starts with two consonants
    assert "said" in normalised("سعيد")
    assert "iyad" in normalised("إياد")  # hamza under alef is i
    assert "dhahir" in normalised("ذاهر") and "zahir" in normalised("ذاهر")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Юрий", {"yuriy", "iurii", "yuri"}),
        ("Мария", {"mariya", "mariia", "maria"}),
        ("Хабиб", {"khabib", "habib"}),
        ("Журавлёв", {"zhuravlev"}),
        ("Щукин", {"shchukin"}),
        ("Цветкова", {"tsvetkova"}),
        ("Елена", {"yelena", "elena"}),
        ("Ярослав", {"yaroslav", "iaroslav"}),
    ],
)
def test_cyrillic_common_passport_and_popular_forms(text: str, expected: set[str]) -> None:
    assert expected <= normalised(text)


def test_cyrillic_primary_is_the_common_english_form() -> None:
    assert latin_variants("Юрий Щербаков") == [
        "Yuriy Shcherbakov",
        "Iurii Shcherbakov",
        "Yuri Shcherbakov",
        "Urij Serbakov",
    ]


def test_greek_passport_and_library_forms() -> None:
    assert "georgios papadopoulos" in normalised("Γεώργιος Παπαδόπουλος")
    assert {"vasilis", "basiles"} <= normalised("Βασίλης")
    assert "evangelos" in normalised("Ευάγγελος")
    assert "ilias" in normalised("Ηλίας")


def test_hebrew_gives_latin() -> None:
    assert {"dwd lwy", "dvd lvy"} <= normalised("דוד לוי")


def test_chinese_pinyin_spaced_and_joined() -> None:
    assert latin_variants("张伟") == ["Zhang Wei"]
    assert normalised("毛泽东") == {"mao zedong", "mao ze dong"}
    assert "ouyang xiu" in normalised("欧阳修")  # compound surname
    assert "shan xiongxin" in normalised("单雄信")  # surname reading of 单


def test_japanese_kana_with_and_without_long_vowels() -> None:
    assert normalised("やまだ たろう") == {"yamada tarou", "yamada taro"}
    assert "sato yuko" in normalised("サトウ ユーコ")
    assert all(variant.isascii() for variant in latin_variants("山田太郎"))


def test_korean_revised_romanization_and_customary_surname() -> None:
    forms = normalised("김민준")
    assert {"gim minjun", "kim minjun", "kim min jun"} <= forms
    assert latin_variants("김민준")[0] == "Gim Minjun"
    assert "lee sunsin" in normalised("이순신")
    assert "park jiseong" in normalised("박지성")
    assert "namgung minsu" in normalised("남궁민수")  # compound surname


def test_indic_common_spelling() -> None:
    assert "rahul sharma" in normalised("राहुल शर्मा")
    assert "amitabh bachchan" in normalised("अमिताभ बच्चन")
    assert "krishna" in normalised("कृष्ण")


@pytest.mark.parametrize("text", ["สมชาย ใจดี", "राहुल", "ሰላም", "Հայկ", "გიორგი", "ދިވެހި"])
def test_other_scripts_give_non_empty_latin(text: str) -> None:
    primary = normalise_name(latin_variants(text)[0])
    assert primary and primary.isascii()


def test_variants_are_few_and_distinct() -> None:
    for text in ("محمد عبد الله", "Юрий Щербаков", "김민준", "毛泽东"):
        variants = latin_variants(text)
        assert 1 <= len(variants) <= MAX_VARIANTS
        keys = [normalise_name(variant) for variant in variants]
        assert len(keys) == len(set(keys))


def test_returned_list_is_a_copy() -> None:
    latin_variants("张伟").append("x")
    assert latin_variants("张伟") == ["Zhang Wei"]


def _random_text(rng: random.Random) -> str:
    blocks = [
        (0x20, 0x7E), (0xA0, 0x24F), (0x250, 0x2FF), (0x300, 0x36F), (0x370, 0x3FF),
        (0x400, 0x52F), (0x590, 0x5FF), (0x600, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F),
        (0x1100, 0x11FF), (0x2000, 0x206F), (0x3040, 0x30FF), (0x4E00, 0x9FFF),
        (0xAC00, 0xD7A3), (0xD800, 0xDFFF), (0xFB00, 0xFFFF), (0x1F300, 0x1F6FF),
        (0x10000, 0x10FFFF),
    ]  # fmt: skip
    chars = []
    for _ in range(rng.randint(0, 12)):
        low, high = rng.choice(blocks)
        chars.append(chr(rng.randint(low, high)))
        if rng.random() < 0.2:
            chars.append(" ")
    return "".join(chars)


def test_random_unicode_never_raises_and_primary_normalises_to_ascii() -> None:
    rng = random.Random(20260101)
    for _ in range(600):
        text = _random_text(rng)
        variants = latin_variants(text)
        assert 1 <= len(variants) <= MAX_VARIANTS, text
        assert normalise_name(variants[0]).isascii(), (text, variants)
        assert isinstance(script_of(text), str)
        normalise_name(text)
