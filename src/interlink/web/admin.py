"""The console's Administration: its overview page, and one router gathering the pages
of users (``admin_users``), API clients (``admin_clients``) and bureau signing keys
(``admin_keys``), for administrators and, for their own bureau, supervisors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from interlink.access import Permission
from interlink.core.deps import DbSession
from interlink.members.service import list_api_clients, list_users
from interlink.web import admin_clients, admin_keys, admin_users
from interlink.web.pages import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def overview(request: Request, session: DbSession, actor: admin_users.Manager) -> Response:
    _, users = list_users(session, actor=actor, limit=1, offset=0)
    clients = [c for c in list_api_clients(session, actor=actor) if c.active]
    context = {
        "actor": actor,
        "users": users,
        "clients": len(clients),
        "keys": actor.can(Permission.MEMBERS_MANAGE),
    }
    return render(request, "admin.html", context)


router.include_router(admin_users.router)
router.include_router(admin_clients.router)
router.include_router(admin_keys.router)
