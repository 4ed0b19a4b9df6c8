"""Identifiers as they are compared: document numbers, VINs, firearm serials, IBANs.

One normalisation for storage, lookup and screening: a number typed ``15 ab-12345`` is
``15AB12345``; letters that officers and OCR confuse with digits (O/Q and 0, I and 1) are
folded in the lookup key so that ``AB1O2345`` finds ``AB102345``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

__all__ = [
    "IdentifierMatch",
    "compact_identifier",
    "compare_identifiers",
    "document_number_key",
    "vin_warnings",
]

_SEPARATORS = re.compile(r"[\s\-./_]+")
_LOOKALIKE = re.compile("[OQI]")
_DIGIT = re.compile("[0-9]")
_FOLD_LOOKALIKES = str.maketrans({"O": "0", "Q": "0", "I": "1"})


def compact_identifier(value: str) -> str:
    """Upper case without spaces, dashes, dots or slashes: how identifiers are compared."""
    return _SEPARATORS.sub("", value).upper()


def document_number_key(number: str) -> tuple[str, bool]:
    """The lookup key of a document number, and whether it held O/0 or I/1 look-alikes."""
    compact = compact_identifier(number)
    ambiguous = bool(_LOOKALIKE.search(compact) and _DIGIT.search(compact))
    return compact.translate(_FOLD_LOOKALIKES), ambiguous


@dataclass(frozen=True, slots=True)
class IdentifierMatch:
    score: float
    reason: str


def compare_identifiers(query: str, record: str) -> IdentifierMatch:
    """How well two identifiers of the same kind agree.

    Equal keys are a match; one character apart (a typing error) is strong evidence but
    not proof; anything else disagrees. Identifiers shorter than 5 characters never count
    as near matches (too many collide).
    """
    left, right = document_number_key(query)[0], document_number_key(record)[0]
    if not left or not right:
        return IdentifierMatch(0.0, "identifier missing")
    if left == right:
        if compact_identifier(query) == compact_identifier(record):
            return IdentifierMatch(1.0, "identical")
        return IdentifierMatch(0.97, "identical but for O/0 or I/1 look-alikes")
    if min(len(left), len(right)) >= 5 and Levenshtein.distance(left, right) == 1:
        return IdentifierMatch(0.75, "one character differs")
    return IdentifierMatch(0.0, "different")


# ISO 3779 / 49 CFR 565: transliteration of letters and the position weights.
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# World manufacturer identifiers whose region mandates the check digit (North America,
# 1-5) or uses it throughout (China, L).
_CHECK_DIGIT_REGIONS = set("12345L")


def vin_warnings(vin: str) -> list[str]:
    """What is doubtful about a VIN; an empty list when nothing is.

    Never refuses: old and non-standard VINs exist and must still be recorded.
    """
    if len(vin) != 17:
        return [f"VIN has {len(vin)} characters; ISO 3779 VINs have 17"]
    if any(char in "IOQ" for char in vin):
        return ["VIN contains I, O or Q, which ISO 3779 does not use"]
    if others := sorted(set(vin) - _VIN_VALUES.keys()):
        listed = ", ".join(map(repr, others))
        return [f"VIN contains {listed}; ISO 3779 VINs have capital letters and digits only"]
    if vin[0] in _CHECK_DIGIT_REGIONS:
        total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
        expected = "X" if total % 11 == 10 else str(total % 11)
        if vin[8] != expected:
            return [f"VIN check digit is {vin[8]!r}, expected {expected!r}"]
    return []
