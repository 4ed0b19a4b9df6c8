"""Typed settings: the one place the environment is read (prefix ``INTERLINK_``).

Settings are validated when read and passed in; ``ensure_secure()`` (called by
``create_app``) refuses a missing, weak or known secret key, always: the embedded demo
(``interlink demo``) signs with a random key of its own database (``core/demo_key.py``)
when none is set. Commands that sign nothing (migrations, audit verification) do not
need the key.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["METRICS_NETWORKS", "Network", "Settings", "WeakSecretError"]

_MIN_SECRET_LENGTH = 32
_SOURCE_DEMO_KEY = "interlink-demo-secret-key-not-for-production-use-000"
"""What earlier versions signed the demo's tokens with: it was in the source, so known."""
_KNOWN_WEAK = {"secret", "changeme", "password", "interlink", _SOURCE_DEMO_KEY}
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

METRICS_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
"""Loopback and the private ranges: where a Prometheus server usually scrapes from."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class WeakSecretError(ValueError):
    """The secret key is missing, too weak or known: it must not sign tokens."""


class Settings(BaseSettings):
    """Everything configurable about a running Interlink."""

    model_config = SettingsConfigDict(env_prefix="INTERLINK_", extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///./interlink.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql://user@host/db",
    )
    secret_key: str | None = Field(default=None, description="Signs access tokens; >= 32 chars")
    token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    signin_backoff_after: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Failed sign-ins of one username from one address before that address "
        "waits (1 minute, doubling with each further failure); other addresses do not",
    )
    signin_account_backoff_after: int = Field(
        default=50,
        ge=1,
        le=100_000,
        description="Failed sign-ins of one username from addresses where it has not signed "
        "in (30 days) before all such addresses wait likewise; its own addresses do not",
    )
    signin_backoff_max_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="The longest wait after failed sign-ins"
    )
    rate_limits: bool = Field(
        default=True, description="Limit screenings and sign-ins a minute (off: benchmarks)"
    )
    screening_per_minute: int = Field(
        default=600, ge=0, description="Screenings a minute per user account (0: no limit)"
    )
    client_screening_per_minute: int = Field(
        default=12_000, ge=0, description="Screenings a minute per API client (0: no limit)"
    )
    signin_per_minute: int = Field(
        default=10,
        ge=0,
        description="Sign-in attempts a minute per username from one address (0: no limit)",
    )
    signin_per_minute_per_address: int = Field(
        default=60, ge=0, description="Sign-in attempts a minute per client address"
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks (CIDR) of the reverse proxies "
        "whose X-Forwarded-For and X-Forwarded-Proto are believed (empty: nobody's; the "
        "client is then the address that connects)",
    )
    base_url: str | None = Field(
        default=None,
        description="The address clients reach this installation at "
        "(https://interlink.example.org), for the links the API gives out; unset: links "
        "relative to the server's root (never taken from the request's Host)",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the session cookie Secure even when the app sees plain HTTP "
        "(behind a proxy that ends TLS); over HTTPS it always is",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis holding the rate limits' buckets, shared by every server process "
        "(redis://host:6379/0); unset: each process counts its own",
    )
    metrics_networks: str = Field(
        default=METRICS_NETWORKS,
        description="Comma-separated networks (CIDR) that may read GET /metrics; the rest "
        "get 404 (empty: nobody)",
    )
    prometheus_multiproc_dir: str | None = Field(
        default=None,
        # prometheus_client reads this very variable (unprefixed) to count in shared files.
        validation_alias=AliasChoices("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir"),
        description="Directory where each server process writes its metrics, so that any "
        "process answers GET /metrics for all (several workers); unset: per process",
    )
    requests_in_flight: int = Field(
        default=32,
        ge=1,
        le=36,
        description="HTTP requests a server process works on at once; the others wait their "
        "turn (core/gate.py). At most 36: fewer than the 40 threads and database connections "
        "a process has",
    )
    audit_checkpoint_dir: Path | None = Field(
        default=None,
        description="Directory where the server writes a signed checkpoint of the audit "
        "chain every audit_checkpoint_minutes (when the chain moved); keep it off this "
        "machine's disk or copy it away. Unset: checkpoints only on demand",
    )
    audit_checkpoint_minutes: float = Field(
        default=60, gt=0, le=7 * 24 * 60, description="How often the server writes one"
    )
    log_level: str = Field(default="INFO")
    watch_seconds: float = Field(
        default=30,
        ge=0,
        description="How often the server escalates overdue confirmations (0: never)",
    )

    @field_validator(
        "redis_url", "prometheus_multiproc_dir", "audit_checkpoint_dir", "base_url", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(_REDIS_SCHEMES):
            scheme = value.partition(":")[0]  # not the rest: it may hold a password
            raise ValueError(f"a Redis URL starts with {', '.join(_REDIS_SCHEMES)}, not {scheme}:")
        return value

    @field_validator("metrics_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        _parse_networks(value)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            try:  # "*" and host names are refused: uvicorn would trust them as written
                ipaddress.ip_network(part) if "/" in part else ipaddress.ip_address(part)
            except ValueError as exc:
                raise ValueError(f"{part!r} is not an address or a network ({exc})") from None
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "an http:// or https:// address, such as https://interlink.example.org"
            )
        if parts.query or parts.fragment:
            raise ValueError("an address without query or fragment")
        return value.strip().rstrip("/")

    @property
    def trusted_proxy_list(self) -> list[str]:
        """``trusted_proxies``, one address or network each."""
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def metrics_network_list(self) -> tuple[Network, ...]:
        """``metrics_networks``, parsed (not cached: ``model_copy(update=...)`` would keep
        the copied cache; a few networks parse in microseconds, once a scrape)."""
        return _parse_networks(self.metrics_networks)

    def ensure_secure(self) -> Settings:
        """Refuse to serve with a missing, weak or known secret key."""
        key = self.secret_key
        if not key:
            raise WeakSecretError(
                "INTERLINK_SECRET_KEY is not set; set a random value of at least "
                f"{_MIN_SECRET_LENGTH} characters (e.g. `openssl rand -hex 32`), or run "
                "`interlink demo` for the embedded demo (it keeps a key of its own)"
            )
        if len(key) < _MIN_SECRET_LENGTH or key.lower() in _KNOWN_WEAK or len(set(key)) < 8:
            raise WeakSecretError(
                f"INTERLINK_SECRET_KEY is too weak: use at least {_MIN_SECRET_LENGTH} "
                "random characters"
            )
        return self

    @property
    def signing_key(self) -> str:
        """The key tokens are signed with (``ensure_secure`` has checked it where it counts)."""
        if not self.secret_key:
            raise WeakSecretError("INTERLINK_SECRET_KEY is not set")
        return self.secret_key

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _parse_networks(value: str) -> tuple[Network, ...]:
    networks = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part))
        except ValueError as exc:  # "10.0.0.1/8" (host bits set) too: say which was meant
            raise ValueError(f"metrics_networks: {part!r} is not a network ({exc})") from None
    return tuple(networks)
