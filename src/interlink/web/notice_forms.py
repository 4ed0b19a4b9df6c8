"""Request forms of the notice types, made from their models (``notices/types.py``) by
``web.model_forms``: each type's name and what it is for, and how notice forms label,
leave out and order their fields (the subject is a record of the bureau's, its photo
comes from the record's attached image).
"""

from __future__ import annotations

from interlink.notices.types import AssetSubject, BodySubject, NoticeType, PersonSubject
from interlink.web.model_forms import FormStyle

__all__ = ["NOTICE_FORMS", "TYPE_INFO"]

_PURPOSES = {  # from the domain notes on INTERPOL's notices
    "red": "Seek the location and arrest of a person wanted for prosecution or to serve a "
    "sentence, with a view to extradition or similar lawful action.",
    "blue": "Collect additional information about a person's identity, location or "
    "activities in relation to a crime.",
    "green": "Warn about a person's criminal activities where the person is considered a "
    "possible threat to public safety.",
    "yellow": "Help locate a missing person, often a minor, or identify a person unable to "
    "identify themselves.",
    "black": "Seek information on an unidentified body.",
    "orange": "Warn of an event, a person, an object or a process representing a serious "
    "and imminent threat to public safety.",
    "purple": "Seek or provide information on modus operandi, objects, devices and "
    "concealment methods used by criminals.",
    "silver": "Trace and locate assets linked to a person's criminal activity (fraud, "
    "corruption, drug trafficking, environmental crime ...).",
    "un": "Groups and individuals targeted by UN Security Council sanctions committees "
    "(asset freeze, travel ban, arms embargo).",
}
TYPE_INFO: dict[NoticeType, tuple[str, str]] = {
    t: (
        "INTERPOL-UN Security Council Special Notice"
        if t is NoticeType.UN
        else f"{t.value.capitalize()} notice",
        _PURPOSES[t.value],
    )
    for t in NoticeType
}
"""Each type's name and what it is for."""

NOTICE_FORMS = FormStyle(
    roles={PersonSubject: "person", BodySubject: "body", AssetSubject: "asset"},
    skip=frozenset({(PersonSubject, "photo")}),  # the record's attached image says it
    last=frozenset({"summary", "context", "statements"}),
    labels={
        "max_penalty_months": "Maximum penalty (months)",
        "sentence_months": "Sentence imposed (months)",
        "remaining_months": "Sentence remaining (months)",
        "linked_to_serious_crime": "Linked to a serious crime or to organised crime",
        "summary": "Summary of the facts",
        "height_m": "Height (m)",
        "weight_kg": "Weight (kg)",
        "dna_profile": "A DNA profile is on file",
        "fingerprints": "Fingerprints are on file",
        "un_reference": "UN reference",
        "status": "Status (public office, profession)",
    },
)
