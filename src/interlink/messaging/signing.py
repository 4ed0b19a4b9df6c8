"""Message signatures: every bureau has an Ed25519 key (``cryptography``); a message is
signed, when sent, over the SHA-256 of its canonical content (sender, recipients,
priority, subject, body, references, time, and each attachment's name, type, size and
digest), so any recipient can check that nothing was changed since and who sent it.

Private keys are stored encrypted (Fernet) with a key derived from the server's secret.
If the secret changes, a bureau's old key cannot sign any more: it is retired and a new
one made; messages signed with the old key still verify with its public half.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.core.types import utcnow
from interlink.messaging.models import BureauKey, Message

__all__ = ["Verification", "canonical", "sign", "signing_key", "verify"]


def _fernet(secret: str) -> Fernet:
    derived = hashlib.sha256(b"interlink bureau signing keys|" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def _public_b64(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()


def signing_key(
    session: Session, bureau_id: uuid.UUID, secret: str
) -> tuple[BureauKey, Ed25519PrivateKey]:
    """The bureau's current key, made on first use (or after a change of secret)."""
    fernet = _fernet(secret)
    current = session.scalars(
        select(BureauKey)
        .where(BureauKey.bureau_id == bureau_id, BureauKey.retired_at.is_(None))
        .order_by(BureauKey.id.desc())
    ).first()
    if current is not None:
        try:
            raw = fernet.decrypt(current.private_key)
            return current, Ed25519PrivateKey.from_private_bytes(raw)
        except InvalidToken:
            current.retired_at = utcnow()  # sealed with another secret: no longer usable
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    key = BureauKey(
        bureau_id=bureau_id, public_key=_public_b64(private), private_key=fernet.encrypt(raw)
    )
    session.add(key)
    session.flush()
    return key, private


def canonical(message: Message, attachments: list[dict[str, Any]]) -> bytes:
    """The signed content, as canonical JSON (sorted keys, no spaces, UTF-8)."""
    content = {
        "id": str(message.id),
        "thread": str(message.thread_id),
        "reply_to": str(message.reply_to_id) if message.reply_to_id else None,
        "sender_bureau": str(message.owner_bureau_id),
        "sender": message.sender,
        "recipients": message.recipients,
        "priority": message.priority,
        "subject": message.subject,
        "body": message.body,
        "references": message.references,
        "sent_at": message.sent_at.isoformat(),
        "attachments": attachments,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(private: Ed25519PrivateKey, content: bytes) -> tuple[str, str]:
    """The content's SHA-256 (hex) and the signature over it (base64)."""
    digest = hashlib.sha256(content).digest()
    return digest.hex(), base64.b64encode(private.sign(digest)).decode()


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    reason: str
    digest: str
    key_id: int
    public_key: str


def verify(message: Message, attachments: list[dict[str, Any]], key: BureauKey) -> Verification:
    """Recompute the message's digest from what is stored and check the signature."""
    digest = hashlib.sha256(canonical(message, attachments)).digest()

    def result(valid: bool, reason: str) -> Verification:
        return Verification(valid, reason, digest.hex(), key.id, key.public_key)

    if digest.hex() != message.digest:
        return result(False, "the content differs from what was signed")
    if key.bureau_id != message.owner_bureau_id:
        return result(False, "the key is not the sender bureau's")
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
        public.verify(base64.b64decode(message.signature), digest)
    except (InvalidSignature, ValueError):
        return result(False, "the signature does not match the sender bureau's key")
    return result(True, "signed by the sender bureau; unchanged since")
