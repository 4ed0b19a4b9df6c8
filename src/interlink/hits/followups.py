"""What an outcome offers the record's owner to do next: cancel the notices about a
person who was arrested or located; take a recovered document, vehicle or artwork out
of the database (the real systems delete recovered items); mark a firearm seized.
Offers, not actions: the owner decides, through the notice workflow or the record's
own routes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.hits.models import Hit
from interlink.notices.models import Notice, NoticeSubject
from interlink.notices.workflow import LIVE

__all__ = ["follow_ups"]

_CANCEL_REASON = {"located": "located", "arrested": "arrested", "detained": "arrested"}
_RECOVERED = ("travel-documents", "vehicles", "artworks")


def follow_ups(session: Session, hit: Hit) -> list[dict[str, Any]]:
    offered: list[dict[str, Any]] = []
    outcome = hit.outcome or ""
    if outcome in _CANCEL_REASON:
        notices = session.scalars(
            select(Notice)
            .join(NoticeSubject, NoticeSubject.notice_id == Notice.id)
            .where(
                NoticeSubject.record_id == hit.record_id,
                Notice.status.in_(list(LIVE)),
                # Offered to the record's owner: its own notices only.
                Notice.owner_bureau_id == hit.owner_bureau_id,
            )
            .order_by(Notice.reference)
        ).all()
        for notice in notices:
            offered.append(
                {
                    "action": "cancel_notice",
                    "notice": notice.reference,
                    "method": "POST",
                    "href": f"/api/v1/notices/{notice.id}/cancel",
                    "body": {"cancel_reason": _CANCEL_REASON[outcome]},
                    "why": f"the person was {outcome}; the {notice.type} notice may be cancelled "
                    "(after extradition, or once no longer needed)",
                }
            )
    href = f"/api/v1/records/{hit.record_kind}/{hit.record_id}"
    if outcome in ("seized", "returned") and hit.record_kind in _RECOVERED:
        offered.append(
            {
                "action": "delete_record",
                "method": "DELETE",
                "href": f"{href}?reason=recovered",
                "why": f"the item was {outcome}: a recovered item leaves the database",
            }
        )
    if outcome == "seized" and hit.record_kind == "firearms":
        offered.append(
            {
                "action": "update_record",
                "method": "PATCH",
                "href": href,
                "body": {"status": "seized"},
                "why": "the firearm was seized",
            }
        )
    return offered
