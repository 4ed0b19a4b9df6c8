"""What every CLI command shares: consoles, settings loading, a session, clean failures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.orm import Session

from interlink.core.config import Settings
from interlink.core.context import request_scope
from interlink.core.db import make_engine, make_session_factory, migrate
from interlink.core.errors import AppError

__all__ = ["console", "err", "fail", "load_settings", "open_session"]

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"INTERLINK_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise fail(f"invalid settings: {problems}") from exc


@contextmanager
def open_session(settings: Settings, *, upgrade: bool = False) -> Iterator[Session]:
    engine = make_engine(settings.database_url)
    try:
        if upgrade:
            migrate(engine)
        session = make_session_factory(engine)()
        with request_scope(), session:
            yield session
    except AppError as exc:
        raise fail(exc.detail) from exc
    finally:
        engine.dispose()
