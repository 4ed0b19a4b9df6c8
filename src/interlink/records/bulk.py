"""Fast multi-row inserts for imports.

SQLAlchemy runs each column's bind processor for every row (UUID to text, datetime
formatting, JSON encoding), which costs more than SQLite's own insert. An import batch
shares most values (owner, time, visibility), so these are processed once per batch;
``data`` arrives already encoded as JSON. Values still pass through each column's
processor, so the stored form is exactly what the ORM would have written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

__all__ = ["insert_rows"]


def insert_rows(
    session: Session,
    table: Table,
    shared: dict[str, Any],
    rows: Sequence[dict[str, Any]],
    *,
    preencoded: frozenset[str] = frozenset(),
    columns: Sequence[str] | None = None,
) -> None:
    """Insert ``rows`` (each merged over ``shared``) in one executemany.

    Columns named in ``preencoded`` hold values already in the driver's form (JSON text).
    ``columns``: only these (the others take their database defaults, such as an
    autoincrementing id); all of the table's when not given.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if columns is None:
        compiled = insert(table).compile(dialect=dialect)
    else:  # inline: no RETURNING of the generated ids, which nobody reads
        compiled = insert(table).inline().compile(dialect=dialect, column_keys=list(columns))
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.params)

    def processor(name: str) -> Any:
        if name in preencoded:
            return None
        # The processor SQLAlchemy itself applies (TypeDecorators included); private API,
        # pinned with SQLAlchemy's version in pyproject.toml.
        return table.c[name].type._cached_bind_processor(dialect)

    processors = {name: processor(name) for name in names}
    # One template per batch: the shared values processed once, the varying ones filled
    # in per row (processing only where the column has a processor).
    template = [
        (processors[name](shared[name]) if processors[name] else shared[name])
        if name in shared
        else None
        for name in names
    ]
    varying = [(i, name, processors[name]) for i, name in enumerate(names) if name not in shared]
    parameters = []
    for row in rows:
        values = template.copy()
        for i, name, convert in varying:
            value = row.get(name)
            values[i] = convert(value) if convert is not None and value is not None else value
        parameters.append(values)
    if compiled.positional:
        connection.exec_driver_sql(str(compiled), [tuple(values) for values in parameters])
    else:
        connection.exec_driver_sql(
            str(compiled), [dict(zip(names, v, strict=True)) for v in parameters]
        )
