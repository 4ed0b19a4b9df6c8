"""Public extracts: what a published notice shows the public, in the terms of INTERPOL's
public notices API (``shared/domain/public-notices-api.md``): upper-case names, dates as
``YYYY/MM/DD``, countries as ISO alpha-2, colours and languages as three-letter codes.

A notice has an extract while it is in force and its owner allows one (Red, Yellow,
UN); ``refresh_extract`` writes or removes it at each transition, with the columns the
public list filters on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interlink.notices.models import Notice, NoticeExtract, NoticeSubject
from interlink.notices.types import PUBLIC_TYPES, NoticeType
from interlink.notices.workflow import LIVE, Status
from interlink.records.kinds import fold
from interlink.records.models import RecordFile

__all__ = ["collection_of", "refresh_extract"]


def _date(value: str | None) -> str | None:
    return value.replace("-", "/") if value else None


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def _person_fields(person: dict[str, Any]) -> dict[str, Any]:
    return {
        "forename": _upper(person.get("forename")),
        "name": _upper(person.get("family_name")),
        "date_of_birth": _date(person.get("date_of_birth")),
        "place_of_birth": _upper(person.get("place_of_birth")),
        "country_of_birth_id": person.get("country_of_birth"),
        "nationalities": person.get("nationalities") or [],
        "sex_id": person.get("sex"),
        "height": person.get("height_m"),
        "weight": person.get("weight_kg"),
        "eyes_colors_id": [c.upper() for c in person.get("eye_colours") or []] or None,
        "hairs_id": [c.upper() for c in person.get("hair_colours") or []] or None,
        "distinguishing_marks": person.get("distinguishing_marks"),
        "languages_spoken_ids": [c.upper() for c in person.get("languages") or []] or None,
    }


def collection_of(notice: Notice) -> str:
    if notice.type == NoticeType.UN:
        return "un-entities" if notice.data.get("subject_type") == "entity" else "un-persons"
    return str(notice.type)


def _detail(notice: Notice) -> dict[str, Any]:
    data = notice.data
    detail: dict[str, Any] = {"entity_id": notice.reference}
    if notice.type == NoticeType.RED:
        detail |= _person_fields(data["person"])
        detail["arrest_warrants"] = [
            {
                "issuing_country_id": data["warrant"]["issuing_country"],
                "charge": charge["offence"],
                "charge_translation": None,
            }
            for charge in data["charges"]
        ]
    elif notice.type == NoticeType.YELLOW:
        detail |= _person_fields(data["person"])
        missing = data.get("case", "missing") == "missing"
        detail |= {
            "date_of_event": _date(data.get("missing_since" if missing else "found_on")),
            "place": _upper(data.get("missing_place" if missing else "found_place")),
            "country": data.get("missing_country"),
            "father_forename": _upper(data.get("father_forename")),
            "father_name": _upper(data.get("father_name")),
            "mother_forename": _upper(data.get("mother_forename")),
            "mother_name": _upper(data.get("mother_name")),
        }
    elif data.get("subject_type") == "entity":
        entity = data["entity"]
        detail |= {
            "name": _upper(entity["name"]),
            "aliases": [alias.upper() for alias in entity.get("aliases") or []],
            "address": entity.get("address"),
            "country_id": entity.get("country"),
        }
    else:
        detail |= _person_fields(data["person"])
    if notice.type == NoticeType.UN:
        detail |= {
            "un_reference": data["un_reference"],
            "sanctions_committee": data["sanctions_committee"],
            "measures": data["measures"],
        }
    return {key: value for key, value in detail.items() if value is not None}


def _words(detail: dict[str, Any]) -> list[str]:
    words = [value for value in detail.values() if isinstance(value, str)]
    words += [warrant["charge"] for warrant in detail.get("arrest_warrants", [])]
    return words + list(detail.get("aliases", []))


def _packed(codes: list[str]) -> str:
    return "," + ",".join(codes) + "," if codes else ""


def _images(session: Session, notice: Notice) -> list[str]:
    subjects = select(NoticeSubject.record_id).where(
        NoticeSubject.notice_id == notice.id, NoticeSubject.role == "person"
    )
    return [
        str(file_id)
        for file_id in session.scalars(
            select(RecordFile.id)
            .where(RecordFile.record_id.in_(subjects), RecordFile.content_type.like("image/%"))
            .order_by(RecordFile.created_at)
        )
    ]


def refresh_extract(session: Session, notice: Notice) -> None:
    """Write the notice's extract if it should have one now, else remove any."""
    session.execute(delete(NoticeExtract).where(NoticeExtract.notice_id == notice.id))
    in_force = notice.kind == "notice" and Status(notice.status) in LIVE
    if not (in_force and notice.public_extract and notice.type in PUBLIC_TYPES):
        return
    detail = _detail(notice)
    person = notice.data.get("person") or {}
    born = [int(part) for part in (person.get("date_of_birth") or "").split("-") if part]
    warrants = [notice.data["warrant"]["issuing_country"]] if "warrant" in notice.data else []
    session.add(
        NoticeExtract(
            notice_id=notice.id,
            collection=collection_of(notice),
            entity_id=notice.reference,
            forename=fold(detail.get("forename") or ""),
            name=fold(detail.get("name") or ""),
            sex_id=detail.get("sex_id"),
            birth_year=born[0] if born else None,
            birth_month=born[1] if len(born) > 1 else None,
            birth_day=born[2] if len(born) > 2 else None,
            nationalities=_packed(detail.get("nationalities") or []),
            warrant_countries=_packed(warrants),
            free_text=fold(" ".join(_words(detail))),
            detail=detail,
            images=_images(session, notice),
            published_at=notice.published_at,
        )
    )
