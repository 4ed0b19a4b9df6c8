# ruff: noqa: RUF001, RUF002 (this module is about letters of other scripts)
"""Normal forms of person names: the one place that decides when two spellings are "the same".

Screening compares names written by many hands: ``José``/``Jose``, ``O'Brien``/``OBrien``,
``al-Tikriti``/``Al Tikriti``/``Altikriti``, ``Dr. Ayman``/``Ayman``. Everything that
compares names goes through these functions so that both sides get the same forms.

``normalise_name`` (text to text, script-preserving):

1. NFKC (full-width and compatibility letters become plain ones), then case folding
   (``ß`` becomes ``ss``).
2. Diacritics are removed from Latin, Greek, Arabic and Hebrew letters (``é``→``e``,
   ``ά``→``α``, ``أ``→``ا``, vowel points); letters that have no decomposition are folded
   by a short table (``ø``→``o``, ``ł``→``l``, ``đ``→``d``, ``æ``→``ae``, ``œ``→``oe``,
   ``ı``→``i``, ``þ``→``th``...) and any other Latin letter by anyascii (``ə``→``e``), so
   that Latin text always ends up ASCII. Cyrillic keeps its letters except ``ё``→``е``
   (``й`` is a letter of its own); other scripts' marks (Indic vowel signs, kana voicing)
   are kept.
3. Apostrophes and their look-alikes (``'’‘`ʼʻʿʾ´``) are *deleted*: ``O'Brien`` →
   ``obrien``, ``Mu'ammar`` → ``muammar``, ``'Abd`` → ``abd`` (they mark elision or an
   Arabic ʿayn/hamza, which Latin spellings mostly leave out). Hyphens, dots and all other
   punctuation, symbols and separators become spaces: ``Jean-Pierre`` → ``jean pierre``.
   Digits of any script become ASCII digits; invisible format characters are deleted.
4. Runs of white space collapse to one space; no leading or trailing space.

Tokens (lists of strings, from the normalised text):

- ``name_parts``: the words, less a *leading* run of titles (``data/honorifics.txt``: Mr,
  Dr, Gen, Sheikh, Haji, Mullah...). Only leading ones, so the surnames Major or Sheikh
  survive; a name made only of titles is kept whole.
- ``name_tokens``: ``name_parts`` with each particle (``data/particles.txt``: al, el, bin,
  ibn, abu, van, von, de, da, la, mac...) attached to the word after it, so ``al-Tikriti``,
  ``Al Tikriti`` and ``Altikriti`` are all ``altikriti`` and ``van der Berg`` is
  ``vanderberg``. A particle at the end stays a token of its own.
- ``strip_particles``: the particle-free forms, for ``Tikriti`` against ``al-Tikriti``.
  It accepts either list: it drops particle tokens that stand alone (``name_parts``) and
  strips particle prefixes from joined tokens (``name_tokens``): ``altikriti`` → ``tikriti``,
  ``vanderberg`` → ``berg``. A joined word cannot tell a particle from the start of a name
  (``Alexander``), so a prefix is stripped only when at least 5 letters remain after a
  two-letter particle and 4 after a longer one: ``albert``, ``daniel``, ``dennis`` are
  kept, ``alexander`` gives the extra form ``exander``, which matches nothing real.
  ``mac``/``mc`` are attached but never stripped (McDonald is not Donald).
- ``name_key_tokens``: ``name_parts`` less the particles written as separate words, and
  nothing else: the exact particle-free form (``Altikriti`` stays ``altikriti``).
- ``join_compounds``: Arabic compound names as one token in one spelling, for a form of
  their own. ``Abd al-Rahman``, ``Abdel Rahman``, ``Abdur Rahman``, ``Abdurrahman`` are
  all ``abdulrahman``; ``Hidayat Allah``, ``Hidayat-ullah``, ``Hedayatollah`` are
  ``hidayatullah`` and ``hedayatullah``; ``Shams al-Din``, ``Shams ud Din``, ``Shams ad-Din``,
  ``Shamseddine`` are ``shamsuddin``. A word joins the one before it when it is such a
  ending (Allah, al-Din) or starts with the South Asian article (``ul``, ``ur``, ``ud``:
  ``Shams ur-Rahman`` → ``shamsurrahman``, ``Zia ul Haq`` → ``ziaulhaq``), or when an
  article assimilated to its next word stands between them (``ar Rahman``, ``as Salam``);
  ``Abd``, ``Abdul``, ``Abdel``... join the word after them. ``al-`` before any other
  word is a family name's article (``Ali al-Tikriti``) and joins nothing.

All functions are pure; per-character decisions are computed once and kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files

from anyascii import anyascii

__all__ = [
    "HONORIFICS",
    "PARTICLES",
    "STRIPPABLE_PARTICLES",
    "attach_particles",
    "join_compounds",
    "name_key_tokens",
    "name_parts",
    "name_tokens",
    "normalise_name",
    "split_compounds",
    "strip_particles",
]


def _word_list(filename: str) -> dict[str, str]:
    """Words of a data file (``#`` comments, blank lines skipped) with their ``[section]``."""
    words: dict[str, str] = {}
    section = ""
    for raw in (
        files("interlink.matching").joinpath("data", filename).read_text("utf-8").split("\n")
    ):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif line:
            words[line] = section
    return words


HONORIFICS: frozenset[str] = frozenset(_word_list("honorifics.txt"))
_PARTICLE_SECTIONS = _word_list("particles.txt")
PARTICLES: frozenset[str] = frozenset(_PARTICLE_SECTIONS)
STRIPPABLE_PARTICLES: frozenset[str] = frozenset(
    word for word, section in _PARTICLE_SECTIONS.items() if section == "strip"
)
# Longest first, so that "del" is tried before "de".
_PREFIXES: tuple[str, ...] = tuple(sorted(STRIPPABLE_PARTICLES, key=len, reverse=True))

_APOSTROPHES = frozenset("'`´‘’‛′ʹʻʼʽʾʿˈ׳")
# Letters without a canonical decomposition, folded as names are usually typed in ASCII.
_LETTER_FOLDS = {
    "ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ð": "d",
    "ħ": "h", "ŧ": "t", "ŀ": "l", "ĸ": "q", "ß": "ss", "ſ": "s", "ٱ": "ا",
}  # fmt: skip
# Combining marks that are diacritics (removed): the generic combining blocks, Cyrillic
# titlo, Hebrew points, Arabic harakat and Quranic marks. Other marks are kept.
_DIACRITIC_RANGES = (
    (0x0300, 0x036F), (0x0483, 0x0489), (0x0591, 0x05C7), (0x0610, 0x061A),
    (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED), (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F),
)  # fmt: skip
_FOLDED_SCRIPTS = ("LATIN", "GREEK", "ARABIC", "HEBREW")


def _is_diacritic(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _DIACRITIC_RANGES)


def _fold_letter(char: str) -> str:
    """A letter without its diacritics (Latin ones always to ASCII)."""
    script = unicodedata.name(char, "").split(" ", 1)[0]
    if script == "CYRILLIC":
        return "е" if char == "ё" else char
    if script not in _FOLDED_SCRIPTS:
        return char
    base = "".join(
        _LETTER_FOLDS.get(part, part)
        for part in unicodedata.normalize("NFKD", char)
        if not _is_diacritic(part)
    )
    if script == "LATIN" and not base.isascii():
        base = "".join(part for part in anyascii(base).lower() if part.isalnum())
    return base


def _translation(code: int) -> str | int | None:
    """What ``normalise_name`` makes of one (NFKC, case-folded) character."""
    char = chr(code)
    if char in _APOSTROPHES:
        return None
    if char in _LETTER_FOLDS:
        return _LETTER_FOLDS[char]
    category = unicodedata.category(char)
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if category in ("Mn", "Me"):
        return None if _is_diacritic(char) else code
    if category == "Lm" and unicodedata.name(char, "").startswith("MODIFIER LETTER"):
        return None
    if category[0] == "L":
        return code if char.isascii() else _fold_letter(char)
    if category == "Mc":
        return code
    if category == "Cf":
        return None
    return " "


class _Table(dict[int, "str | int | None"]):
    """A ``str.translate`` table that works each character out once, when first seen."""

    def __missing__(self, code: int) -> str | int | None:
        value = _translation(code)
        self[code] = value
        return value


_TABLE = _Table()
_ASCII_TABLE = {code: _translation(code) for code in range(128)}


def normalise_name(text: str) -> str:
    """The normal form of a name (see the module docstring): ``"Dr. José-María O'Brien"``
    → ``"dr jose maria obrien"``. Blank input gives ``""``."""
    if text.isascii():
        folded = text.lower().translate(_ASCII_TABLE)
    else:
        folded = unicodedata.normalize("NFKC", text).casefold().translate(_TABLE)
    return " ".join(folded.split())


def name_parts(text: str) -> list[str]:
    """Normalised words less a leading run of titles; particles stay separate."""
    words = normalise_name(text).split()
    start = 0
    while start < len(words) and words[start] in HONORIFICS:
        start += 1
    return words[start:] if start < len(words) else words


def attach_particles(words: list[str]) -> list[str]:
    """Glue each particle (and runs of them) to the word that follows it."""
    tokens: list[str] = []
    pending = ""
    for word in words:
        if word in PARTICLES:
            pending += word
        else:
            tokens.append(pending + word)
            pending = ""
    if pending:
        tokens.append(pending)
    return tokens


def name_tokens(text: str) -> list[str]:
    """Tokens of a name for matching: titles removed, particles attached."""
    return attach_particles(name_parts(text))


@lru_cache(maxsize=65536)
def _strip_prefixes(token: str) -> str:
    """``token`` less the particles it starts with, while enough of a name remains."""
    stripped = True
    while stripped:
        stripped = False
        for particle in _PREFIXES:
            rest = len(token) - len(particle)
            if token.startswith(particle) and rest >= (5 if len(particle) == 2 else 4):
                token = token[len(particle) :]
                stripped = True
                break
    return token


def strip_particles(tokens: list[str]) -> list[str]:
    """Particle-free forms: standalone particles dropped, particle prefixes stripped.

    ``["al", "tikriti"]`` and ``["altikriti"]`` both give ``["tikriti"]``. A token that
    is only a particle is dropped unless nothing else would remain.
    """
    kept = [_strip_prefixes(token) for token in tokens if token not in STRIPPABLE_PARTICLES]
    return kept or list(tokens)


def name_key_tokens(text: str) -> list[str]:
    """Titles and separately written particles removed, nothing else: ``"Dr. al Tikriti"``
    → ``["tikriti"]``, but ``"Altikriti"`` → ``["altikriti"]`` and ``"Alexander"`` intact."""
    words = name_parts(text)
    return [word for word in words if word not in STRIPPABLE_PARTICLES] or words


# Arabic compound names (see the module docstring): the first words of ``Abd X``, the
# endings ``Allah`` and ``al-Din`` in their usual spellings, the South Asian article
# that joins two names, and the article assimilated to a sun letter (``ad``, ``ar``...).
_COMPOUND_HEADS = frozenset(
    {"abd", "abdul", "abdel", "abdal", "abdol", "abdu", "abdou", "abdur", "abdus", "bd"}
)
# The endings as written inside a word need their doubled or l-d consonants (ullah, uddin,
# eddine, aldin): European names end in -ella, -olla, -din and -dine too (Stella,
# Cebolla, Gaudin, Claudine), and are no compounds.
_ALLAH = re.compile(r"^(?P<base>[a-z]{3,}?)(?:[aou]llah|ulla|llh|[aeiou]lah)$")
_DIN = re.compile(r"^(?P<base>[a-z]{3,}?)(?:[aeiou][dl]d|dd)(?:i|ee|y)ne?$")
_ABD = re.compile(r"^abd(?:[aeiou]l|[aeiou]?)(?P<rest>[a-z]{3,})$")
_ENDING = re.compile(r"^(?:[aou]?llah|ulla|llh|[aeiou]lah|(?:[aeiou][dl]?)?d(?:i|ee|y)ne?)$")
_JOINING_ARTICLES = ("ul", "ur", "ud")
# Also the French ed-, er-, es-; not "an": An is also a Korean surname.
_ASSIMILATED = frozenset(
    {"ad", "ud", "ed", "ar", "ur", "er", "as", "us", "es", "at", "ut", "az", "ash", "ush"}
)


def _joins_previous(token: str) -> bool:
    """An ending (``allah``, ``ullah``, ``din``, ``aldin``, ``eddine``...) on its own, or a
    word that starts with the South Asian article (``urrahman``, ``ulhaq``)."""
    if _ENDING.match(token):
        return True
    return token.startswith(_JOINING_ARTICLES) and len(token) > 4 and token not in PARTICLES


@lru_cache(maxsize=65536)
def _compound_spelling(token: str) -> str:
    """One spelling of a joined compound: ``abdurrahman`` → ``abdulrahman``,
    ``hedayatollah`` → ``hedayatullah``, ``shamseddine`` → ``shamsuddin``."""
    abd = _ABD.match(token)
    if abd:
        rest = abd.group("rest")
        if rest[0] == rest[1] and rest[0] not in "aeiou":  # abdur-rahman: sun letter
            rest = rest[1:]
        token = "abdul" + rest
    for pattern, ending in ((_ALLAH, "ullah"), (_DIN, "uddin")):
        match = pattern.match(token)
        if match:
            return match.group("base") + ending
    return token


def join_compounds(tokens: Sequence[str]) -> list[str]:
    """Arabic compound names joined into one token each, in one spelling (see the module
    docstring): ``["abd", "alrahman", "hidayat", "allah"]`` → ``["abdulrahman",
    "hidayatullah"]``. Tokens are ``name_tokens`` (particles attached)."""
    joined: list[str] = []
    pending_head = ""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if (joined or pending_head) and token in _ASSIMILATED and following[:1] == token[-1:]:
            if pending_head:  # "abd ar rahman"
                joined.append(pending_head + token + following)
                pending_head = ""
            else:  # "shams ad din"
                joined[-1] += token + following
            index += 2
            continue
        if joined and not pending_head and _joins_previous(token):
            joined[-1] += token
        elif token in _COMPOUND_HEADS and following:
            pending_head += token
        else:
            joined.append(pending_head + token)
            pending_head = ""
        index += 1
    if pending_head:
        joined.append(pending_head)
    return [_compound_spelling(token) for token in joined]


def split_compounds(tokens: Sequence[str]) -> list[str]:
    """``join_compounds``, then each compound ending in Allah or al-Din cut after its
    first name (``nasiruddin`` → ``nasir``, ``uddin``), which is also used alone (Nasir
    for Nasir al-Din). Only in names of two or more parts, so that a single name stays a
    single name; ``Abd`` compounds stay whole, as Abd is no name alone."""
    joined = join_compounds(tokens)
    if len(joined) < 2:
        return joined
    split: list[str] = []
    for token in joined:
        for pattern, ending in ((_ALLAH, "ullah"), (_DIN, "uddin")):
            match = pattern.match(token)
            if match and len(match.group("base")) >= 3 and not _ABD.match(token):
                split += [match.group("base"), ending]
                break
        else:
            split.append(token)
    return split
