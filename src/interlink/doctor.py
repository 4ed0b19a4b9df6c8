"""``interlink doctor``: the rows whose stored JSON is damaged, in every table that holds
JSON. A value is damaged when it is not JSON, is nested deeper than ``JSON_DEPTH``, or
(where the column has one) no longer passes its model: a hit's query is a screening body,
a record's data its kind's model, a notice's data its type's, a data request's subject
its ``Subject``. The API refuses to store any of these; they come from tampering, from a
bug, or from an older version with looser bounds. Reads show such rows as damaged or leave
them out (``core.storedjson``); this command names them so they can be mended. Exit 1
if any is found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy import JSON, Text, cast, select
from sqlalchemy import Table as SqlTable
from sqlalchemy.orm import Session

from interlink.core.clikit import console, err, load_settings, open_session
from interlink.core.db import Base
from interlink.core.storedjson import problem
from interlink.models import load_all

__all__ = ["Damaged", "doctor_command", "find_damaged"]

ModelOf = Callable[[dict[str, Any]], type[BaseModel] | None]
"""The model a column's value must pass, from its row (None: none applies)."""


def _models() -> dict[tuple[str, str], ModelOf]:
    from interlink.dataprotection.schemas import Subject
    from interlink.notices.types import TYPE_MODELS, NoticeType
    from interlink.records.kinds import KINDS
    from interlink.screening.schemas import ScreenRequest

    def notice_model(row: dict[str, Any]) -> type[BaseModel] | None:
        kind = row.get("type")
        return TYPE_MODELS.get(NoticeType(kind)) if kind in set(NoticeType) else None

    return {
        ("hits", "query"): lambda row: ScreenRequest,
        ("records", "data"): lambda row: KINDS.get(str(row.get("kind"))),
        ("notices", "data"): notice_model,
        ("data_requests", "subject"): lambda row: Subject,
    }


@dataclass(frozen=True)
class Damaged:
    table: str
    row: str
    column: str
    reason: str


def _json_tables() -> Iterator[tuple[SqlTable, list[str]]]:
    load_all()
    for table in Base.metadata.sorted_tables:
        columns = [column.name for column in table.columns if isinstance(column.type, JSON)]
        if columns:
            yield table, columns


def _model_problem(model: type[BaseModel], text: str) -> str | None:
    try:
        model.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "value"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        return f"fails its model {model.__name__}: {where}: {first['msg']}{more}"
    return None


def find_damaged(session: Session) -> tuple[int, list[Damaged]]:
    """Rows scanned, and every damaged value found (table, row id, column, why)."""
    models = _models()
    scanned, found = 0, []
    for table, columns in _json_tables():
        key = next(iter(table.primary_key.columns))
        extra = [table.c[name] for name in ("kind", "type") if name in table.c]
        texts = [cast(table.c[name], Text).label(name) for name in columns]
        query = select(key.label("_key"), *extra, *texts).order_by(key)
        for row in session.execute(query.execution_options(yield_per=1000)).mappings():
            scanned += 1
            for name in columns:
                text = row[name]
                reason = problem(text)
                model_of = models.get((table.name, name))
                if reason is None and text is not None and model_of is not None:
                    model = model_of(dict(row))
                    reason = _model_problem(model, text) if model is not None else None
                if reason is not None:
                    found.append(Damaged(table.name, str(row["_key"]), name, reason))
    return scanned, found


def doctor_command(
    shown: Annotated[int, typer.Option("--show", min=1, help="Damaged rows listed at most")] = 100,
) -> None:
    """Find the rows whose stored JSON is damaged (not JSON, nested too deep, failing its
    model); exit 1 naming them if there are any."""
    with open_session(load_settings()) as session:
        scanned, found = find_damaged(session)
    if not found:
        console.print(f"no damaged rows: {scanned:,} rows holding JSON checked")
        return
    err.print(f"{len(found):,} damaged values in {scanned:,} rows checked (table row column: why)")
    for damaged in found[:shown]:
        err.print(
            f"{damaged.table} {damaged.row} {damaged.column}: {damaged.reason}",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
    if len(found) > shown:
        err.print(f"... and {len(found) - shown:,} more (--show to list more)")
    raise typer.Exit(1)
