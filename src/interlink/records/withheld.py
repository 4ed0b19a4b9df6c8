"""What a machine client's replica holds of a record whose owner withholds its details.

An owner who marks a record ``contact_only`` lets machine clients learn only that there
is a hit and which bureau to call (``screening.service``). A national node (an API key
of scope ``node``) still needs to find such a record offline, so the change feed sends
it reduced to what screening compares (``RecordData.screened_fields``): no source id, no
phones, e-mails, addresses or free text, no names of the owner's officers, and its
title and search words made again from what is left. The node's own screening then
answers for it in contact-only form.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from interlink.records.kinds import kind_model
from interlink.records.models import Record
from interlink.records.schemas import ScreeningDetails
from interlink.records.service import encoded_columns

__all__ = ["withheld_columns"]


def withheld_columns(record: Record, owner: str) -> dict[str, Any] | None:
    """The columns a replica of ``record`` may hold (None: nothing, the kind is not
    screened); ``owner`` is its owner bureau's code, shown instead of its officers."""
    model = kind_model(record.kind)
    if not model.screened_fields:
        return None
    try:
        data = model.model_validate(model.screened(record.data))
    except ValidationError:  # a record stored before its kind's rules: nothing to match
        return None
    columns, text = encoded_columns(data, record.visibility)
    return {
        **columns,
        "kind": record.kind,
        "source_id": None,
        "version": record.version,
        "data": {k: v for k, v in json.loads(text).items() if k in model.screened_fields},
        "screening_details": ScreeningDetails.CONTACT_ONLY.value,
        "created_at": record.created_at,
        "created_by": owner,
        "updated_at": record.updated_at,
        "updated_by": owner,
    }
