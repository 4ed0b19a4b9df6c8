"""SQLite writers queue in turn; reading blocks take no write lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from interlink.core.db import make_engine, make_session_factory, reading
from interlink.core.sqlite import FairLock


def test_fair_lock_grants_in_the_order_asked() -> None:
    lock = FairLock()
    assert lock.acquire(timeout=1)
    order: list[int] = []
    started: list[threading.Event] = []

    def waiter(number: int) -> None:
        started[number].set()
        assert lock.acquire(timeout=5)
        order.append(number)
        lock.release()

    threads = []
    for number in range(5):
        started.append(threading.Event())
        thread = threading.Thread(target=waiter, args=(number,))
        thread.start()
        started[number].wait()
        time.sleep(0.02)  # let it queue before the next one asks
        threads.append(thread)
    lock.release()
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4]


def test_fair_lock_wait_runs_out() -> None:
    lock = FairLock()
    assert lock.acquire(timeout=1)
    assert lock.acquire(timeout=0.05) is False
    lock.release()
    assert lock.acquire(timeout=0.05)  # the one that gave up is no longer in line


def test_writers_take_turns_and_readers_do_not_wait(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    factory = make_session_factory(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))

    def increment() -> None:
        for _ in range(20):
            with factory() as session:
                value = session.execute(text("SELECT n FROM counter")).scalar_one()
                session.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
                session.commit()

    threads = [threading.Thread(target=increment) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with factory() as session:
        # Read-modify-write in every transaction: no increment is lost.
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 80

    holder: Session = factory()
    holder.execute(text("UPDATE counter SET n = 0"))  # holds the write turn
    answered = threading.Event()

    def read() -> None:
        with factory() as session, reading(session):
            session.execute(text("SELECT n FROM counter")).scalar_one()
        answered.set()

    reader = threading.Thread(target=read)
    reader.start()
    assert answered.wait(timeout=2), "a reading block waited for the writer"
    reader.join()
    holder.rollback()
    holder.close()
    engine.dispose()
