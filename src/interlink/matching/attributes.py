"""Nationality and sex as screening compares them: compatible, conflicting or unknown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["AttributeMatch", "compare_countries", "compare_sex"]


@dataclass(frozen=True, slots=True)
class AttributeMatch:
    agrees: bool
    reason: str


def compare_countries(query: Iterable[str], record: Iterable[str]) -> AttributeMatch | None:
    """Agree when the sets share a country; None when either side knows none."""
    left = {code.upper() for code in query if code}
    right = {code.upper() for code in record if code}
    if not left or not right:
        return None
    shared = sorted(left & right)
    if shared:
        return AttributeMatch(True, f"nationality {', '.join(shared)} in common")
    return AttributeMatch(
        False, f"nationality {', '.join(sorted(left))} vs {', '.join(sorted(right))}"
    )


def compare_sex(query: str | None, record: str | None) -> AttributeMatch | None:
    """M/F must agree; unknown (U or missing) on either side is no evidence."""
    left, right = (query or "U").upper()[:1], (record or "U").upper()[:1]
    if "U" in (left, right) or left not in "MF" or right not in "MF":
        return None
    if left == right:
        return AttributeMatch(True, "same sex")
    return AttributeMatch(False, f"sex {left} vs {right}")
