"""SQLite specifics: connection pragmas, and one writer at a time, in turn.

SQLite lets one transaction write at a time. Left to itself, a waiting writer sleeps and
retries (busy timeout), so under concurrent requests some wait far longer than others:
the screening API's p99 was 1.5 s with 8 clients (bench/screening_api.py). Within one
process, writers here queue on a first-come-first-served lock instead and SQLite's own
waiting only arbitrates between processes. Transactions that only read (see
``core.db.reading``) begin DEFERRED and take no lock: WAL readers never wait.
"""

from __future__ import annotations

import threading
from collections import deque
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event

__all__ = ["BUSY_SECONDS", "FairLock", "configure_sqlite", "read_only"]

BUSY_SECONDS = 10.0
read_only: ContextVar[bool] = ContextVar("interlink_read_only", default=False)
"""Set while a block promised to only read: its transaction begins without the lock."""


class FairLock:
    """A lock granted in the order it was asked for (``threading.Lock`` is not fair)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        with self._guard:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # the holder handed the lock over
        with self._guard:
            if turn in self._waiters:
                self._waiters.remove(turn)
                return False
        return True  # handed over just as the wait ran out

    def release(self) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().release()  # still held: now by the next in line
            else:
                self._held = False


def configure_sqlite(engine: Engine) -> None:
    writers = FairLock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so that
        # savepoints and BEGIN work as documented.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Random keys (UUIDs, document numbers) land all over the indexes; the default
        # 2 MB page cache made inserts into millions of records three times slower.
        cursor.execute("PRAGMA cache_size=-131072")
        cursor.execute("PRAGMA temp_store=MEMORY")
        # Checkpoint the WAL every ~64 MB rather than every 4 MB: bulk imports wrote each
        # page to the database file several times over, and each checkpoint syncs.
        cursor.execute("PRAGMA wal_autocheckpoint=16384")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if read_only.get():
            conn.exec_driver_sql("BEGIN")
            return
        # IMMEDIATE: take SQLite's write lock when the transaction starts. A deferred
        # transaction that has read cannot wait for it: it fails with "database is
        # locked" under concurrent requests (measured by bench/screening_api.py).
        if not conn.info.get("writer"):
            if not writers.acquire(timeout=BUSY_SECONDS):
                raise TimeoutError(f"the database stayed busy for {BUSY_SECONDS:.0f} s")
            conn.info["writer"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn.info)
            raise

    def _release(info: dict[str, Any]) -> None:
        if info.pop("writer", False):
            writers.release()

    # The turn ends when the connection goes back to the pool (sessions give it back at
    # commit and rollback), or is thrown away.
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _release(record.info)

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
        _release(record.info)
