"""The migrations build exactly the schema the models describe, on both backends: a
model changed without its migration (or the reverse) fails here, not in production."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from interlink.core.db import Base, make_engine
from interlink.models import load_all


def _not_a_test_table(obj: Any, name: str | None, type_: str, *_: Any) -> bool:
    # The tests' probe kinds (tests/kinds.py) share the models' metadata on purpose.
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return not (table is not None and str(table.name).startswith("test_"))


def test_migrations_match_the_models(fresh_database_url: str) -> None:
    load_all()
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": _not_a_test_table}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
