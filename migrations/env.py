"""Alembic environment: runs on the connection ``interlink.core.db.migrate`` passes in,
or on ``INTERLINK_DATABASE_URL`` when Alembic is run by hand."""

from __future__ import annotations

from alembic import context

from interlink.core.db import Base, make_engine
from interlink.models import load_all

load_all()
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from interlink.core.config import Settings

    engine = make_engine(Settings().database_url)
    with engine.begin() as conn:
        _run(conn)
