# ruff: noqa: RUF001, RUF002, RUF003 (this module is about letters of other scripts)
"""Latin renderings of names written in any script, with the spellings people actually use.

A record may hold ``محمد عبد الله`` and a query ``Mohamed Abdallah``; screening compares
Latin forms, so every name in another script gets a few Latin *variants*, primary first.

Library, chosen by measurement (``bench/transliteration.py``): speed over 3,600 Faker
names in nine scripts; closeness over the 190 UN Security Council list entries that have
an original-script name (best rapidfuzz ratio between the normalised transliteration and
the person's normalised Latin names; share of entries at 70 or more):

- PyICU 2.17 (ICU 72, ``Any-Latin; Latin-ASCII``): 48,000-76,000 names/s; 74.3, 74 %.
- rigour 2.6.1 (``ascii_text``): 46,000-77,000 names/s; 74.3, 74 % (it calls ICU).
- anyascii 0.3.3: 350,000-610,000 names/s; 70.3, 53 %.
- unidecode 1.4.0: 190,000-300,000 names/s; 69.6, 51 % (GPL-2.0+: excluded).
- this module (ICU plus the rules below, all variants): 14,000-23,000 names/s; first
  variant 87.6, 95 %; best variant 90.8, 99 %; on the 58 entries with none of the rule
  table's name words (held out) 88.5, 98 %. (Speeds: five runs on a shared 2-core box,
  before the vowel patterns and Allah row were added; closeness after.)

ICU wins on closeness: it keeps Arabic alef (``asamt`` where anyascii drops it: ``'smh``),
gives spaced pinyin (``zhang wei``), Greek ``ou`` and Indic inherent vowels, and offers
the transforms the rules need (ISO 15919 with diacritics, Han surname readings). rigour
scores the same because for these scripts it calls the same ICU (through normality, which
followthemoney already pulls in with PyICU), so it adds a layer and nothing else. anyascii
is about 8 times faster but has 20 points fewer hits; speed matters less because results are
cached and most names are Latin already. anyascii stays as the fallback for whatever ICU
leaves non-ASCII (or refuses), so every variant is ASCII.

Small documented rules (tables in ``data/transliteration.tsv``) add the spellings ICU
does not give; at most four variants, de-duplicated by normal form:

- Arabic (and Persian/Urdu letters): a consonant-and-long-vowel mapping with short-vowel
  guesses (``a`` between consonants of a word written with no long vowel: ``حسن`` →
  Hasan, but ``رحمت`` → Rahmat; ``i`` in the pattern C-ā-C-C: ``خالد`` → Khalid; see
  ``_arabic_stem``), the article as ``al-``, ``Abd al-`` compounds, Allah as a word of
  its own, the final alef maqsura of Persian text as ``i``, and a 15-row table of the
  commonest name elements. Three
  styles: standard (Muhammad, al-, Abd al-), Egyptian/Maghrebi (Mohamed, el-, Abdel,
  ``ou`` for ``u``), Turkish/Persian/South Asian (Mohammad, Abdul, no article, ``dh``→z,
  ``th``→s, ``q``→k, ``kh``→h). Then ICU's letter-for-letter form.
- Cyrillic: common English (BGN/PCGN-like: Yuriy, Yelena), passport ICAO Doc 9303
  (Iurii, Elena), popular (Yuri, ``h`` for ``х``), and ICU's scholarly ISO 9, unaccented.
- Greek: ELOT 743 as in Greek passports (Vasilis, Evangelos), then ICU's (Basiles).
- Han: toneless pinyin with surname readings: ``Mao Zedong`` and ``Mao Ze Dong``.
- Japanese kana: ICU's Hepburn, and long vowels shortened (``tarou`` → ``taro``).
- Hangul: Revised Romanization (``Gim Minjun``), customary surname (``Kim Minjun``), split.
- Indic: final inherent ``a`` dropped, ``ś ṣ c`` as ``sh ch`` (Rahul Sharma), then ICU's.
- Hebrew: ICU's, and vav as v. Anything else (Thai, Ethiopic...): ICU's form.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib.resources import files
from typing import Any

import icu  # type: ignore[import-untyped]
from anyascii import anyascii

from interlink.matching.normalise import normalise_name

__all__ = ["MAX_VARIANTS", "latin_variants", "script_of"]

MAX_VARIANTS = 4

_ICU_ASCII = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
_ICU_LATIN = icu.Transliterator.createInstance("Any-Latin")
_ICU_HAN = icu.Transliterator.createInstance("Han-Latin/Names; Any-Latin; Latin-ASCII")


def _tables() -> dict[str, list[list[str]]]:
    tables: dict[str, list[list[str]]] = {}
    rows: list[list[str]] = []
    text = files("interlink.matching").joinpath("data", "transliteration.tsv").read_text("utf-8")
    for line in text.split("\n"):
        if line.startswith("[") and line.endswith("]"):
            rows = tables.setdefault(line[1:-1], [])
        elif line and not line.startswith("#"):
            rows.append(line.split("\t"))
    return tables


_T = _tables()
_CYRILLIC = {row[0]: (row[1], row[2]) for row in _T["cyrillic"]}
_GREEK = {row[0]: row[1] for row in _T["greek"]}
_ARABIC = {row[0]: (row[1], row[2]) for row in _T["arabic"]}
_ARABIC_NAMES = {row[0]: tuple(row[1:4]) for row in _T["arabic-names"]}
_KOREAN_SURNAMES = {row[0]: row[1] for row in _T["korean-surnames"]}
_KOREAN_COMPOUND = frozenset(row[0] for row in _T["korean-compound-surnames"])
_HAN_COMPOUND = frozenset(row[0] for row in _T["han-compound-surnames"])

_SCRIPTS = {row[0]: row[1] for row in _T["scripts"]}  # first word of Unicode names
_RR_INITIAL, _RR_MEDIAL, _RR_FINAL = (row[0].split() for row in _T["hangul-rr"])
_INDIC = frozenset(row[1] for row in _T["scripts"] if row[2:] == ["indic"])


@lru_cache(maxsize=8192)
def _char_script(char: str) -> str:
    """The script of a letter (``""`` for anything that is not a letter of a script)."""
    if not char.isalpha():
        return ""
    return _SCRIPTS.get(unicodedata.name(char, "").split(" ", 1)[0], "")


def script_of(text: str) -> str:
    """The script most letters of ``text`` are in: ``"Latin"``, ``"Arabic"``, ``"Cyrillic"``,
    ``"Greek"``, ``"Hebrew"``, ``"Han"``, ``"Hiragana"``, ``"Katakana"``, ``"Hangul"``,
    ``"Devanagari"``, ``"Thai"``... (Unicode script names); ``"Common"`` if none."""
    counts = Counter(_char_script(char) for char in unicodedata.normalize("NFKC", text))
    counts.pop("", None)
    return counts.most_common(1)[0][0] if counts else "Common"


def _icu(transform: Any, text: str) -> str:
    """``transform`` applied to ``text``; anyascii's reading where ICU refuses the input."""
    try:
        return str(transform.transliterate(text))
    except icu.ICUError:
        return anyascii(text)


@lru_cache(maxsize=8192)
def _ascii(text: str, han: bool = False) -> str:
    """ICU's transliteration (with Han surname readings if ``han``), made ASCII by anyascii
    where ICU leaves anything."""
    latin = _icu(_ICU_HAN if han else _ICU_ASCII, text)
    return _spaced(latin if latin.isascii() else anyascii(latin)).replace("`", "'")


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _capitalised(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in text.split())


# --- Arabic ---------------------------------------------------------------------------

_ARABIC_SPLIT = re.compile("[\\s\u060c\u061b\u061f\u066a-\u066d\u06d4.,;:()\\[\\]/-]+")
_ARABIC_DROP = re.compile("[\u0610-\u061a\u064b-\u0650\u0652-\u065f\u0640]")  # not shadda
_HAMZA_FOLD = str.maketrans("أإآٱ", "اااا")
_STYLE_LETTERS: tuple[dict[str, str], ...] = (  # per letter, so that ت+ح (Fathi) stays
    {},
    {"u": "ou"},
    {"dh": "z", "th": "s", "q": "k", "kh": "h"},
)
_ARTICLES = ("al-", "el-", "")


def _arabic_units(stem: str) -> list[tuple[str, str]]:
    """Letters as (Latin, kind): ``c`` consonant or ``v`` vowel (waw and yeh are
    consonants at the start, after a vowel and before a shadda, long vowels elsewhere).
    A word-initial ʿayn or hamza is a consonant written as nothing (``عيسى`` Isa, ``علي``
    Ali); a final ``ه`` after a consonant is the vowel Persian and Urdu write with it
    (``زاده`` Zada, ``جمعه`` Juma), like ta marbuta."""
    units: list[tuple[str, str]] = []
    for index, char in enumerate(stem):
        if char == "\u0651":  # shadda doubles the consonant before it
            if units and units[-1][1] == "c":
                units.append(units[-1])
            continue
        latin, kind = _ARABIC.get(char, (_ascii(char), "c"))
        after_vowel = not units or units[-1][1] == "v"
        if kind in "wy":
            doubled = stem[index + 1 : index + 2] == "\u0651"
            latin, kind = (kind, "c") if after_vowel or doubled else (latin, "v")
        elif kind == "e":
            latin, kind = ("", "c") if not units else (latin, "c")
        elif char == "ه" and index == len(stem) - 1 and units and units[-1][1] == "c":
            latin, kind = "a", "v"
        else:
            kind = "v" if kind in "at" else "c"
        units.append((latin, kind))
    return units


def _arabic_stem(stem: str, style: int) -> str:
    """A word without its article: the letters, plus short-vowel guesses. Arabic syllables
    never start with two consonants nor hold three in a row, so ``a`` goes between the
    first two consonants and into runs of three. A word written with no long vowel takes
    ``a`` between every two consonants if it has three (Hasan), but the pattern
    C-a-C-C-a-C if it has four (Rahmat, Ja'far) and C-a-C-C-a if it ends in ta marbuta
    (Hamza). The pattern C-ā-C-C takes ``i`` (Khalid), as does a longer word ending in
    ā-C-C (Mujahid), unless its last letter is ``t`` (Hidayat)."""
    units = _arabic_units(stem)
    kinds = "".join(kind for _, kind in units)
    if kinds == "cvcc" and units[1][0] == "a":
        units.insert(3, ("i", "v"))
    elif len(kinds) > 4 and kinds.endswith("vcc") and units[-3][0] == "a":
        units.insert(len(units) - 1, ("a" if units[-1][0] == "t" else "i", "v"))
    final_vowel = kinds.endswith("v")
    no_long_vowel = "v" not in kinds[1:].removesuffix("v")
    every_two = no_long_vowel and kinds.count("c") == 3 and not final_vowel
    spaced: list[tuple[str, str]] = []
    for unit in units:
        run = 0
        while run < len(spaced) and spaced[-1 - run][1] == "c":
            run += 1
        if unit[1] == "c" and ((run == 1 and (every_two or len(spaced) == 1)) or run == 2):
            spaced.append(("a", "v"))
        spaced.append(unit)
    letters = _STYLE_LETTERS[style]
    return "".join(letters.get(latin, latin) for latin, _ in spaced).capitalize()


def _arabic_word(word: str, style: int, after_abd: bool) -> str:
    key = word.translate(_HAMZA_FOLD)
    if key in _ARABIC_NAMES:
        return _ARABIC_NAMES[key][style]
    if key.startswith("عبدال") and len(key) > 5:
        return _ARABIC_NAMES["عبد"][style] + " " + _arabic_word(word[3:], style, True)
    if key.startswith("ال") and len(key) > 3:
        article = "al-" if after_abd and style == 0 else "" if after_abd else _ARTICLES[style]
        return article + _arabic_stem(word[2:], style)
    return _arabic_stem(word, style)


_PERSIAN_LETTERS = frozenset("یکگپچژٹڈڑںےہھۀ")


def _arabic(text: str, style: int) -> str:
    text = _ARABIC_DROP.sub("", text).replace("عبد ال", "عبدال")
    if not _PERSIAN_LETTERS.isdisjoint(text):
        # Persian and Urdu text often ends words with the Arabic alef maqsura where it
        # means their final yeh (Nomani, not Nomana).
        text = text.replace("ى", "ی")
    words = [word for word in _ARABIC_SPLIT.split(text) if word]
    return " ".join(_arabic_word(word, style, False) for word in words)


# --- Cyrillic, Greek ------------------------------------------------------------------

_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяіїєъьй")
_FINAL_IY = re.compile(r"(?<=[iy])y\b")  # popular: Yuriy -> Yuri


def _cyrillic(text: str, passport: bool) -> str:
    """Letter by letter; in the common style е and ё are ye and yo after a vowel or sign."""
    out: list[str] = []
    previous = "а"  # word start: as after a vowel
    for char in text:
        lower = char.lower()
        pair = _CYRILLIC.get(lower)
        latin = pair[passport] if pair else char if char.isascii() else _ascii(char)
        if pair and not passport and lower in "её" and previous in _CYRILLIC_VOWELS:
            latin = "ye" if lower == "е" else "yo"
        out.append(latin.capitalize() if pair and char != lower else latin)
        previous = lower if lower.isalpha() else "а"
    return _spaced("".join(out))


_GREEK_V = frozenset("αεηιουωβγδζλμνρ")  # αυ ευ ηυ are av ev iv before these, else af ef if
_GREEK_DIPHTHONGS = {"αυ": "a", "ευ": "e", "ηυ": "i"}


def _greek_word(word: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(word):
        pair, step = word[index : index + 2], 2
        if pair in _GREEK_DIPHTHONGS:
            voiced = word[index + 2 : index + 3] in _GREEK_V
            latin = _GREEK_DIPHTHONGS[pair] + ("v" if voiced else "f")
        elif index == 0 and pair in ("μπ", "ντ"):
            latin = "b" if pair == "μπ" else "d"
        elif len(pair) == 2 and pair in _GREEK:
            latin = _GREEK[pair]
        else:
            char, step = word[index], 1
            latin = _GREEK.get(char) or (char if char.isascii() else _ascii(char))
        out.append(latin)
        index += step
    return "".join(out).capitalize()


# --- Han, kana, Hangul, Indic ---------------------------------------------------------


def _surname_first(text: str, compounds: frozenset[str]) -> list[str]:
    """Words of a name; one unspaced word of 2-4 syllables is cut after its surname."""
    words = text.split()
    if len(words) == 1 and 2 <= len(words[0]) <= 4:
        cut = 2 if words[0][:2] in compounds and len(words[0]) > 2 else 1
        words = [words[0][:cut], words[0][cut:]]
    return words


def _han(text: str) -> list[str]:
    """``Mao Zedong`` (surname, then given name joined) and ``Mao Ze Dong``."""
    words = _surname_first(text, _HAN_COMPOUND)
    joined = [_ascii(word, han=True).replace(" ", "") for word in words]
    return [_capitalised(" ".join(joined)), _capitalised(_ascii(text, han=True))]


def _rr_syllable(char: str) -> str:
    """Revised Romanization of one Hangul syllable (without sound changes across them)."""
    index = ord(char) - 0xAC00
    if not 0 <= index < 11172:
        return char if char.isascii() else _ascii(char)
    initial, medial, final = index // 588, index % 588 // 28, index % 28
    return (_RR_INITIAL[initial] + _RR_MEDIAL[medial] + _RR_FINAL[final]).replace("-", "")


def _hangul(text: str) -> list[str]:
    """``Gim Minjun``, ``Kim Minjun``, ``Kim Min Jun``: RR, customary surname, split."""
    words = _surname_first(text, _KOREAN_COMPOUND)
    rr = ["".join(_rr_syllable(char) for char in word) for word in words]
    customary = [_KOREAN_SURNAMES.get(words[0], rr[0]), *rr[1:]]
    split = [customary[0], *(" ".join(_rr_syllable(char) for char in word) for word in words[1:])]
    return [_capitalised(" ".join(form)) for form in (rr, customary, split)]


_INDIC_COMMON = (  # on ICU's ISO 15919 output; the final inherent a goes first
    (re.compile(r"(?<=[aeiouāīūēō][^aeiouāīūēō\s])a\b"), ""),
    (re.compile(r"(?<=[aeiouāīūēō][kgcjṭḍtdpb]h)a\b"), ""),
    (re.compile("[śṣ]"), "sh"),
    (re.compile("c(?!h)"), "ch"),
    (re.compile("r\u0325"), "ri"),  # vocalic r: kr̥ṣṇa -> krishna
)


def _indic(text: str) -> str:
    latin = _icu(_ICU_LATIN, text)
    for pattern, replacement in _INDIC_COMMON:
        latin = pattern.sub(replacement, latin)
    return _capitalised(_ascii(latin))


# --- dispatch -------------------------------------------------------------------------


def _candidates(text: str, script: str) -> list[str]:
    primary = _ascii(text)
    if script == "Arabic":
        return [_arabic(text, 0), _capitalised(primary), _arabic(text, 1), _arabic(text, 2)]
    if script == "Cyrillic":
        common = _cyrillic(text, passport=False)
        popular = _FINAL_IY.sub("", common).replace("Kh", "H").replace("kh", "h")
        return [common, _cyrillic(text, passport=True), popular, primary]
    if script == "Greek":
        return [" ".join(_greek_word(word) for word in normalise_name(text).split()), primary]
    if script == "Han":
        return _han(text)
    if script in ("Hiragana", "Katakana") or any(
        _char_script(char) in ("Hiragana", "Katakana") for char in text
    ):
        short = primary.replace("ou", "o").replace("uu", "u").replace("oo", "o")
        return [_capitalised(primary), _capitalised(short)]  # long vowels written or not
    if script == "Hangul":
        return _hangul(text)
    if script in _INDIC:
        return [_indic(text), _capitalised(primary)]
    if script == "Hebrew":  # vav as w (ICU) and as v (Israeli usage)
        return [_capitalised(primary), _capitalised(primary.replace("w", "v"))]
    return [_capitalised(primary) if primary.islower() else primary]


@lru_cache(maxsize=65536)
def _variants(text: str) -> tuple[str, ...]:
    text = _spaced(text)
    if normalise_name(text).isascii():
        return (text,)
    variants: dict[str, str] = {}
    for candidate in _candidates(text, script_of(text)):
        key = normalise_name(candidate)
        if key and key.isascii() and key not in variants:
            variants[key] = candidate
    if not variants:
        return (_spaced(anyascii(text)),)
    return tuple(variants.values())[:MAX_VARIANTS]


def latin_variants(text: str) -> list[str]:
    """Latin renderings of a name, primary first, at most ``MAX_VARIANTS``, no two with the
    same normal form. Text whose normal form is already ASCII is returned as it is (white
    space collapsed); blank text gives ``[""]``. See the module docstring for the rules.

    >>> latin_variants("Юрий")
    ['Yuriy', 'Iurii', 'Yuri', 'Urij']
    """
    return list(_variants(text))
