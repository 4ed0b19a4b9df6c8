"""The lifecycles of operations (planned -> active -> closed) and incidents
(open -> deployed -> closed): which step leads from which status to which.

A planned operation may also be called off (closed) before it starts, and an incident
closed without a deployment (a false alarm, or handled locally).
"""

from __future__ import annotations

from enum import StrEnum

from interlink.core.errors import Conflict

__all__ = [
    "INCIDENT_STEPS",
    "OPERATION_STEPS",
    "IncidentStatus",
    "OperationStatus",
    "ensure_open",
    "next_status",
    "steps_from",
]


class OperationStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


class IncidentStatus(StrEnum):
    OPEN = "open"
    DEPLOYED = "deployed"
    CLOSED = "closed"


Steps = dict[str, tuple[frozenset[str], str]]
"""step -> (the statuses it may start from, the status it leads to)"""

OPERATION_STEPS: Steps = {
    "activate": (frozenset({"planned"}), "active"),
    "close": (frozenset({"planned", "active"}), "closed"),
}
INCIDENT_STEPS: Steps = {
    "deploy": (frozenset({"open"}), "deployed"),
    "close": (frozenset({"open", "deployed"}), "closed"),
}


def steps_from(steps: Steps, status: str) -> list[str]:
    """The steps open to an object in ``status``, in the order they are offered."""
    return [step for step, (sources, _) in steps.items() if status in sources]


def next_status(steps: Steps, status: str, step: str, what: str) -> str:
    """The status ``step`` leads to from ``status``; ``Conflict`` if it may not be taken."""
    sources, target = steps[step]
    if status not in sources:
        raise Conflict(f"{what} is {status}: it cannot {step} (from {', '.join(sorted(sources))})")
    return target


def ensure_open(status: str, what: str) -> None:
    """A closed operation or incident is a record of what was done: it changes no more."""
    if status == "closed":
        raise Conflict(f"{what} is closed: it changes no more")
