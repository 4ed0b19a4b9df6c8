"""ASGI entry point for servers run by hand: ``uvicorn interlink.asgi:app``."""

from interlink.app import create_app
from interlink.core.config import Settings

app = create_app(Settings())
