"""Settings refuse a missing or weak secret outside demo mode."""

from __future__ import annotations

import pytest

from interlink.app import create_app
from interlink.core.config import DEMO_SECRET_KEY, Settings, WeakSecretError


@pytest.mark.parametrize("key", [None, "", "short", "a" * 40, "changeme", DEMO_SECRET_KEY])
def test_weak_or_missing_secret_is_refused(key: str | None) -> None:
    with pytest.raises(WeakSecretError, match="INTERLINK_SECRET_KEY"):
        create_app(Settings(database_url="sqlite://", secret_key=key))


def test_demo_mode_runs_without_a_secret() -> None:
    settings = Settings(database_url="sqlite://", demo=True)
    assert settings.ensure_secure() is settings
    assert settings.signing_key == DEMO_SECRET_KEY


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERLINK_DATABASE_URL", "postgresql://db.example/interlink")
    monkeypatch.setenv("INTERLINK_TOKEN_MINUTES", "15")
    settings = Settings()
    assert settings.database_url == "postgresql://db.example/interlink"
    assert settings.token_minutes == 15
    assert not settings.is_sqlite


def test_default_database_is_an_embedded_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INTERLINK_DATABASE_URL", raising=False)
    assert Settings().database_url == "sqlite:///./interlink.db"
