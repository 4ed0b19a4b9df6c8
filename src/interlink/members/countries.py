"""The member countries, derived from ISO 3166 (pycountry).

INTERPOL counts 196 member countries: the UN member states except the Democratic
People's Republic of Korea and Tuvalu, plus the Holy See, the State of Palestine,
Aruba, Curaçao and Sint Maarten. What pycountry lists beyond that (dependent
territories, Antarctica ...) is recorded as a non-member: such places are served by
another country's bureau.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

__all__ = ["MEMBER_COUNT", "CountryInfo", "all_countries", "member_codes"]

MEMBER_COUNT = 196

_NON_MEMBERS = frozenset(
    # UN member states that are not members of the organisation.
    {"KP", "TV"}
    # Territories and other entries of ISO 3166-1 that are not member countries.
    | {
        "AI", "AQ", "AS", "AX", "BL", "BM", "BQ", "BV", "CC", "CK", "CX", "EH", "FK", "FO",
        "GF", "GG", "GI", "GL", "GP", "GS", "GU", "HK", "HM", "IM", "IO", "JE", "KY", "MF",
        "MO", "MP", "MQ", "MS", "NC", "NF", "NU", "PF", "PM", "PN", "PR", "RE", "SH", "SJ",
        "TC", "TF", "TK", "TW", "UM", "VG", "VI", "WF", "YT",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CountryInfo:
    code: str
    code3: str
    name: str
    member: bool


def _name(country: object) -> str:
    # pycountry gives some countries a shorter common name (Bolivia, not Bolivia,
    # Plurinational State of); its records are untyped.
    return str(getattr(country, "common_name", None) or getattr(country, "name", ""))


def all_countries() -> list[CountryInfo]:
    """Every ISO 3166-1 country, with its member flag, sorted by code."""
    return sorted(
        (
            CountryInfo(c.alpha_2, c.alpha_3, _name(c), c.alpha_2 not in _NON_MEMBERS)
            for c in pycountry.countries
        ),
        key=lambda info: info.code,
    )


def member_codes() -> list[str]:
    return [info.code for info in all_countries() if info.member]
