"""Password hashing (argon2), signed access tokens (JWT) and API-key secrets."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from interlink.core.types import utcnow

__all__ = [
    "decode_token",
    "hash_api_key",
    "hash_password",
    "issue_token",
    "new_api_key",
    "verify_password",
]

_hasher = PasswordHasher()
_ALGORITHM = "HS256"
_ISSUER = "interlink"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue_token(subject: str, key: str, minutes: int, **claims: Any) -> str:
    now = utcnow()
    payload = {
        "sub": subject,
        "iss": _ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        "jti": secrets.token_hex(8),
        **claims,
    }
    return jwt.encode(payload, key, algorithm=_ALGORITHM)


def decode_token(token: str, key: str) -> dict[str, Any]:
    """Claims of a valid, unexpired token; raises ``jwt.InvalidTokenError`` otherwise."""
    return jwt.decode(
        token, key, algorithms=[_ALGORITHM], issuer=_ISSUER, options={"require": ["exp", "sub"]}
    )


def new_api_key() -> tuple[str, str]:
    """A fresh API key and its lookup prefix. Only the SHA-256 of the key is stored."""
    prefix = secrets.token_hex(4)
    return prefix, f"ilk_{prefix}_{secrets.token_urlsafe(32)}"


def hash_api_key(key: str) -> str:
    # The key is 256 random bits, so a fast hash is enough (no dictionary to attack),
    # and border systems present it on every request.
    return hashlib.sha256(key.encode()).hexdigest()
