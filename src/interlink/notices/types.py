"""The notice types and the data each must carry (the structure; ``rules.py`` holds the
criteria that weigh it, such as the Red notice's penalty threshold).

Every subject is a record of the shared databases (``record_id``): the person of a Red
or Yellow notice, the assets of a Silver notice, the body of a Black notice. The notice
carries what the request says of them beyond the record (charges, warrant, where the
person went missing); identifiers the notice leaves out are taken from the record.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from interlink.core.limits import ALIASES, LIST_ITEMS, SHORT_LIST
from interlink.records.fields import CountryCode, PartialDate, Sex

__all__ = [
    "TYPE_MODELS",
    "Charge",
    "NoticeData",
    "NoticeType",
    "PersonSubject",
    "subject_links",
]


class NoticeType(StrEnum):
    RED = "red"
    BLUE = "blue"
    GREEN = "green"
    YELLOW = "yellow"
    BLACK = "black"
    ORANGE = "orange"
    PURPLE = "purple"
    SILVER = "silver"
    UN = "un"
    """The INTERPOL-UN Security Council Special Notice."""


PUBLIC_TYPES = frozenset({NoticeType.RED, NoticeType.YELLOW, NoticeType.UN})
"""Types whose owner may allow a public extract."""


Code = Annotated[str, Field(min_length=1, max_length=40)]
Item = Annotated[str, Field(min_length=1, max_length=400)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IdentityDocument(_Strict):
    number: str = Field(min_length=1, max_length=64)
    document_type: str | None = Field(default=None, max_length=40)
    country: CountryCode | None = None


class PersonSubject(_Strict):
    """The person a notice is about: a person (or missing person) record, with what the
    request adds to it."""

    record_id: uuid.UUID
    family_name: str | None = Field(default=None, max_length=200)
    forename: str | None = Field(default=None, max_length=200)
    sex: Sex | None = None
    date_of_birth: PartialDate | None = None
    place_of_birth: str | None = Field(default=None, max_length=200)
    country_of_birth: CountryCode | None = None
    nationalities: list[CountryCode] = Field(default_factory=list, max_length=SHORT_LIST)
    height_m: float | None = Field(default=None, gt=0.3, lt=2.8)
    weight_kg: int | None = Field(default=None, ge=1, le=400)
    eye_colours: list[Code] = Field(
        default_factory=list, max_length=SHORT_LIST, description="three-letter codes: BRO"
    )
    hair_colours: list[Code] = Field(
        default_factory=list, max_length=SHORT_LIST, description="three-letter codes: BLA"
    )
    distinguishing_marks: str | None = Field(default=None, max_length=2000)
    languages: list[Code] = Field(
        default_factory=list, max_length=SHORT_LIST, description="ISO 639-2/3 codes: ENG"
    )
    physical_description: str | None = Field(default=None, max_length=4000)
    identity_documents: list[IdentityDocument] = Field(default_factory=list, max_length=LIST_ITEMS)
    photo: bool = Field(default=False, description="a good photograph is attached to the record")
    fingerprints: bool = False
    dna_profile: bool = False
    status: str | None = Field(
        default=None, max_length=200, description="e.g. politician, journalist, military officer"
    )

    def has_name(self) -> bool:
        return bool(self.family_name or self.forename)


class OffenceCategory(StrEnum):
    ORDINARY_LAW = "ordinary_law"
    PRIVATE_DISPUTE = "private_dispute"
    FAMILY_MATTER = "family_matter"
    MINOR_OFFENCE = "minor_offence"
    ADMINISTRATIVE_BREACH = "administrative_breach"
    BEHAVIOURAL_OR_CULTURAL = "behavioural_or_cultural"


class Charge(_Strict):
    offence: str = Field(min_length=3, max_length=400)
    law: str = Field(min_length=2, max_length=400, description="the law covering the offence")
    category: OffenceCategory = OffenceCategory.ORDINARY_LAW
    max_penalty_months: int | None = Field(
        default=None, ge=0, le=1200, description="maximum penalty the law provides (prosecution)"
    )
    sentence_months: int | None = Field(default=None, ge=0, le=1200)
    remaining_months: int | None = Field(
        default=None, ge=0, le=1200, description="of the sentence, still to be served"
    )
    linked_to_serious_crime: bool = Field(
        default=False,
        description="the conduct facilitates a serious crime or is linked to organised crime",
    )


class Warrant(_Strict):
    issuing_authority: str = Field(min_length=3, max_length=200)
    issuing_country: CountryCode
    date: PartialDate
    reference: str = Field(min_length=1, max_length=100)
    kind: Literal["arrest_warrant", "judicial_decision"] = "arrest_warrant"


class PenaltyException(_Strict):
    reason: str = Field(min_length=10, max_length=2000)


class _Request(_Strict):
    """What every request may carry: the facts, context and the bureau's statements
    (neutrality screening reads them all)."""

    summary: str = Field(min_length=10, max_length=8000, description="summary of the facts")
    context: str | None = Field(default=None, max_length=8000)
    statements: str | None = Field(
        default=None, max_length=8000, description="the requesting country's statements"
    )


class RedData(_Request):
    person: PersonSubject
    purpose: Literal["prosecution", "sentence"]
    charges: list[Charge] = Field(min_length=1, max_length=50)
    warrant: Warrant
    penalty_exception: PenaltyException | None = None


class BlueData(_Request):
    person: PersonSubject
    information_sought: str = Field(min_length=5, max_length=4000)
    offence: str = Field(min_length=3, max_length=400)


class GreenData(_Request):
    person: PersonSubject
    criminal_activities: str = Field(min_length=5, max_length=4000)
    threat: str = Field(min_length=5, max_length=4000, description="why a possible threat")


_WHERE_AND_WHEN = {
    "missing": ("missing_since", "missing_place", "missing_country"),
    "unable_to_identify": ("found_on", "found_place"),
}
"""What a Yellow notice needs to say of where and when, by its case."""


class YellowData(_Request):
    person: PersonSubject
    case: Literal["missing", "unable_to_identify"] = "missing"
    # Validated even when left out (validate_default): each one the case needs and the
    # request lacks is an error on that field, not on the whole request.
    missing_since: PartialDate | None = Field(default=None, validate_default=True)
    missing_place: str | None = Field(default=None, max_length=200, validate_default=True)
    missing_country: CountryCode | None = Field(default=None, validate_default=True)
    found_on: PartialDate | None = Field(default=None, validate_default=True)
    found_place: str | None = Field(default=None, max_length=200, validate_default=True)
    father_forename: str | None = Field(default=None, max_length=200)
    father_name: str | None = Field(default=None, max_length=200)
    mother_forename: str | None = Field(default=None, max_length=200)
    mother_name: str | None = Field(default=None, max_length=200)

    @field_validator(*{name for names in _WHERE_AND_WHEN.values() for name in names})
    @classmethod
    def _where_and_when(cls, value: Any, info: ValidationInfo) -> Any:
        case = info.data.get("case")
        if value is None and info.field_name in _WHERE_AND_WHEN.get(str(case), ()):
            what = "a missing person" if case == "missing" else "a person found"
            raise ValueError(f"needed for {what}: where and when")
        return value


class BodySubject(_Strict):
    record_id: uuid.UUID


class BlackData(_Request):
    body: BodySubject
    found_on: PartialDate
    found_place: str = Field(min_length=2, max_length=200)
    found_country: CountryCode
    description: str | None = Field(default=None, max_length=4000)


class OrangeData(_Request):
    threat_kind: Literal["person", "object", "event", "modus_operandi"]
    threat: str = Field(min_length=10, max_length=4000, description="the imminent threat")
    person: PersonSubject | None = None
    valid_until: PartialDate | None = None

    @model_validator(mode="after")
    def _person(self) -> Self:
        if self.threat_kind == "person" and self.person is None:
            raise ValueError("an Orange notice about a person needs the person")
        return self


class PurpleData(_Request):
    modus_operandi: str = Field(min_length=10, max_length=8000)
    objects: list[Item] = Field(default_factory=list, max_length=LIST_ITEMS)
    devices: list[Item] = Field(default_factory=list, max_length=LIST_ITEMS)
    concealment_methods: list[Item] = Field(default_factory=list, max_length=LIST_ITEMS)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not (self.objects or self.devices or self.concealment_methods):
            raise ValueError(
                "a Purple notice needs at least one of objects, devices, concealment_methods"
            )
        return self


class AssetSubject(_Strict):
    record_id: uuid.UUID
    description: str | None = Field(default=None, max_length=1000)


class SilverData(_Request):
    person: PersonSubject
    assets: list[AssetSubject] = Field(min_length=1, max_length=100)
    criminal_link: str = Field(
        min_length=10, max_length=4000, description="how the assets are linked to crime"
    )


class Entity(_Strict):
    name: str = Field(min_length=2, max_length=400)
    aliases: list[Item] = Field(default_factory=list, max_length=ALIASES)
    address: str | None = Field(default=None, max_length=400)
    country: CountryCode | None = None


class UnData(_Request):
    subject_type: Literal["person", "entity"]
    person: PersonSubject | None = None
    entity: Entity | None = None
    sanctions_committee: str = Field(min_length=3, max_length=200)
    un_reference: str = Field(min_length=2, max_length=40, description="e.g. QDi.430")
    measures: list[Literal["asset_freeze", "travel_ban", "arms_embargo"]] = Field(
        min_length=1, max_length=3
    )
    listed_on: PartialDate | None = None

    @model_validator(mode="after")
    def _subject(self) -> Self:
        if self.subject_type == "person" and self.person is None:
            raise ValueError("a UN Special Notice about a person needs the person")
        if self.subject_type == "entity" and self.entity is None:
            raise ValueError("a UN Special Notice about an entity needs the entity")
        return self


NoticeData = (
    RedData
    | BlueData
    | GreenData
    | YellowData
    | BlackData
    | OrangeData
    | PurpleData
    | SilverData
    | UnData
)

TYPE_MODELS: dict[NoticeType, type[_Request]] = {
    NoticeType.RED: RedData,
    NoticeType.BLUE: BlueData,
    NoticeType.GREEN: GreenData,
    NoticeType.YELLOW: YellowData,
    NoticeType.BLACK: BlackData,
    NoticeType.ORANGE: OrangeData,
    NoticeType.PURPLE: PurpleData,
    NoticeType.SILVER: SilverData,
    NoticeType.UN: UnData,
}

SUBJECT_KINDS: dict[str, tuple[str, ...]] = {
    "person": ("persons", "missing-persons"),
    "asset": ("assets",),
    "body": ("unidentified-bodies",),
}
"""Which record kinds may be each role of subject."""


def subject_links(data: _Request) -> list[tuple[str, str, uuid.UUID]]:
    """The records ``data`` is about: (field, role, record id)."""
    links: list[tuple[str, str, uuid.UUID]] = []
    person = getattr(data, "person", None)
    if isinstance(person, PersonSubject):
        links.append(("person.record_id", "person", person.record_id))
    body = getattr(data, "body", None)
    if isinstance(body, BodySubject):
        links.append(("body.record_id", "body", body.record_id))
    for position, asset in enumerate(getattr(data, "assets", None) or []):
        links.append((f"assets.{position}.record_id", "asset", asset.record_id))
    return links


def dump(data: _Request) -> dict[str, Any]:
    """The data as stored: absent values left out."""
    return data.model_dump(mode="json", exclude_none=True)
