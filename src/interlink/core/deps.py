"""FastAPI dependencies shared by every router: settings and the database session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from interlink.core.config import Settings
from interlink.core.types import utcnow

__all__ = ["DbSession", "Now", "SettingsDep", "get_session", "get_settings", "now"]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


DbSession = Annotated[Session, Depends(get_session, scope="function")]
"""The request's session, closed once its route has run and its answer is serialised,
before the answer is sent: a client slow to read holds no connection (``core.gate``)."""
SettingsDep = Annotated[Settings, Depends(get_settings)]


def now(request: Request) -> datetime:
    """The current time by the app's clock (``app.state.clock``; tests set their own, so
    deadlines are tested without waiting)."""
    clock: Callable[[], datetime] = getattr(request.app.state, "clock", utcnow)
    return clock()


Now = Annotated[datetime, Depends(now)]
