"""Settings refuse a missing, weak or known secret, whatever INTERLINK_DEMO says."""

from __future__ import annotations

import pytest

from interlink.app import create_app
from interlink.core.config import Settings, WeakSecretError
from tests.test_demo_key import SOURCE_KEY


@pytest.mark.parametrize("key", [None, "", "short", "a" * 40, "changeme", SOURCE_KEY])
def test_weak_or_missing_secret_is_refused(key: str | None) -> None:
    with pytest.raises(WeakSecretError, match="INTERLINK_SECRET_KEY"):
        create_app(Settings(database_url="sqlite://", secret_key=key))


def test_interlink_demo_no_longer_lets_a_server_run_without_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INTERLINK_DEMO", "true")
    monkeypatch.delenv("INTERLINK_SECRET_KEY", raising=False)
    settings = Settings(database_url="sqlite://")
    with pytest.raises(WeakSecretError, match="INTERLINK_SECRET_KEY is not set"):
        create_app(settings)
    with pytest.raises(WeakSecretError):
        settings.signing_key  # noqa: B018 (nothing is signed with a key that is not there)


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
