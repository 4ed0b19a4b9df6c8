"""The life of a notice and of a diffusion, as a table of legal transitions.

Notice::

    draft --submit--> submitted --approve--> under_review --publish--> published
      ^                   |                      |  |                   |   |  |
      '----send_back------'     returned <-return-'  '-refuse-> refused  |   |  '--> review_due
                                   '--submit--> submitted      revise <--'   |        (5 years)
                                                  published <-publish- revised
    published | revised | review_due --cancel--> cancelled;  review_due --renew--> published

A bureau's officer drafts and submits; its supervisor approves (or sends back) within
the bureau; a secretariat reviewer publishes, returns for correction or refuses. A
revision of a published notice leaves the published version in force until reviewed
(``revised``); returning or refusing a revision discards it. Diffusions go straight to
the countries chosen (``sent``) and are checked by the secretariat afterwards
(``cleared`` or ``blocked``). Anything else is an illegal transition (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from interlink.access import Actor, Permission

__all__ = ["TRANSITIONS", "Status", "Transition", "steps_for", "transition_for"]


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    RETURNED = "returned"
    REFUSED = "refused"
    PUBLISHED = "published"
    REVISED = "revised"
    REVIEW_DUE = "review_due"
    CANCELLED = "cancelled"
    SENT = "sent"
    CLEARED = "cleared"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    source: Status
    target: Status
    permission: Permission
    by_owner: bool
    """Only the owner bureau may take it (else: only the General Secretariat)."""
    needs_reason: bool = False


_S = Status
_REQUEST, _APPROVE, _REVIEW = (
    Permission.NOTICES_REQUEST,
    Permission.NOTICES_APPROVE,
    Permission.NOTICES_REVIEW,
)

NOTICE_TRANSITIONS = (
    Transition("submit", _S.DRAFT, _S.SUBMITTED, _REQUEST, True),
    Transition("submit", _S.RETURNED, _S.SUBMITTED, _REQUEST, True),
    Transition("approve", _S.SUBMITTED, _S.UNDER_REVIEW, _APPROVE, True),
    Transition("send_back", _S.SUBMITTED, _S.DRAFT, _APPROVE, True, needs_reason=True),
    Transition("publish", _S.UNDER_REVIEW, _S.PUBLISHED, _REVIEW, False),
    Transition("publish", _S.REVISED, _S.PUBLISHED, _REVIEW, False),
    Transition("return", _S.UNDER_REVIEW, _S.RETURNED, _REVIEW, False, needs_reason=True),
    Transition("return", _S.REVISED, _S.PUBLISHED, _REVIEW, False, needs_reason=True),
    Transition("refuse", _S.UNDER_REVIEW, _S.REFUSED, _REVIEW, False, needs_reason=True),
    Transition("refuse", _S.REVISED, _S.PUBLISHED, _REVIEW, False, needs_reason=True),
    Transition("revise", _S.PUBLISHED, _S.REVISED, _REQUEST, True),
    Transition("revise", _S.REVIEW_DUE, _S.REVISED, _REQUEST, True),
    Transition("renew", _S.REVIEW_DUE, _S.PUBLISHED, _REQUEST, True, needs_reason=True),
    Transition("mark_review_due", _S.PUBLISHED, _S.REVIEW_DUE, _REVIEW, False),
    *(
        Transition("cancel", source, _S.CANCELLED, _REQUEST, True, needs_reason=True)
        for source in (
            _S.DRAFT,
            _S.SUBMITTED,
            _S.UNDER_REVIEW,
            _S.RETURNED,
            _S.PUBLISHED,
            _S.REVISED,
            _S.REVIEW_DUE,
        )
    ),
    *(
        Transition("cancel", source, _S.CANCELLED, _REVIEW, False, needs_reason=True)
        for source in (_S.PUBLISHED, _S.REVISED, _S.REVIEW_DUE)
    ),
)

DIFFUSION_TRANSITIONS = (
    Transition("clear", _S.SENT, _S.CLEARED, _REVIEW, False),
    Transition("block", _S.SENT, _S.BLOCKED, _REVIEW, False, needs_reason=True),
    Transition("block", _S.CLEARED, _S.BLOCKED, _REVIEW, False, needs_reason=True),
    Transition("cancel", _S.SENT, _S.CANCELLED, _REQUEST, True, needs_reason=True),
    Transition("cancel", _S.CLEARED, _S.CANCELLED, _REQUEST, True, needs_reason=True),
)

TRANSITIONS = {"notice": NOTICE_TRANSITIONS, "diffusion": DIFFUSION_TRANSITIONS}

ACTIONS = {
    kind: sorted({transition.action for transition in table}) for kind, table in TRANSITIONS.items()
}

LIVE = frozenset({Status.PUBLISHED, Status.REVISED, Status.REVIEW_DUE})
"""Statuses in which a notice is in force (every member sees it)."""


def transition_for(kind: str, action: str, source: Status, *, by_owner: bool) -> Transition | None:
    """The transition ``action`` from ``source`` by the owner bureau (or not), if legal;
    ``None`` when the action is legal from ``source`` only for the other party, or not at
    all (the caller tells the two apart with ``sources_of``)."""
    for transition in TRANSITIONS[kind]:
        if (
            transition.action == action
            and transition.source == source
            and transition.by_owner == by_owner
        ):
            return transition
    return None


def sources_of(kind: str, action: str) -> list[str]:
    """The statuses ``action`` may be taken from (for the 409's message)."""
    return sorted({t.source.value for t in TRANSITIONS[kind] if t.action == action})


def steps_for(kind: str, source: Status, *, by_owner: bool, actor: Actor) -> list[str]:
    """The steps ``actor`` may take from ``source`` (owner bureau or not): what a page
    offers. The review-due sweep is the secretariat's tool, not a button."""
    return [
        t.action
        for t in TRANSITIONS[kind]
        if t.source == source
        and t.by_owner == by_owner
        and actor.can(t.permission)
        and t.action != "mark_review_due"
    ]
