"""What every console page shares: the templates, rendering with the CSRF token, and
the signed-in actor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.core.config import Settings
from interlink.web.session import csrf_token, page_actor, set_csrf

__all__ = ["render", "signed_in", "templates"]

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    token = csrf_token(request)
    html = templates.get_template(name).render(request=request, csrf=token, **context)
    response = HTMLResponse(html, status_code=status_code)
    set_csrf(response, token)
    return response


def signed_in(request: Request, session: Session, settings: Settings) -> Actor | None:
    return page_actor(request, session, settings)
