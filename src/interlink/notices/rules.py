"""The criteria a request must meet (refused with a 422 naming the field) and the
compliance flags a secretariat reviewer must address before publication.

Criteria (INTERPOL's Rules on the Processing of Data, summarised in
``shared/domain/notices.md``): a Red notice needs a person with sufficient identifiers
(name and date of birth, or a photograph, or fingerprints), charges, a warrant or
judicial decision, and a penalty of at least two years' deprivation of liberty
(prosecution) or at least six months of a sentence remaining; private or family
matters, minor offences, administrative breaches and behavioural or cultural norms are
excluded unless the conduct facilitates a serious crime. A penalty below the threshold
may go forward only as a request for an exception, which the reviewer decides.

Flags are indications, not decisions: Article 3 neutrality (``neutrality.py``), an
exception asked for, an excluded kind of offence said to be linked to serious crime,
wording that suggests an excluded matter.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

from interlink.core.errors import InvalidInput
from interlink.notices.neutrality import neutrality_flags
from interlink.notices.types import (
    Charge,
    NoticeType,
    OffenceCategory,
    PersonSubject,
    RedData,
    _Request,
)
from interlink.records.kinds import fold

__all__ = [
    "MIN_PENALTY_MONTHS",
    "MIN_REMAINING_MONTHS",
    "check_criteria",
    "compliance_flags",
]

MIN_PENALTY_MONTHS = 24
"""Prosecution: the offence is punishable by at least two years' deprivation of liberty."""
MIN_REMAINING_MONTHS = 6
"""Serving a sentence: at least six months of it remain."""

_EXCLUDED = {
    OffenceCategory.PRIVATE_DISPUTE: "offences deriving from private disputes",
    OffenceCategory.FAMILY_MATTER: "offences relating to family or private matters",
    OffenceCategory.MINOR_OFFENCE: "minor offences",
    OffenceCategory.ADMINISTRATIVE_BREACH: (
        "offences deriving from a violation of administrative laws or regulations"
    ),
    OffenceCategory.BEHAVIOURAL_OR_CULTURAL: (
        "offences raising controversial issues of behavioural or cultural norms"
    ),
}

# Wording that suggests an excluded matter behind an "ordinary law" charge.
_SUSPECT = re.compile(
    r"\b(unpaid debts?|debt|bounced cheques?|dishonou?red cheques?|cheque sans provision"
    r"|breach of contract|adultery|custody|child support|alimony|maintenance arrears"
    r"|parking|traffic offen[cs]es?|speeding|tax returns?|customs declaration|visa overstay"
    r"|same-sex|homosexual\w*|abortion|dette|adultere|pension alimentaire)\b"
)


def _identified(person: PersonSubject) -> bool:
    return bool((person.has_name() and person.date_of_birth) or person.photo or person.fingerprints)


def check_criteria(notice_type: NoticeType, data: _Request, prefix: str = "body.data") -> None:
    """Refuse (``InvalidInput``) a request that does not meet its type's criteria."""
    person = getattr(data, "person", None)
    if isinstance(person, PersonSubject) and not _identified(person):
        needed = "name and date of birth" if notice_type is NoticeType.RED else "name"
        if notice_type is NoticeType.RED or not person.has_name():
            raise InvalidInput(
                f"{prefix}.person",
                f"the person is not sufficiently identified: give the {needed}, "
                "or a photograph (photo), or fingerprints",
            )
    if isinstance(data, RedData):
        _check_red(data, prefix)


def _check_red(data: RedData, prefix: str) -> None:
    if data.warrant.date > date.today().isoformat():
        raise InvalidInput(f"{prefix}.warrant.date", "a warrant or decision cannot be dated later")
    for position, charge in enumerate(data.charges):
        if charge.category in _EXCLUDED and not charge.linked_to_serious_crime:
            raise InvalidInput(
                f"{prefix}.charges.{position}.category",
                f"{_EXCLUDED[charge.category]} are excluded from Red notices, unless the "
                "conduct facilitates a serious crime or is linked to organised crime "
                "(linked_to_serious_crime)",
            )
    if data.purpose == "prosecution":
        _threshold(
            data,
            [charge.max_penalty_months for charge in data.charges],
            "max_penalty_months",
            MIN_PENALTY_MONTHS,
            "punishable by",
            prefix,
        )
    else:
        _threshold(
            data,
            [charge.remaining_months for charge in data.charges],
            "remaining_months",
            MIN_REMAINING_MONTHS,
            "with a sentence remaining of",
            prefix,
        )


def _threshold(
    data: RedData,
    values: list[int | None],
    name: str,
    minimum: int,
    wording: str,
    prefix: str,
) -> None:
    known = [value for value in values if value is not None]
    if not known:
        raise InvalidInput(
            f"{prefix}.charges.0.{name}",
            f"a Red notice sought for {data.purpose} needs each charge's {name}",
        )
    best = max(known)
    if best < minimum and data.penalty_exception is None:
        position = values.index(best)
        raise InvalidInput(
            f"{prefix}.charges.{position}.{name}",
            f"no charge is {wording} at least {minimum} months (the highest is {best}); "
            "a Red notice below the threshold needs penalty_exception.reason, for the "
            "reviewer to decide",
        )


def _texts(data: _Request) -> dict[str, str | None]:
    texts: dict[str, str | None] = {
        "summary": data.summary,
        "context": data.context,
        "statements": data.statements,
    }
    for name in (
        "information_sought",
        "offence",
        "criminal_activities",
        "threat",
        "modus_operandi",
        "criminal_link",
    ):
        value = getattr(data, name, None)
        if isinstance(value, str):
            texts[name] = value
    for name in ("description", "found_place", "missing_place"):
        value = getattr(data, name, None)
        if isinstance(value, str):
            texts[name] = value
    charges: list[Charge] = getattr(data, "charges", None) or []
    for position, charge in enumerate(charges):
        texts[f"charges.{position}.offence"] = charge.offence
        texts[f"charges.{position}.law"] = charge.law
    if isinstance(data, RedData):
        texts["warrant.issuing_authority"] = data.warrant.issuing_authority
        if data.penalty_exception is not None:
            texts["penalty_exception.reason"] = data.penalty_exception.reason
    for name in ("objects", "devices", "concealment_methods"):
        for position, item in enumerate(getattr(data, name, None) or []):
            texts[f"{name}.{position}"] = item
    entity = getattr(data, "entity", None)
    if entity is not None:
        texts["entity.name"] = entity.name
        for position, alias in enumerate(entity.aliases):
            texts[f"entity.aliases.{position}"] = alias
    return texts


def _flag(
    code: str, field: str, excerpt: str, reason: str, category: str = "rules"
) -> dict[str, Any]:
    return {
        "code": code,
        "category": category,
        "field": field,
        "excerpt": excerpt[:120],
        "reason": reason,
    }


def compliance_flags(
    notice_type: NoticeType, data: _Request, requesting_country: str | None
) -> list[dict[str, Any]]:
    """Every indication a reviewer must address, each with a stable ``id``."""
    person = getattr(data, "person", None)
    status = person.status if isinstance(person, PersonSubject) else None
    found: list[dict[str, Any]] = [
        flag.as_dict()
        for flag in neutrality_flags(
            _texts(data), requesting_country=requesting_country, subject_status=status
        )
    ]
    if isinstance(data, RedData):
        if data.penalty_exception is not None:
            found.append(
                _flag(
                    "rules.penalty_exception",
                    "penalty_exception.reason",
                    data.penalty_exception.reason,
                    "the penalty is below the Red notice threshold; the bureau asks for an "
                    "exception, which the reviewer decides",
                )
            )
        for position, charge in enumerate(data.charges):
            field = f"charges.{position}.offence"
            if charge.category in _EXCLUDED:
                found.append(
                    _flag(
                        "rules.excluded_offence_linked",
                        field,
                        charge.offence,
                        f"{_EXCLUDED[charge.category]} are excluded unless linked to a "
                        "serious crime, which the bureau states: check it",
                    )
                )
            elif match := _SUSPECT.search(fold(charge.offence)):
                found.append(
                    _flag(
                        "rules.excluded_offence_suspected",
                        field,
                        charge.offence,
                        f"'{match.group(0)}' suggests a private, family or administrative "
                        "matter, which the rules exclude",
                    )
                )
    texts = {**_texts(data), "subject.status": status}
    for flag in found:
        flag["id"] = f"{flag['code']}@{flag['field']}"
        # A resolution holds for the text it was given on, not for the field's later text.
        text = texts.get(flag["field"]) or flag["excerpt"]
        flag["text"] = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
    return found
