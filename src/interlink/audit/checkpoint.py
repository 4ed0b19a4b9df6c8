"""Signed checkpoints of the audit chain, and their check against the log.

The chain alone proves nothing to whoever can write the database: its hashes are
unkeyed and its head is a row like any other, so a rewritten log with every hash
recomputed verifies. A checkpoint is the chain's head (``seq`` and the entry's chain
``hash``) signed with the installation's Ed25519 key (``core.signing``) and kept outside
the database. Against it, a log shortened below ``seq`` or rewritten at or before it is
refused: the entry at ``seq`` must still be there with that hash, and since ``verify_chain``
recomputes every hash from the first entry, that one hash fixes every entry up to it.

The document signs the head as the chain reports it; when entries are sequenced in
batches the same document signs the last sequenced entry. ``version`` changes with any
change of what is signed.

Checkpoints are not audited: one reveals only the head's position and hash, and an
entry for it would move the head it signs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from interlink.audit.models import AuditEntry, AuditHead
from interlink.audit.schemas import (
    CHECKPOINT_FORMAT,
    CHECKPOINT_VERSION,
    CheckpointBody,
    CheckpointDocument,
)
from interlink.core.errors import AppError
from interlink.core.signing import InstallationKey, PublicKey, decode_signature
from interlink.core.types import utcnow

__all__ = [
    "CheckpointError",
    "CheckpointResult",
    "check_checkpoint",
    "checkpoint_directory",
    "checkpoint_once",
    "checkpoint_round",
    "keep_checkpoints",
    "load_checkpoints",
    "parse_checkpoint",
    "sign_head",
    "signed_content",
    "write_checkpoint",
]

log = logging.getLogger("interlink.audit")


class CheckpointError(AppError):
    """A checkpoint that cannot be made, or a file that is not one (and why)."""


@dataclass(frozen=True, slots=True)
class CheckpointResult:
    source: str
    seq: int
    hash: str
    ok: bool
    reason: str


def signed_content(body: CheckpointBody) -> bytes:
    """The bytes the signature is over: the body's canonical JSON."""
    return json.dumps(body.model_dump(), sort_keys=True, separators=(",", ":")).encode("ascii")


def sign_head(
    session: Session, key: InstallationKey, *, now: datetime | None = None
) -> CheckpointDocument:
    """A checkpoint of the chain's head as it stands now, signed with ``key``."""
    head = session.get(AuditHead, 1)
    if head is None or head.seq == 0:
        raise CheckpointError("the audit trail is empty: there is nothing to checkpoint")
    stored = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == head.seq))
    if stored != head.hash:
        raise CheckpointError(
            f"the chain's head does not match the log's entry {head.seq}: run "
            "`interlink audit verify`; no checkpoint was signed"
        )
    moment = (now or utcnow()).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = CheckpointBody(
        format=CHECKPOINT_FORMAT,
        version=CHECKPOINT_VERSION,
        key_id=key.public.key_id,
        seq=head.seq,
        hash=head.hash,
        at=moment,
    )
    return CheckpointDocument(checkpoint=body, signature=key.sign(signed_content(body)))


def check_checkpoint(
    session: Session, document: CheckpointDocument, public: PublicKey, source: str = "checkpoint"
) -> CheckpointResult:
    """Whether ``document`` is signed by ``public`` and the log still holds its entry with
    its hash (the chain's own links are ``verify_chain``'s to check)."""
    body = document.checkpoint

    def result(ok: bool, reason: str) -> CheckpointResult:
        return CheckpointResult(source, body.seq, body.hash, ok, reason)

    signature = decode_signature(document.signature)
    if signature is None or not public.verifies(signature, signed_content(body)):
        if body.key_id != public.key_id:
            return result(
                False,
                f"it names key {body.key_id} and does not verify against key "
                f"{public.key_id}: signed by another installation, or forged",
            )
        return result(
            False,
            f"its signature does not verify against key {public.key_id}: it was forged or altered",
        )
    stored = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == body.seq))
    if stored is None:
        last = session.scalar(select(func.max(AuditEntry.seq))) or 0
        if last > body.seq:
            return result(False, f"entry {body.seq}, which it signed, is missing from the log")
        return result(
            False,
            f"it signed entry {body.seq} but the log ends at entry {last}: entries were removed",
        )
    if stored != body.hash:
        return result(
            False,
            f"the log's entry {body.seq} has hash {stored[:16]}…, the checkpoint signed "
            f"{body.hash[:16]}…: the log was rewritten at or before entry {body.seq}",
        )
    return result(True, f"entry {body.seq} is as signed at {body.at}")


def load_checkpoints(paths: Iterable[Path]) -> list[tuple[str, CheckpointDocument]]:
    """The checkpoints in ``paths``: files, or directories of ``*.json`` files (in name
    order); each named by its path. A file that is not a checkpoint is an error."""
    found: list[tuple[str, CheckpointDocument]] = []
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            raise CheckpointError(f"--checkpoint: {path} holds no checkpoint (*.json)")
        found.extend((str(file), _read(file)) for file in files)
    return found


def _read(path: Path) -> CheckpointDocument:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"--checkpoint: cannot read {path}: {exc.strerror or exc}") from exc
    return parse_checkpoint(raw, str(path))


def parse_checkpoint(raw: bytes, source: str, field: str = "--checkpoint") -> CheckpointDocument:
    """The checkpoint in ``raw`` (a file's bytes, named ``source``); ``CheckpointError``
    naming ``field`` when it is not one this Interlink reads."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise CheckpointError(f"{field}: {source} is not JSON ({str(exc)[:80]})") from exc
    body = data.get("checkpoint") if isinstance(data, dict) else None
    if not isinstance(body, dict) or body.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{field}: {source} is not an Interlink audit checkpoint")
    version = body.get("version")
    if isinstance(version, int) and version > CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{field}: {source} is a version {version} checkpoint; this Interlink reads "
            f"version {CHECKPOINT_VERSION}"
        )
    try:
        return CheckpointDocument.model_validate(data)
    except ValidationError as exc:
        raise CheckpointError(f"{field}: {source} is malformed ({_problems(exc)})") from exc


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors()
    )


def write_checkpoint(document: CheckpointDocument, target: Path) -> Path:
    """Write ``document`` to the file ``target``, or into the directory ``target`` as
    ``checkpoint-<seq>.json``; completely or not at all."""
    if target.is_dir():
        target = target / f"checkpoint-{document.checkpoint.seq:012d}.json"
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        partial.write_text(document.model_dump_json(indent=2) + "\n", encoding="ascii")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def checkpoint_directory(path: Path) -> Path:
    """``INTERLINK_AUDIT_CHECKPOINT_DIR``, made if absent; refused if it cannot be written
    (at start-up, rather than at the first checkpoint an hour later)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CheckpointError(
            f"INTERLINK_AUDIT_CHECKPOINT_DIR: cannot make {path}: {exc.strerror or exc}"
        ) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise CheckpointError(f"INTERLINK_AUDIT_CHECKPOINT_DIR: {path} is not writable")
    return path


def checkpoint_once(
    factory: sessionmaker[Session], key: InstallationKey, directory: Path
) -> Path | None:
    """Sign the head into ``directory`` unless the trail is empty or a checkpoint of the
    head is already there (another server process may have written it)."""
    with factory() as session:
        head = session.get(AuditHead, 1)
        if head is None or head.seq == 0:
            return None
        target = directory / f"checkpoint-{head.seq:012d}.json"
        if target.exists():
            return None
        document = sign_head(session, key)
    return write_checkpoint(document, directory)


async def checkpoint_round(
    factory: sessionmaker[Session], key: InstallationKey, directory: Path
) -> None:
    """``checkpoint_once`` in a worker thread; a failure is logged, not raised (the next
    round tries again)."""
    try:
        written = await run_in_threadpool(checkpoint_once, factory, key, directory)
    except Exception:
        log.exception("writing an audit checkpoint to %s failed", directory)
        return
    if written is not None:
        log.info("audit checkpoint written: %s", written)


async def keep_checkpoints(
    factory: sessionmaker[Session], key: InstallationKey, directory: Path, minutes: float
) -> None:
    """Every ``minutes``, a checkpoint of the head if it moved; until cancelled."""
    while True:
        await asyncio.sleep(minutes * 60)
        await checkpoint_round(factory, key, directory)
