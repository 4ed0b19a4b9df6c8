"""What every console page shares: the templates, rendering with the CSRF token, and
the signed-in actor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from interlink.access import Actor
from interlink.web.session import csrf_token, set_csrf

__all__ = ["html_problem", "problem_page", "render", "templates"]

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    token = csrf_token(request)
    html = templates.get_template(name).render(request=request, csrf=token, **context)
    response = HTMLResponse(html, status_code=status_code)
    set_csrf(response, token)
    return response


def problem_page(
    request: Request, actor: Actor | None, message: str, status_code: int
) -> HTMLResponse:
    """A page saying what went wrong (not found, not for this role ...)."""
    context = {"actor": actor, "message": message}
    return render(request, "problem.html", context, status_code=status_code)


_NOT_CONSOLE = ("/api/", "/notices/v1/", "/static/", "/docs", "/openapi", "/redoc")


def html_problem(request: Request, status: int, title: str, detail: str) -> Response | None:
    """A console request's error as a page (an htmx request's as an alert in its target);
    None for API requests, which keep their problem+json."""
    if request.url.path.startswith(_NOT_CONSOLE):
        return None
    if status == 401:  # signed out, or the session ended: to the sign-in page
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/signin"})
        return RedirectResponse("/signin", status_code=303)
    if request.headers.get("HX-Request"):
        fragment = templates.get_template("_alert.html").render(title=title, detail=detail)
        return HTMLResponse(fragment, status_code=200)  # htmx swaps only successful answers
    if "text/html" not in request.headers.get("accept", ""):
        return None
    actor = getattr(request.state, "actor", None)  # set by the page guards of web.session
    message = detail if status == 403 else f"{title}: {detail}"
    context = {"actor": actor, "message": message}
    return render(request, "problem.html", context, status_code=status)
