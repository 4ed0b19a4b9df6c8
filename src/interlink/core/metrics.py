"""What a server process tells Prometheus (``GET /metrics``): the metrics, where they are
counted, and the answer to a scrape.

Counted as things happen (``prometheus_client`` counters and a histogram):

- ``interlink_http_requests_total{method,route,status}`` and
  ``interlink_http_request_duration_seconds{method,route}`` (to the response's first
  byte), by ``create_app``'s middleware. ``route`` is the route's path template
  (``/api/v1/records/persons/{record_id}``), never the path asked, so that the number of
  series stays bounded; a path no route serves is ``unmatched``.
- ``interlink_screenings_total{mode,kind}`` and ``interlink_screening_hits_total{kind}``
  (screenings whose answer was a hit), by the screening service: ``mode`` is ``single``
  (the API's and the console's one query), ``stream`` (a line of ``/screen/stream``) or
  ``batch`` (a manifest's row); ``kind`` the query's (``person``, ``document``, ...).
- ``interlink_hits_created_total{kind}`` (the kind of record found: a new hit has no
  priority yet) and ``interlink_hit_confirmations_requested_total{priority}``.

Computed from the database at each scrape (cheap COUNT queries; ``QueueDepths``): the
confirmations awaited and overdue, messages of the last day unread or not yet delivered,
notices awaiting approval or review, and this process's running jobs.

Several server processes (``interlink serve --workers N``) each have their own counters.
With ``PROMETHEUS_MULTIPROC_DIR`` set (to an empty directory, before the server starts:
``prometheus_client`` reads it when first imported, in every process), each process
writes its counts to files there and whichever process answers a scrape sums them all
(``prepare_multiprocess_dir`` empties it at start-up). Without it, a scrape sees the
counts of the process that answered. The job gauge is per process either way.

Access: the metrics carry no personal data but are not public. ``/metrics`` answers only
to addresses in ``INTERLINK_METRICS_NETWORKS`` (loopback and private ranges by default)
and to requests not relayed by a proxy (no ``Forwarded`` or ``X-Forwarded-For``: behind a
proxy that ends in a private network every visitor would otherwise look local); anyone
else gets the 404 of a path that does not exist. Scrape each server directly.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Iterator, MutableMapping
from contextvars import ContextVar
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from interlink import __version__
from interlink.core.config import Settings
from interlink.core.db import reading

__all__ = [
    "CONFIRMATIONS_REQUESTED",
    "HITS_CREATED",
    "HTTP_DURATION",
    "HTTP_REQUESTS",
    "SCREENINGS",
    "SCREENING_HITS",
    "QueueDepths",
    "count_confirmation_requested",
    "count_hit_created",
    "count_screening",
    "may_scrape",
    "observe_request",
    "prepare_multiprocess_dir",
    "route_label",
    "scrape",
    "screening_mode",
    "screening_mode_for",
]

log = logging.getLogger("interlink.metrics")

HTTP_REQUESTS = Counter(
    "interlink_http_requests",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "interlink_http_request_duration_seconds",
    "Time from a request's arrival to its response's first byte",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SCREENINGS = Counter(
    "interlink_screenings", "Screening queries answered, by mode and kind", ["mode", "kind"]
)
SCREENING_HITS = Counter(
    "interlink_screening_hits", "Screening queries whose answer was a hit, by kind", ["kind"]
)
HITS_CREATED = Counter(
    "interlink_hits_created", "Hits made on another bureau's record, by record kind", ["kind"]
)
CONFIRMATIONS_REQUESTED = Counter(
    "interlink_hit_confirmations_requested",
    "Confirmations asked of a record's owner, by priority",
    ["priority"],
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods counted by name; any other a client sends is ``other`` (a label a client
could vary at will would let it grow the series without bound)."""

screening_mode: ContextVar[str] = ContextVar("screening_mode", default="single")
"""How the screenings of the current request run (``single`` unless it is a stream)."""
_STREAMED = ("/api/v1/screen/stream",)
"""The route that screens many queries in one request: its screenings are ``stream``."""
MESSAGE_WINDOW = timedelta(days=1)
"""Messages are counted unread or undelivered for a day after they were sent: older ones
are the recipient's archive, not a queue (and the window keeps the count on an index)."""


def screening_mode_for(path: str) -> str:
    """The screening mode of a request to ``path`` (set by the middleware before routing)."""
    return "stream" if path in _STREAMED else "single"


def count_screening(kind: str, hit: bool, mode: str | None = None) -> None:
    """One screening of ``kind`` answered (``mode`` None: the current request's)."""
    SCREENINGS.labels(mode or screening_mode.get(), kind).inc()
    if hit:
        SCREENING_HITS.labels(kind).inc()


def count_hit_created(kind: str) -> None:
    HITS_CREATED.labels(kind).inc()


def count_confirmation_requested(priority: str) -> None:
    CONFIRMATIONS_REQUESTED.labels(priority).inc()


def route_label(scope: MutableMapping[str, Any]) -> str:
    """The template of the route that served ``scope`` (after routing), the mount point
    of a mounted app (the static files), or ``unmatched``."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if isinstance(template, str):
        return template
    if "endpoint" in scope:  # a mount: its root path, one label for all its files
        return str(scope.get("root_path") or "unmatched")
    return "unmatched"


def observe_request(
    method: str, scope: MutableMapping[str, Any], status: int, seconds: float
) -> None:
    method = method if method in _METHODS else "other"
    route = route_label(scope)
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_DURATION.labels(method, route).observe(seconds)


def may_scrape(settings: Settings, host: str | None, headers: Iterable[str]) -> bool:
    """Whether a request from ``host`` with these header names (lower case) may read the
    metrics: from a listed network, and not relayed by a proxy."""
    if {"forwarded", "x-forwarded-for"} & set(headers):
        return False
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:  # no address at all (a Unix socket, a test client's name)
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # a dual-stack socket's view of an IPv4 client
    return any(address in network for network in settings.metrics_network_list)


class QueueDepths(Collector):
    """Gauges read from the database when scraped: the work waiting for people."""

    def __init__(self, session: Session, now: datetime, running_jobs: int) -> None:
        self.session, self.now, self.running_jobs = session, now, running_jobs

    def collect(self) -> Iterator[Metric]:
        info = GaugeMetricFamily("interlink_build_info", "The running version", labels=["version"])
        info.add_metric([__version__], 1)
        yield info
        jobs = GaugeMetricFamily(
            "interlink_jobs_running", "Jobs (uploads, batch screenings) running in this process"
        )
        jobs.add_metric([], self.running_jobs)
        yield jobs
        up = GaugeMetricFamily("interlink_database_up", "Whether the queue counts could be read")
        try:
            with reading(self.session):
                families = list(self._queues())
        except SQLAlchemyError:
            log.exception("metrics: the queue counts could not be read")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _queues(self) -> Iterator[Metric]:
        # The domains' tables are imported here, at scrape time: the domains import this
        # module to count, and core must not import them back when they do.
        from interlink.hits.models import Hit
        from interlink.hits.service import DEADLINES
        from interlink.messaging.models import Message, MessageRecipient
        from interlink.notices.models import Notice
        from interlink.notices.workflow import Status

        session, now = self.session, self.now
        awaiting = GaugeMetricFamily(
            "interlink_hits_awaiting_confirmation",
            "Hits whose owner was asked to confirm and has not answered, by priority",
            labels=["priority"],
        )
        overdue = GaugeMetricFamily(
            "interlink_hits_overdue",
            "Of those, the ones past their deadline, by priority",
            labels=["priority"],
        )
        counts = {priority: (0, 0) for priority in DEADLINES}
        rows = session.execute(
            select(Hit.priority, func.count(), func.sum(case((Hit.due_at < now, 1), else_=0)))
            .where(Hit.status == "confirmation_requested")
            .group_by(Hit.priority)
        )
        for priority, waiting, late in rows:
            counts[priority or "none"] = (waiting, late or 0)
        for priority, (waiting, late) in sorted(counts.items()):
            awaiting.add_metric([priority], waiting)
            overdue.add_metric([priority], late)
        yield awaiting
        yield overdue

        unread = GaugeMetricFamily(
            "interlink_messages_unread",
            "Messages of the last day not yet read by a recipient bureau (one per bureau), "
            "by priority",
            labels=["priority"],
        )
        undelivered = GaugeMetricFamily(
            "interlink_messages_undelivered",
            "Of those, the ones the bureau has not even received yet, by priority",
            labels=["priority"],
        )
        rows = session.execute(
            select(
                Message.priority,
                func.count(),
                func.sum(case((MessageRecipient.delivered_at.is_(None), 1), else_=0)),
            )
            .select_from(MessageRecipient)
            .join(Message, Message.id == MessageRecipient.message_id)
            .where(Message.sent_at >= now - MESSAGE_WINDOW, MessageRecipient.read_at.is_(None))
            .group_by(Message.priority)
        )
        for priority, waiting, not_delivered in rows:
            unread.add_metric([priority], waiting)
            undelivered.add_metric([priority], not_delivered or 0)
        yield unread
        yield undelivered

        pending = GaugeMetricFamily(
            "interlink_notices_awaiting_review",
            "Notices and diffusions awaiting a decision: submitted (the bureau's approval), "
            "under_review and revised (the Secretariat's review), sent (a diffusion's "
            "clearance), by kind and status",
            labels=["kind", "status"],
        )
        waiting_statuses = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.REVISED, Status.SENT)
        rows = session.execute(
            select(Notice.kind, Notice.status, func.count())
            .where(Notice.status.in_([status.value for status in waiting_statuses]))
            .group_by(Notice.kind, Notice.status)
        )
        for kind, status, count in rows:
            pending.add_metric([kind, status], count)
        yield pending


class _Forward(Collector):
    """Another registry's metrics, inside the scrape's registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


def scrape(
    settings: Settings, session: Session, now: datetime, running_jobs: int, accept: str | None
) -> tuple[bytes, str]:
    """The metrics in the format ``accept`` asks for (Prometheus text by default), and
    its content type."""
    registry = CollectorRegistry(auto_describe=False)
    if settings.prometheus_multiproc_dir:
        path = settings.prometheus_multiproc_dir
        multiprocess.MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(REGISTRY))
    registry.register(QueueDepths(session, now, running_jobs))
    encode, content_type = choose_encoder(accept or "")
    return encode(registry), content_type


def prepare_multiprocess_dir(path: str | Path) -> Path:
    """Create ``PROMETHEUS_MULTIPROC_DIR`` or empty it of an earlier run's counts; call it
    once when the server starts, before its workers do (the files of processes of an
    earlier run would be summed with this run's)."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return folder
