"""Cyber indicators: domains, URLs, IP addresses, file hashes, e-mail addresses, wallets."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from interlink.records.fields import PartialDate
from interlink.records.kinds.base import RecordData

__all__ = ["IndicatorData", "IndicatorType"]


class IndicatorType(StrEnum):
    DOMAIN = "domain"
    URL = "url"
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    EMAIL = "email"
    CRYPTO_WALLET = "crypto_wallet"


_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$"
)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_HEX_LENGTHS = {IndicatorType.MD5: 32, IndicatorType.SHA1: 40, IndicatorType.SHA256: 64}
_WALLET = re.compile(r"^[A-Za-z0-9]{20,128}$")


def _check(kind: IndicatorType, value: str) -> str:
    """The canonical form of ``value`` for its type; ``ValueError`` if it is not one."""
    if kind in (IndicatorType.IPV4, IndicatorType.IPV6):
        address = ipaddress.ip_address(value)
        if (address.version == 4) != (kind is IndicatorType.IPV4):
            raise ValueError(f"{value} is not an {kind.value} address")
        return str(address)
    if kind in _HEX_LENGTHS:
        lowered = value.lower()
        if len(lowered) != _HEX_LENGTHS[kind] or any(c not in "0123456789abcdef" for c in lowered):
            raise ValueError(f"a {kind.value} hash is {_HEX_LENGTHS[kind]} hexadecimal characters")
        return lowered
    if kind is IndicatorType.DOMAIN:
        lowered = value.lower().rstrip(".")
        if not _DOMAIN.match(lowered):
            raise ValueError(f"{value!r} is not a domain name")
        return lowered
    if kind is IndicatorType.URL:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https", "ftp") or not parts.netloc:
            raise ValueError(f"{value!r} is not an absolute http(s) or ftp URL")
        return value
    if kind is IndicatorType.EMAIL:
        if not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        local, domain = value.rsplit("@", 1)
        return f"{local}@{domain.lower()}"
    if not _WALLET.match(value):
        raise ValueError("a wallet address is 20 to 128 letters and digits")
    return value


class IndicatorData(RecordData):
    kind = "indicators"
    label = "cyber indicator"

    indicator_type: IndicatorType
    value: str = Field(min_length=1, max_length=2048)
    first_seen: PartialDate | None = None
    last_seen: PartialDate | None = None
    related_case: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _valid_value(self) -> Self:
        try:
            self.value = _check(self.indicator_type, self.value)
        except ValueError as exc:
            raise ValueError(f"value: {exc}") from None
        if self.first_seen and self.last_seen and self.first_seen > self.last_seen:
            raise ValueError("first_seen is after last_seen")
        return self

    def title(self) -> str:
        return f"{self.indicator_type.value} {self.value}"

    def lookup_key(self) -> str:
        return self.key_form(self.value)

    @classmethod
    def key_form(cls, identifier: str) -> str:
        return identifier.strip().lower()[:128]

    def search_terms(self) -> Iterable[str | None]:
        return [self.value, self.related_case, self.description]
