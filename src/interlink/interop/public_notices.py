"""The public notices API, answering as INTERPOL's public one does (same paths, query
parameters, JSON fields and HAL ``_embedded``/``_links``), so that its existing clients
work against Interlink by changing only the host (``shared/domain/public-notices-api.md``).

It reads the public extracts (``notices/extracts.py``) of notices the access policy lets
anyone read (``visible_clause`` with no actor: public ones only); nothing else of a
notice is ever shown here. Links (``_links``) are absolute on ``INTERLINK_BASE_URL``, or
relative to the server's root when it is unset; never built from the request's ``Host``,
which whoever sends the request writes. (No ``from __future__ import annotations``: the list
routes are made per collection and FastAPI must evaluate their parameters' annotations.)
"""

import uuid
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from interlink.access import Action, visible_clause
from interlink.core.deps import DbSession, get_settings
from interlink.core.errors import NotFound
from interlink.members.deps import anyone
from interlink.notices.models import Notice, NoticeExtract, NoticeSubject
from interlink.records.kinds import fold
from interlink.records.models import Record, RecordFile

__all__ = ["router"]

router = APIRouter(prefix="/notices/v1", tags=["public notices"], dependencies=[Depends(anyone)])

_COLLECTIONS = {
    "red": ("red",),
    "yellow": ("yellow",),
    "un": ("un-persons", "un-entities"),
    "un/persons": ("un-persons",),
    "un/entities": ("un-entities",),
}


def _public(collections: tuple[str, ...]) -> Select[tuple[NoticeExtract]]:
    # A subject record deleted since publication (a CCF decision, say) takes the
    # extract down with it at once.
    deleted_subject = (
        select(NoticeSubject.notice_id)
        .join(Record, Record.id == NoticeSubject.record_id)
        .where(NoticeSubject.notice_id == Notice.id, Record.deleted_at.is_not(None))
    )
    return (
        select(NoticeExtract)
        .join(Notice, Notice.id == NoticeExtract.notice_id)
        .where(
            NoticeExtract.collection.in_(collections),
            visible_clause(Notice, None, Action.READ),
            ~deleted_subject.exists(),
        )
    )


def _base(request: Request) -> str:
    """Where links point: ``INTERLINK_BASE_URL``, else the server's root (a relative
    link). Never the request's ``Host``, which the client writes."""
    return get_settings(request).base_url or ""


def _entity_path(entity_id: str) -> str:
    return entity_id.replace("/", "-")


def _links(base: str, path: str, extract: NoticeExtract) -> dict[str, Any]:
    self_href = f"{base}/notices/v1/{path}/{_entity_path(extract.entity_id)}"
    links: dict[str, Any] = {
        "self": {"href": self_href},
        "images": {"href": f"{self_href}/images"},
    }
    if extract.images:
        links["thumbnail"] = {"href": f"{self_href}/images/{extract.images[0]}"}
    return links


def _path_of(extract: NoticeExtract) -> str:
    return {"un-persons": "un/persons", "un-entities": "un/entities"}.get(
        extract.collection, extract.collection
    )


def _summary(base: str, extract: NoticeExtract) -> dict[str, Any]:
    detail = extract.detail
    keys = ("forename", "name", "date_of_birth", "entity_id", "nationalities")
    item = {key: detail.get(key) for key in keys if key in detail}
    item["entity_id"] = extract.entity_id
    item["_links"] = _links(base, _path_of(extract), extract)
    return item


def _list(
    request: Request,
    session: Session,
    path: str,
    filters: dict[str, Any],
    page: int,
    per_page: int,
) -> dict[str, Any]:
    query = _public(_COLLECTIONS[path])
    if filters.get("forename"):
        query = query.where(
            NoticeExtract.forename.contains(fold(filters["forename"]), autoescape=True)
        )
    if filters.get("name"):
        query = query.where(NoticeExtract.name.contains(fold(filters["name"]), autoescape=True))
    if filters.get("nationality"):
        query = query.where(NoticeExtract.nationalities.contains(f",{filters['nationality']},"))
    if filters.get("arrestWarrantCountryId"):
        code = filters["arrestWarrantCountryId"]
        query = query.where(NoticeExtract.warrant_countries.contains(f",{code},"))
    if filters.get("sexId"):
        query = query.where(NoticeExtract.sex_id == filters["sexId"])
    if filters.get("freeText"):
        for word in fold(filters["freeText"]).split():
            query = query.where(NoticeExtract.free_text.contains(word, autoescape=True))
    birth = (
        NoticeExtract.birth_year * 10000
        + func.coalesce(NoticeExtract.birth_month, 1) * 100
        + func.coalesce(NoticeExtract.birth_day, 1)
    )
    today = date.today()
    if filters.get("ageMin") is not None:  # born on or before today, ageMin years ago
        query = query.where(
            birth <= (today.year - filters["ageMin"]) * 10000 + today.month * 100 + today.day
        )
    if filters.get("ageMax") is not None:  # not yet ageMax + 1 years old
        latest = (today.year - filters["ageMax"] - 1) * 10000 + today.month * 100 + today.day
        query = query.where(birth > latest)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(NoticeExtract.published_at.desc(), NoticeExtract.entity_id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    base = _base(request)
    given = {key: value for key, value in filters.items() if value not in (None, "")}
    last = max(1, -(-total // per_page))

    def href(number: int) -> dict[str, str]:
        parameters = {**given, "page": number, "resultPerPage": per_page}
        return {"href": f"{base}/notices/v1/{path}?{urlencode(parameters)}"}

    links = {"self": href(page), "first": href(1), "last": href(last)}
    if page > 1:
        links["previous"] = href(page - 1)
    if page < last:
        links["next"] = href(page + 1)
    return {
        "total": total,
        "query": {"page": page, "resultPerPage": per_page, **given},
        "_embedded": {"notices": [_summary(base, row) for row in rows]},
        "_links": links,
    }


def _register_list(path: str, warrants: bool) -> None:
    def list_notices(
        request: Request,
        session: DbSession,
        forename: Annotated[str | None, Query(max_length=100)] = None,
        name: Annotated[str | None, Query(max_length=100)] = None,
        nationality: Annotated[str | None, Query(pattern="^[A-Z]{2}$")] = None,
        ageMin: Annotated[int | None, Query(ge=0, le=130)] = None,
        ageMax: Annotated[int | None, Query(ge=0, le=130)] = None,
        sexId: Annotated[str | None, Query(pattern="^[MFU]$")] = None,
        arrestWarrantCountryId: Annotated[
            str | None, Query(pattern="^[A-Z]{2}$", include_in_schema=warrants)
        ] = None,
        freeText: Annotated[str | None, Query(max_length=200)] = None,
        page: Annotated[int, Query(ge=1, le=10**6)] = 1,
        resultPerPage: Annotated[int, Query(ge=1, le=160)] = 20,
    ) -> dict[str, Any]:
        filters = {
            "forename": forename,
            "name": name,
            "nationality": nationality,
            "ageMin": ageMin,
            "ageMax": ageMax,
            "sexId": sexId,
            "arrestWarrantCountryId": arrestWarrantCountryId if warrants else None,
            "freeText": freeText,
        }
        return _list(request, session, path, filters, page, resultPerPage)

    router.add_api_route(
        f"/{path}", list_notices, methods=["GET"], name=f"public_{path.replace('/', '_')}"
    )


for _path, _warrants in (("red", True), ("yellow", False), ("un", False)):
    _register_list(_path, _warrants)
_register_list("un/persons", False)
_register_list("un/entities", False)


def _one(session: Session, path: str, notice_id: str) -> NoticeExtract:
    entity_id = notice_id.replace("-", "/", 1) if "/" not in notice_id else notice_id
    extract = session.scalars(
        _public(_COLLECTIONS[path]).where(NoticeExtract.entity_id == entity_id)
    ).first()
    if extract is None:
        raise NotFound(f"no {path} notice {notice_id}")
    return extract


def _detail(request: Request, session: Session, path: str, notice_id: str) -> dict[str, Any]:
    extract = _one(session, path, notice_id)
    base = _base(request)
    return {
        **extract.detail,
        "_embedded": {"links": []},
        "_links": _links(base, _path_of(extract), extract),
    }


def _images(request: Request, session: Session, path: str, notice_id: str) -> dict[str, Any]:
    extract = _one(session, path, notice_id)
    base = _base(request)
    links = _links(base, _path_of(extract), extract)
    images_href = links["images"]["href"]
    return {
        "_embedded": {
            "images": [
                {"picture_id": picture, "_links": {"self": {"href": f"{images_href}/{picture}"}}}
                for picture in extract.images
            ]
        },
        "_links": {
            "self": {"href": images_href},
            "notice": links["self"],
            **({"thumbnail": links["thumbnail"]} if "thumbnail" in links else {}),
        },
    }


def _picture(session: Session, path: str, notice_id: str, picture_id: str) -> Response:
    extract = _one(session, path, notice_id)
    picture = None
    if picture_id in extract.images:
        picture = session.get(RecordFile, uuid.UUID(picture_id))
    if picture is None:
        raise NotFound(f"no picture {picture_id} on notice {notice_id}")
    return Response(picture.content, media_type=picture.content_type)


def _register_detail(path: str) -> None:
    """A notice, its images and each picture, as ``2026-00123`` (and ``2026/00123``)."""
    name = path.replace("/", "_")

    def detail(request: Request, session: DbSession, notice_id: str) -> dict[str, Any]:
        return _detail(request, session, path, notice_id)

    def by_slash(request: Request, session: DbSession, year: int, number: int) -> dict[str, Any]:
        return _detail(request, session, path, f"{year}-{number:05d}")

    def images(request: Request, session: DbSession, notice_id: str) -> dict[str, Any]:
        return _images(request, session, path, notice_id)

    def picture(session: DbSession, notice_id: str, picture_id: str) -> Response:
        return _picture(session, path, notice_id, picture_id)

    router.add_api_route(f"/{path}/{{year:int}}/{{number:int}}", by_slash, name=f"{name}_slash")
    router.add_api_route(f"/{path}/{{notice_id}}", detail, name=f"{name}_notice")
    router.add_api_route(f"/{path}/{{notice_id}}/images", images, name=f"{name}_images")
    router.add_api_route(
        f"/{path}/{{notice_id}}/images/{{picture_id}}",
        picture,
        name=f"{name}_picture",
        response_class=Response,
    )


for _path in ("un/persons", "un/entities", "red", "yellow", "un"):
    _register_detail(_path)
