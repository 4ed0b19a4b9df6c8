"""One score in [0, 1] per candidate, and the explanation of how it came about.

The name decides first; then the other evidence moves the score up or down:

- an identical identifier (document number, VIN, serial) outweighs the names: a match
  scores at least 0.95 whatever the names say;
- the date of birth: the same date raises the score a little, a different date lowers
  it a lot (two people may share a name, rarely a name and a birthday); swapped or
  mistyped dates count for nearly as much as equal ones; years one apart where only the
  year is known count neither way;
- nationality and sex: a conflict lowers the score, agreement raises it a little.

``HIT_THRESHOLD`` (0.80) is where a match becomes a hit. On the screening benchmark
(bench/screening_accuracy.py, UN list variants) it keeps precision >= 0.95 with names
alone and >= 0.99 with a date of birth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from interlink.matching.attributes import compare_countries, compare_sex
from interlink.matching.dates import compare_dates
from interlink.matching.identifiers import compare_identifiers
from interlink.matching.names import NameForm, compare_names, name_score

__all__ = ["HIT_THRESHOLD", "PersonFacts", "Scored", "score_person"]

HIT_THRESHOLD = 0.80


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What screening knows of a person, on either side of a comparison."""

    names: tuple[NameForm, ...]
    date_of_birth: str | None = None
    nationalities: tuple[str, ...] = ()
    sex: str | None = None
    documents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    explanation: dict[str, Any] = field(default_factory=dict)


def _best_identifier(query: Sequence[str], record: Sequence[str]) -> tuple[float, str] | None:
    best: tuple[float, str] | None = None
    for left in query:
        for right in record:
            match = compare_identifiers(left, right)
            if best is None or match.score > best[0]:
                best = (match.score, f"{left} vs {right}: {match.reason}")
    return best


def score_person(query: PersonFacts, record: PersonFacts, *, explain: bool = True) -> Scored:
    """The score of ``record`` against ``query``; with ``explain=False`` the same score and
    no explanation (ranking many candidates, of which few are shown, costs less)."""
    explanation: dict[str, Any] = {}
    name_agreement = 0.0
    if explain:
        names = compare_names(query.names, record.names)
        if names:
            name_agreement = names.score
            explanation["name"] = {"score": round(names.score, 3), "detail": names.explain()}
    else:
        name_agreement = name_score(query.names, record.names) or 0.0
    score = name_agreement
    identifier = _best_identifier(query.documents, record.documents)
    if identifier and explain:
        explanation["document"] = {"score": identifier[0], "detail": identifier[1]}
    dob = compare_dates(query.date_of_birth, record.date_of_birth)
    if dob:
        if explain:
            explanation["date_of_birth"] = {"score": dob.score, "detail": dob.reason}
        if dob.score >= 0.65:
            score += 0.08 * dob.score
        elif dob.score == 0.0:
            score -= 0.25
        # In between (years one apart where only the year is known: lists often give
        # "approximately 1958") the date neither helps nor hurts.
    nationality = compare_countries(query.nationalities, record.nationalities)
    if nationality:
        if explain:
            explanation["nationality"] = {
                "agrees": nationality.agrees,
                "detail": nationality.reason,
            }
        score += 0.03 if nationality.agrees else -0.05
    sex = compare_sex(query.sex, record.sex)
    if sex:
        if explain:
            explanation["sex"] = {"agrees": sex.agrees, "detail": sex.reason}
        score += 0.0 if sex.agrees else -0.2
    if identifier and identifier[0] >= 0.97:
        score = max(score, 0.95 + 0.05 * min(name_agreement, 1.0))
    return Scored(round(min(max(score, 0.0), 1.0), 4), explanation)
