"""GET /metrics: counters that move with requests and screenings, labelled by route
template; queue gauges read from the database; Prometheus text that parses; 404 for
anyone outside the metrics networks; several processes summed in multiprocess mode."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from interlink.access import Role
from interlink.app import create_app
from interlink.core.config import Settings
from interlink.core.metrics import may_scrape, prepare_multiprocess_dir
from interlink.hits.models import Hit
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.messaging.models import Message, MessageRecipient
from interlink.notices.models import Notice
from interlink.records.models import Record
from interlink.screening.batch import screen_manifest
from interlink.screening.manifest import manifest_request
from tests.conftest import bureau

Auth = Callable[[User], dict[str, str]]
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
LOOPBACK = ("127.0.0.1", 50000)
PERSON = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09",
          "nationalities": ["FR"], "visibility": {"mode": "all_members"}}  # fmt: skip
QUERY = {"person": {"name": "Jean Dupont", "date_of_birth": "1971-03-09"}}

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _samples(text: str) -> Samples:
    """Every sample of the exposition by (name, sorted labels); it must parse."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def scraper(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """A client on the loopback address, where the metrics may be read."""
    app = create_app(settings, session_factory=session_factory)
    app.state.clock = lambda: NOW
    with TestClient(app, raise_server_exceptions=False, client=LOOPBACK) as client:
        yield client


def _scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


def test_requests_and_screenings_are_counted_by_route_template(
    scraper: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    officer, owner = make_user(Role.OFFICER, "DE"), make_user(Role.OFFICER, "FR")
    created = scraper.post("/api/v1/records/persons", json=PERSON, headers=auth(owner))
    assert created.status_code == 201, created.text
    before = _scrape(scraper)
    missing = uuid.uuid4()
    assert scraper.get(f"/api/v1/records/persons/{missing}", headers=auth(officer)).status_code
    assert scraper.get("/no/such/path").status_code == 404
    screened = scraper.post("/api/v1/screen", json=QUERY, headers=auth(officer))
    assert screened.status_code == 200 and screened.json()["hit"] is True
    lines = "\n".join(json.dumps(QUERY) for _ in range(2)).encode()
    streamed = scraper.post("/api/v1/screen/stream", content=lines, headers=auth(officer))
    assert streamed.status_code == 200
    after = _scrape(scraper)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    template = "/api/v1/records/persons/{record_id}"
    requests = "interlink_http_requests_total"
    assert moved(requests, method="GET", route=template, status="404") == 1
    assert moved(requests, method="GET", route="unmatched", status="404") == 1
    assert moved(requests, method="POST", route="/api/v1/screen", status="200") == 1
    assert moved("interlink_http_request_duration_seconds_count", method="POST",
                 route="/api/v1/screen") == 1  # fmt: skip
    assert not any(str(missing) in dict(labels).get("route", "") for _, labels in after)
    assert moved("interlink_screenings_total", mode="single", kind="person") == 1
    assert moved("interlink_screenings_total", mode="stream", kind="person") == 2
    assert moved("interlink_screening_hits_total", kind="person") == 3
    # The first screening by DE of FR's record made a hit; the stream's found it again.
    assert moved("interlink_hits_created_total", kind="persons") == 3
    assert _value(after, "interlink_build_info", version=_version()) == 1
    assert _value(after, "interlink_database_up") == 1


def _version() -> str:
    from interlink import __version__

    return __version__


def test_batch_rows_are_counted_as_batch(
    scraper: TestClient, session: Session, make_user: Callable[..., User], database_url: str
) -> None:
    before = _scrape(scraper)
    actor = actor_for_user(make_user(Role.OFFICER, "IT"))
    rows = [{"id": "1", "name": "Nobody Known"}, {"id": "2", "name": "Someone Else"}]
    chunks = list(screen_manifest(session, database_url, rows, manifest_request, actor=actor))
    assert sum(chunk.screened for chunk in chunks) == 2
    after = _scrape(scraper)
    key = ("interlink_screenings_total", (("kind", "person"), ("mode", "batch")))
    assert after.get(key, 0) - before.get(key, 0) == 2


def test_queue_gauges_count_what_waits(scraper: TestClient, session: Session) -> None:
    fr, de = bureau(session, "FR").id, bureau(session, "DE").id

    def hit(status: str, priority: str | None, due: datetime | None) -> None:
        record = Record.example(owner_bureau_id=fr)
        session.add(record)
        session.add(Hit.example(owner_bureau_id=fr, screening_bureau_id=de, record=record,
                                status=status, priority=priority, due_at=due))  # fmt: skip

    hit("confirmation_requested", "urgent", NOW - timedelta(minutes=1))  # overdue
    hit("confirmation_requested", "urgent", NOW + timedelta(minutes=5))
    hit("confirmation_requested", "routine", NOW + timedelta(minutes=50))
    hit("open", None, None)
    hit("confirmed", "urgent", NOW - timedelta(minutes=30))  # answered: waits no more
    for status in ("submitted", "under_review", "under_review", "published"):
        session.add(Notice.example(owner_bureau_id=fr, status=status))
    for sent, delivered, read in [
        (NOW - timedelta(hours=1), None, None),  # waiting to be fetched
        (NOW - timedelta(hours=2), NOW, None),  # fetched, not read
        (NOW - timedelta(hours=3), NOW, NOW),  # read
        (NOW - timedelta(days=3), None, None),  # the archive, not a queue
    ]:
        message = Message.example(owner_bureau_id=fr, priority="urgent", sent_at=sent)
        session.add(message)
        session.flush()
        session.add(MessageRecipient(message_id=message.id, bureau_id=de,
                                     delivered_at=delivered, read_at=read))  # fmt: skip
    session.commit()

    samples = _scrape(scraper)
    assert _value(samples, "interlink_hits_awaiting_confirmation", priority="urgent") == 2
    assert _value(samples, "interlink_hits_awaiting_confirmation", priority="routine") == 1
    assert _value(samples, "interlink_hits_overdue", priority="urgent") == 1
    assert _value(samples, "interlink_hits_overdue", priority="routine") == 0
    pending = "interlink_notices_awaiting_review"
    assert _value(samples, pending, kind="notice", status="submitted") == 1
    assert _value(samples, pending, kind="notice", status="under_review") == 2
    assert _value(samples, pending, kind="notice", status="published") == 0
    assert _value(samples, "interlink_messages_unread", priority="urgent") == 2
    assert _value(samples, "interlink_messages_undelivered", priority="urgent") == 1
    assert _value(samples, "interlink_jobs_running") == 0


def test_only_the_metrics_networks_may_read(
    settings: Settings, session_factory: sessionmaker[Session], client: TestClient
) -> None:
    unknown = client.get("/no/such/path")
    refused = client.get("/metrics")  # the test client's address is no IP address
    assert refused.status_code == 404  # as for any path that does not exist
    same = ("type", "title", "status")
    assert {k: refused.json()[k] for k in same} == {k: unknown.json()[k] for k in same}
    app = create_app(settings, session_factory=session_factory)
    with TestClient(app, client=("203.0.113.7", 4000)) as outside:
        assert outside.get("/metrics").status_code == 404
    with TestClient(app, client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 200
        # Relayed by a proxy: the visitor may be anywhere.
        assert local.get("/metrics", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 404
    closed = create_app(settings.model_copy(update={"metrics_networks": ""}),
                        session_factory=session_factory)  # fmt: skip
    with TestClient(closed, client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 404


def test_which_addresses_may_scrape() -> None:
    default = Settings()
    for host in ("127.0.0.1", "::1", "10.1.2.3", "172.20.0.5", "192.168.1.1", "::ffff:10.0.0.9"):
        assert may_scrape(default, host, []), host
    for host in ("8.8.8.8", "172.32.0.1", "2001:db8::1", "", None, "testclient"):
        assert not may_scrape(default, host, []), host
    assert not may_scrape(default, "127.0.0.1", ["forwarded"])
    narrow = Settings(metrics_networks="203.0.113.0/24, 2001:db8::/32")
    assert may_scrape(narrow, "203.0.113.9", []) and may_scrape(narrow, "2001:db8::5", [])
    assert not may_scrape(narrow, "127.0.0.1", [])
    with pytest.raises(ValueError, match=r"'10\.0\.0\.1/8' is not a network"):
        Settings(metrics_networks="10.0.0.1/8")


_COUNT = """
from interlink.core import metrics
metrics.count_screening("person", True, mode="single")
metrics.HTTP_REQUESTS.labels("GET", "/api/v1/health", "200").inc()
"""
_SCRAPE = """
from datetime import UTC, datetime
from sqlalchemy.orm import Session
from interlink.core import metrics
from interlink.core.config import Settings
from interlink.core.db import make_engine
settings = Settings(database_url="sqlite://")
with Session(make_engine(settings.database_url)) as session:
    body, _ = metrics.scrape(settings, session, datetime.now(UTC), 0, None)
print(body.decode())
"""


def test_several_processes_are_summed_in_multiprocess_mode(tmp_path: Path) -> None:
    folder = prepare_multiprocess_dir(tmp_path / "metrics")
    (folder / "counter_99999.db").write_bytes(b"")  # an earlier run's leftover
    folder = prepare_multiprocess_dir(folder)
    assert list(folder.iterdir()) == []
    env = {"PROMETHEUS_MULTIPROC_DIR": str(folder), "PATH": "/usr/bin:/bin"}

    def run(code: str) -> str:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=120, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(_COUNT)
    run(_COUNT)  # two server processes, each counting one screening
    samples: dict[str, Any] = _samples(run(_SCRAPE))
    assert _value(samples, "interlink_screenings_total", mode="single", kind="person") == 2
    requests = "interlink_http_requests_total"
    assert _value(samples, requests, method="GET", route="/api/v1/health", status="200") == 2
    # The scraping process could not read the (absent) tables: it says so, and answers.
    assert _value(samples, "interlink_database_up") == 0
