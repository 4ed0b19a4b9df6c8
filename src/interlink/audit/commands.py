"""``interlink audit ...``: verify the trail (against signed checkpoints too), sign a
checkpoint, print the installation's public key."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from interlink.audit.checkpoint import (
    CheckpointError,
    check_checkpoint,
    load_checkpoints,
    sign_head,
    write_checkpoint,
)
from interlink.audit.service import verify_chain
from interlink.core.clikit import console, err, fail, load_settings, open_session
from interlink.core.signing import SigningKeyError, installation_key, public_key_of

__all__ = ["audit_app"]

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)

PublicKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--public-key",
        dir_okay=False,
        help="The installation's public key (PEM, from `interlink audit public-key`); "
        "default: derived from INTERLINK_SECRET_KEY",
    ),
]


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoint",
            help="A signed checkpoint (file, or a directory of them); repeatable. The log "
            "must still hold each one's entry with its hash",
        ),
    ] = None,
    public_key: PublicKeyOption = None,
) -> None:
    """Recompute the hash chain, and check it against signed checkpoints; exit 1 naming
    the first bad entry or the checkpoint the log no longer matches."""
    settings = load_settings()
    try:
        documents = load_checkpoints(checkpoint or [])
        public = public_key_of(settings, public_key) if documents else None
    except (CheckpointError, SigningKeyError) as exc:
        raise fail(exc.detail) from exc
    with open_session(settings) as session:
        report = verify_chain(session)
        results = [
            check_checkpoint(session, document, public, source)
            for source, document in documents
            if public is not None
        ]
    broken = not report.ok
    if report.ok:
        console.print(f"audit trail intact: {report.entries} entries verified")
    else:
        err.print(
            f"[bold red]audit trail broken at entry {report.first_bad_seq}:[/] {report.reason}"
        )
    for result in results:
        if result.ok:
            console.print(f"checkpoint {result.source}: {result.reason}")
        else:
            broken = True
            err.print(f"[bold red]checkpoint {result.source} refused:[/] {result.reason}")
    if broken:
        raise typer.Exit(1)
    if results:
        newest = max(result.seq for result in results)
        console.print(
            f"{len(results)} checkpoint(s) signed by key {public.key_id if public else ''} "
            f"match; entries after {newest} are covered by no checkpoint yet"
            if newest < report.entries
            else f"{len(results)} checkpoint(s) match; the newest covers every entry"
        )


@audit_app.command("checkpoint")
def audit_checkpoint(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="File to write, or a directory (checkpoint-<seq>.json); default stdout"
        ),
    ] = None,
) -> None:
    """Sign the chain's head with the installation's key: keep the file outside the
    database (and this server); `audit verify --checkpoint` then refuses a rewritten log."""
    settings = load_settings()
    try:
        key = installation_key(settings)
    except SigningKeyError as exc:
        raise fail(exc.detail) from exc
    with open_session(settings) as session:
        document = sign_head(session, key)
    if out is None:
        sys.stdout.write(document.model_dump_json(indent=2) + "\n")
        return
    try:
        written = write_checkpoint(document, out)
    except OSError as exc:
        raise fail(f"--out: cannot write {out}: {exc.strerror or exc}") from exc
    console.print(f"checkpoint of entry {document.checkpoint.seq} written to {written}")


@audit_app.command("public-key")
def audit_public_key() -> None:
    """Print the installation's public key (PEM), for whoever verifies its checkpoints
    and backups without holding its secret."""
    try:
        public = installation_key(load_settings()).public
    except SigningKeyError as exc:
        raise fail(exc.detail) from exc
    sys.stdout.write(public.pem())
