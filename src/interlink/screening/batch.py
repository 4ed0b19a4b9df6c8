"""Batch screening of a manifest's rows, in chunks, on one process or several.

The parent builds the index and the snapshot of what the actor may screen once; with
``workers`` > 1 it forks worker processes that inherit both (copy-on-write) and each
open their own database connection. Chunks come back in manifest order, so the report
and the audit entries (one per chunk) are the same whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.core import metrics
from interlink.core.db import make_engine, make_session_factory, reading
from interlink.matching.score import HIT_THRESHOLD
from interlink.screening.index import ScreeningIndex
from interlink.screening.schemas import ScreenRequest
from interlink.screening.service import Snapshot, screen

__all__ = ["CHUNK", "Chunk", "screen_manifest"]

CHUNK = 1000
"""Travellers per chunk: one audit entry each."""

Row = tuple[int, dict[str, str]]  # manifest line number, CSV row
RequestMaker = Callable[[dict[str, str]], ScreenRequest]


@dataclass
class Chunk:
    """What screening one chunk produced: report rows, matches for the audit, counts."""

    report: list[list[object]] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    screened: int = 0
    hits: int = 0
    found: list[dict[str, Any]] = field(default_factory=list)
    """Matches at the hit threshold, for the hits the parent records."""


def _screen_chunk(
    session: Session,
    rows: Sequence[Row],
    make_request: RequestMaker,
    actor: Actor,
    index: ScreeningIndex,
    snapshot: Snapshot,
) -> Chunk:
    chunk = Chunk()
    for line, row in rows:
        try:
            request = make_request(row)
        except (ValidationError, ValueError) as exc:
            chunk.skipped.append(f"line {line}: {exc}".splitlines()[0])
            continue
        result = screen(
            session, request, actor=actor, index=index, audited=False, snapshot=snapshot
        )
        chunk.screened += 1
        metrics.count_screening(request.kind(), result["hit"], mode="batch")
        chunk.hits += result["hit"]
        for match in result["matches"]:
            chunk.report.append(
                [
                    row.get("id", ""),
                    "true" if match["score"] >= HIT_THRESHOLD else "false",
                    match["record_id"],
                    match["source_id"] or "",
                    match["kind"],
                    match["owner"],
                    match["score"],
                ]
            )
            chunk.matches.append(
                {"line": line, "record_id": str(match["record_id"]), "score": match["score"]}
            )
            if match["score"] >= HIT_THRESHOLD:
                chunk.found.append(
                    {
                        "query": request.model_dump(mode="json", exclude_none=True),
                        "record_id": str(match["record_id"]),
                        "score": match["score"],
                        "explanation": match["explanation"],
                    }
                )
        if not result["matches"]:
            chunk.report.append([row.get("id", ""), "false", "", "", "", "", ""])
    return chunk


# What forked workers inherit from the parent (set just before the pool starts).
_inherited: dict[str, Any] = {}


def _work(rows: Sequence[Row]) -> Chunk:
    session = _inherited.get("session")
    if session is None:  # first chunk in this process: a connection of its own
        engine = make_engine(_inherited["url"])
        session = _inherited["session"] = make_session_factory(engine)()
    return _screen_chunk(
        session,
        rows,
        _inherited["make_request"],
        _inherited["actor"],
        _inherited["index"],
        _inherited["snapshot"],
    )


def _chunks(rows: Sequence[dict[str, str]]) -> Iterator[list[Row]]:
    numbered = list(enumerate(rows, start=2))  # line 1 is the header
    for start in range(0, len(numbered), CHUNK):
        yield numbered[start : start + CHUNK]


def screen_manifest(
    session: Session,
    url: str,
    rows: Sequence[dict[str, str]],
    make_request: RequestMaker,
    *,
    actor: Actor,
    workers: int = 1,
) -> Iterator[Chunk]:
    """Screen ``rows`` chunk by chunk (in order) as ``actor``, against one snapshot."""
    index = ScreeningIndex(min_interval=float("inf"))  # the batch screens one snapshot
    with reading(session):  # a long build: on SQLite, without holding up writers
        snapshot = Snapshot(session, actor, index)
    if workers <= 1:
        for chunk in _chunks(rows):
            yield _screen_chunk(session, chunk, make_request, actor, index, snapshot)
        return
    _inherited.update(
        url=url, make_request=make_request, actor=actor, index=index, snapshot=snapshot
    )
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_work, _chunks(rows))
    finally:
        _inherited.clear()
