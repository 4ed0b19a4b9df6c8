"""The installation's signing key: Ed25519, derived from ``INTERLINK_SECRET_KEY``.

Audit checkpoints and backup archives are signed with it so that an outsider holding
only the public half can tell them from forgeries. It is derived (HKDF-SHA256 with a
fixed label) rather than generated and stored, so that nothing secret sits in the
database (whoever holds the database without the secret cannot sign) and every server
process and CLI command of one installation has the same key without sharing a file.
A new secret is a new key: checkpoints and backups signed with the old one then verify
only against the old public key (``--public-key``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from interlink.core.config import Settings, WeakSecretError
from interlink.core.errors import AppError

__all__ = [
    "InstallationKey",
    "PublicKey",
    "SigningKeyError",
    "decode_signature",
    "installation_key",
    "load_public_key",
    "public_key_of",
]

_LABEL = b"interlink installation signing key v1"
"""HKDF's context: the same secret gives unrelated keys for unrelated uses."""


class SigningKeyError(AppError):
    """No key to sign or verify with, or a public key that cannot be read."""


@dataclass(frozen=True)
class PublicKey:
    """A public key and its id: the first 16 hex digits of the SHA-256 of its raw bytes,
    written into what it signs so that a mismatch names both keys."""

    key: Ed25519PublicKey

    @property
    def raw(self) -> bytes:
        return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()[:16]

    def pem(self) -> str:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def verifies(self, signature: bytes, content: bytes) -> bool:
        try:
            self.key.verify(signature, content)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class InstallationKey:
    private: Ed25519PrivateKey
    public: PublicKey

    def sign(self, content: bytes) -> str:
        """The Ed25519 signature of ``content``, base64."""
        return base64.b64encode(self.private.sign(content)).decode("ascii")


@lru_cache(maxsize=4)
def _derive(secret: str) -> InstallationKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        secret.encode("utf-8")
    )
    private = Ed25519PrivateKey.from_private_bytes(seed)
    return InstallationKey(private, PublicKey(private.public_key()))


def installation_key(settings: Settings) -> InstallationKey:
    """The installation's key; refuses a missing or weak secret outside demo mode (a key
    derived from a known secret would let anyone sign)."""
    try:
        settings.ensure_secure()
    except WeakSecretError as exc:
        raise SigningKeyError(
            f"{exc}: audit checkpoints and backups are signed with a key derived from it"
        ) from exc
    return _derive(settings.signing_key)


def public_key_of(settings: Settings, path: Path | None = None) -> PublicKey:
    """The key to verify with: the file ``path`` (``--public-key``) when given, else this
    installation's own."""
    if path is not None:
        return load_public_key(path)
    try:
        return installation_key(settings).public
    except SigningKeyError as exc:
        raise SigningKeyError(
            f"{exc.detail}; to verify without it, pass the installation's public key "
            "with --public-key FILE (`interlink audit public-key` prints it)"
        ) from exc


def load_public_key(path: Path) -> PublicKey:
    """An Ed25519 public key from a PEM file (what ``interlink audit public-key`` prints)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"--public-key: cannot read {path}: {exc.strerror or exc}") from exc
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise SigningKeyError(f"--public-key: {path} is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"--public-key: {path} is not an Ed25519 public key")
    return PublicKey(key)


def decode_signature(text: object) -> bytes | None:
    """The 64 bytes of a base64 Ed25519 signature, or ``None`` if ``text`` is not one."""
    if not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 64 else None
