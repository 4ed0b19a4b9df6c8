"""Long work started from a page (a batch screening upload, a file import), run in a
thread of the serving process, with progress the page can poll.

A job belongs to the user who started it: only they see its progress and result. The
work itself commits as it goes (chunk by chunk, batch by batch), so what a job
acknowledged is kept even if the process dies; the job's own progress and its report
live in this process only, and a restart forgets them (the audit trail keeps what was
done). Finished jobs are dropped after an hour.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Job", "JobRegistry"]

log = logging.getLogger("interlink.jobs")
KEEP_SECONDS = 3600.0


@dataclass
class Job:
    title: str
    owner: str
    """The user (name) who started it."""
    total: int | None = None
    """How many units of work, when known beforehand (rows of a manifest)."""
    done: int = 0
    state: str = "running"  # running, finished, failed
    message: str = ""
    result: bytes | None = None
    result_name: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state != "running" else None
        return min(100, round(100 * self.done / self.total))

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started


class JobRegistry:
    """The process's jobs. ``start`` runs ``work(job)`` in a thread; the work updates
    ``job.done`` (and may set ``summary``, ``result``) as it goes."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def start(self, job: Job, work: Callable[[Job], None]) -> Job:
        self._forget_old()

        def run() -> None:
            try:
                work(job)
                job.state = "finished"
            except Exception as exc:  # the page must say the job failed, whatever broke
                log.exception("job %s (%s) failed", job.id, job.title)
                job.state = "failed"
                job.message = getattr(exc, "detail", None) or "it stopped on an error (logged)"
            finally:
                job.ended = time.monotonic()

        # The request's context (its id, for the audit entries the work writes) goes along.
        context = contextvars.copy_context()
        thread = threading.Thread(
            target=context.run, args=(run,), name=f"job-{job.id[:8]}", daemon=True
        )
        with self._lock:
            self._jobs[job.id] = job
            self._threads[job.id] = thread
        thread.start()
        return job

    def running(self, owner: str) -> Job | None:
        """The job ``owner`` has running, if any (one at a time each)."""
        return next(
            (job for job in self._jobs.values() if job.owner == owner and job.state == "running"),
            None,
        )

    def get(self, job_id: str, owner: str) -> Job | None:
        """The job, if ``owner`` started it (anyone else is told there is none)."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def wait(self, job_id: str, timeout: float = 60.0) -> None:
        thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)

    def _forget_old(self) -> None:
        now = time.monotonic()
        with self._lock:
            for job_id, job in list(self._jobs.items()):
                if job.ended is not None and now - job.ended > KEEP_SECONDS:
                    del self._jobs[job_id]
                    self._threads.pop(job_id, None)
