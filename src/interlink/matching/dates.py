"""Dates of birth as screening compares them: partial, swapped, mistyped.

Records and queries hold dates known to the year, the month or the day. Two dates
*agree* when every part both know is equal; they are *near* when they differ the way
people and forms get dates wrong: day and month swapped, one digit mistyped, two
adjacent digits transposed. Each comparison returns a score in [0, 1] and the reason,
for the match's explanation; ``None`` means no evidence (a date is missing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["DateMatch", "PartialDate", "compare_dates", "parse_partial_date"]

_PARTIAL = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?\s*$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def digits(self) -> str:
        return f"{self.year:04d}{self.month or 0:02d}{self.day or 0:02d}"


@dataclass(frozen=True, slots=True)
class DateMatch:
    score: float
    reason: str


@lru_cache(maxsize=65536)
def parse_partial_date(text: str | None) -> PartialDate | None:
    """``1971``, ``1971-03``, ``1971-03-09`` (or with / or .); None for anything else."""
    if not text:
        return None
    match = _PARTIAL.match(text)
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    return PartialDate(year, month, day)


def _one_digit_apart(left: str, right: str) -> bool:
    return sum(a != b for a, b in zip(left, right, strict=True)) == 1


def _adjacent_transposition(left: str, right: str) -> bool:
    differing = [i for i, (a, b) in enumerate(zip(left, right, strict=True)) if a != b]
    return (
        len(differing) == 2
        and differing[1] == differing[0] + 1
        and left[differing[0]] == right[differing[1]]
        and left[differing[1]] == right[differing[0]]
    )


def compare_dates(query: str | None, record: str | None) -> DateMatch | None:
    """How well a queried date agrees with a recorded one; None when either is unknown."""
    left, right = parse_partial_date(query), parse_partial_date(record)
    if left is None or right is None:
        return None
    full = all(d.month and d.day for d in (left, right))
    if left == right:
        return DateMatch(1.0, "same date" if full else "same (partial) date")
    if (
        left.year == right.year
        and (left.month is None or right.month is None or left.month == right.month)
        and (left.day is None or right.day is None)
    ):
        return DateMatch(0.9, "consistent: one date is known only in part")
    if full:
        if (left.year, left.month, left.day) == (right.year, right.day, right.month):
            return DateMatch(0.8, "day and month swapped")
        if _one_digit_apart(left.digits(), right.digits()):
            return DateMatch(0.7, "one digit differs")
        if _adjacent_transposition(left.digits(), right.digits()):
            return DateMatch(0.65, "two adjacent digits transposed")
    if abs(left.year - right.year) == 1 and (left.month is None or right.month is None):
        return DateMatch(0.4, "years one apart, no month to compare")
    return DateMatch(0.0, "different dates")
