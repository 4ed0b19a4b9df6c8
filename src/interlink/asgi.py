"""ASGI entry point for servers run by hand: ``uvicorn interlink.asgi:app`` (behind the
admission gate, as ``interlink serve`` runs it)."""

from interlink.app import create_app
from interlink.core.config import Settings
from interlink.core.gate import Gate

_settings = Settings()
app = Gate(create_app(_settings), _settings.requests_in_flight)
