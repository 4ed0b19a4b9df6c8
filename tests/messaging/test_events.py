"""The event outbox: ids become visible in id order, so that a stream reading "after id
N" never skips an event that commits late."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from interlink.core.db import make_engine, make_session_factory
from interlink.core.events import Event, publish


def test_a_later_id_never_commits_before_an_earlier_one(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    first_published = threading.Event()
    committed: list[tuple[str, float]] = []

    def slow() -> None:
        with factory() as session:
            publish(session, "probe", object_type="probe", object_id="slow", owner=None,
                    audience="*", payload={})  # fmt: skip
            session.flush()
            first_published.set()
            time.sleep(0.5)  # the id is taken; the commit is late
            session.commit()
            committed.append(("slow", time.monotonic()))

    def fast() -> None:
        first_published.wait(10)
        with factory() as session:
            publish(session, "probe", object_type="probe", object_id="fast", owner=None,
                    audience="*", payload={})  # fmt: skip
            session.commit()
            committed.append(("fast", time.monotonic()))

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with factory() as session:
        ids = {name: number for name, number in session.execute(select(Event.object_id, Event.id))}
    engine.dispose()
    assert ids["slow"] < ids["fast"]
    assert [name for name, _ in sorted(committed, key=lambda item: item[1])] == ["slow", "fast"]
