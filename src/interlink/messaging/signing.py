"""Message signatures: every bureau has an Ed25519 key (``cryptography``); a message is
signed, when sent, over the SHA-256 of its canonical content (sender, recipients,
priority, subject, body, references, time, and each attachment's name, type, size and
digest), so any recipient can check that nothing was changed since and who sent it.

Private keys are stored encrypted (Fernet) with a key derived from the server's secret;
each key is entered in the hash-chained audit trail with its public half when issued,
and a message's digest in its own audit entry, so that a key or message slipped into
the database afterwards does not verify. A new key (``interlink messages new-key``)
retires the old one; messages signed with the old key still verify with it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Actor
from interlink.audit import AuditAction
from interlink.audit import record as audit
from interlink.core.errors import AppError
from interlink.core.types import utcnow
from interlink.members.models import Bureau
from interlink.messaging.models import BureauKey, Message

__all__ = ["Verification", "bureau_keys", "canonical", "sign", "signing_key", "verify"]


def _fernet(secret: str) -> Fernet:
    derived = hashlib.sha256(b"interlink bureau signing keys|" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def _public_b64(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()


class SigningUnavailable(AppError):
    """The bureau's key cannot be opened with this server's secret."""

    status = 503
    title = "Signing unavailable"


def _current_keys(session: Session, bureau_id: uuid.UUID) -> list[BureauKey]:
    """The bureau's keys not retired, newest first (one, but for a past race)."""
    return list(
        session.scalars(
            select(BureauKey)
            .where(BureauKey.bureau_id == bureau_id, BureauKey.retired_at.is_(None))
            .order_by(BureauKey.id.desc())
        )
    )


def signing_key(
    session: Session,
    bureau_id: uuid.UUID,
    secret: str,
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> tuple[BureauKey, Ed25519PrivateKey]:
    """The bureau's current key, made (and entered in the audit trail) on first use. A key
    sealed with another secret is an error, not a reason to make a new one: a server
    started with the wrong ``INTERLINK_SECRET_KEY`` must not replace every bureau's key
    (``interlink messages new-key`` does, on purpose)."""
    current = next(iter(_current_keys(session, bureau_id)), None)
    if current is None:
        return new_key(session, bureau_id, secret, actor=actor, now=now)
    try:
        raw = _fernet(secret).decrypt(current.private_key)
    except InvalidToken:
        raise SigningUnavailable(
            "this bureau's signing key is sealed with another INTERLINK_SECRET_KEY: restore "
            "that secret, or issue a new key (interlink messages new-key)"
        ) from None
    return current, Ed25519PrivateKey.from_private_bytes(raw)


def new_key(
    session: Session,
    bureau_id: uuid.UUID,
    secret: str,
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> tuple[BureauKey, Ed25519PrivateKey]:
    """Retire the bureau's current key (if any) and issue a new one, recorded in the
    audit trail with its public half: a key that is not there signs nothing valid.
    ``now``: when it takes effect (the time of the message it is first made for)."""
    now = now or utcnow()
    for old in _current_keys(session, bureau_id):
        old.retired_at = now
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    key = BureauKey(
        bureau_id=bureau_id,
        public_key=_public_b64(private),
        private_key=_fernet(secret).encrypt(raw),
        created_at=now,
    )
    session.add(key)
    session.flush()
    audit(
        session,
        AuditAction.KEY_ISSUE,
        actor=actor,
        actor_name=None if actor else "system",
        object_type="bureau_key",
        object_id=key.id,
        after={"bureau_id": str(bureau_id), "public_key": key.public_key},
    )
    return key, private


def bureau_keys(session: Session, bureau: str | None = None) -> list[tuple[BureauKey, str]]:
    """Every bureau's signing keys (or one bureau's), newest first, with the bureau's code:
    public keys and dates only are of use to a reader; the private key stays sealed."""
    query = (
        select(BureauKey, Bureau.code)
        .join(Bureau, Bureau.id == BureauKey.bureau_id)
        .order_by(Bureau.code, BureauKey.id.desc())
    )
    if bureau:
        query = query.where(Bureau.code == bureau)
    return [(key, str(code)) for key, code in session.execute(query)]


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


def verify(
    message: Message,
    attachments: list[dict[str, Any]],
    key: BureauKey,
    *,
    issued: str | None,
    recorded_digest: str | None,
) -> Verification:
    """Recompute the message's digest from what is stored and check the signature, the
    key (issued through the audit trail, current when the message was sent) and the
    digest the message's own audit entry recorded. ``attachments`` are those of the
    stored bytes (``attachment_digests`` recomputes them)."""
    digest = hashlib.sha256(canonical(message, attachments)).digest()

    def result(valid: bool, reason: str) -> Verification:
        return Verification(valid, reason, digest.hex(), key.id, key.public_key)

    if digest.hex() != message.digest:
        return result(False, "the content differs from what was signed")
    if recorded_digest != message.digest:
        return result(False, "the message differs from what its audit entry recorded")
    if key.bureau_id != message.owner_bureau_id:
        return result(False, "the key is not the sender bureau's")
    if issued != key.public_key:
        return result(False, "the key was not issued through the audit trail")
    if key.created_at > message.sent_at or (key.retired_at and key.retired_at < message.sent_at):
        return result(False, "the key was not the bureau's current key when the message was sent")
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
        public.verify(base64.b64decode(message.signature), digest)
    except (InvalidSignature, ValueError):
        return result(False, "the signature does not match the sender bureau's key")
    return result(True, "signed by the sender bureau; unchanged since")
