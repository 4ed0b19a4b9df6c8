"""Uploaded files: their type sniffed from their first bytes (never the client's word),
their name stripped of any path, their digest; zip containers looked into before they
are kept (``zip_problem``: bombs and entries that would unpack outside their folder)."""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO
from urllib.parse import quote

from starlette.responses import StreamingResponse

from interlink.core.limits import ZIP_ENTRIES, ZIP_RATIO, ZIP_UNPACKED_BYTES

__all__ = [
    "download",
    "download_headers",
    "export_spool",
    "safe_filename",
    "sha256",
    "sniff",
    "sniff_image",
    "zip_problem",
]

# Where the limits are defined (core.limits), under the names this module has used.
ZIP_MAX_ENTRIES = ZIP_ENTRIES
ZIP_MAX_UNPACKED = ZIP_UNPACKED_BYTES
ZIP_MAX_RATIO = ZIP_RATIO

_IMAGES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_DOCUMENTS = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),  # also docx, xlsx, odt: zip containers
)


def sniff_image(content: bytes) -> str | None:
    """The image type of ``content`` from its signature, or None if it is not one we take."""
    for signature, media_type in _IMAGES:
        if content.startswith(signature):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def sniff(content: bytes) -> str | None:
    """Images, PDF, zip containers and UTF-8 text; None for anything else."""
    image = sniff_image(content)
    if image:
        return image
    for signature, media_type in _DOCUMENTS:
        if content.startswith(signature):
            return media_type
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return "text/plain"


def safe_filename(name: str | None, default: str = "file") -> str:
    """The last part of a client's file name, without control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(char for char in base if char.isprintable()).strip(" .")
    return base[:200] or default


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def download_headers(filename: str) -> dict[str, str]:
    """Headers of a file served as a download: the name in ASCII and in UTF-8 (RFC 6266),
    and no content sniffing by the browser."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                         for c in filename)  # fmt: skip
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}


def export_spool() -> IO[bytes]:
    """A temporary file to write an export into before it is sent: in memory for the
    first megabyte, on disk beyond (a hundred exports at once stay off the heap)."""
    return tempfile.SpooledTemporaryFile(max_size=1024 * 1024)


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(256 * 1024):
            yield chunk


def download(spool: IO[bytes], media_type: str, filename: str) -> StreamingResponse:
    """An export written in ``spool``, sent from its start as the download ``filename``
    (the file is closed once sent). Its route has done its database work: the answer
    needs none, and leaves the admission gate as it starts (``core.gate``)."""
    spool.seek(0)
    return StreamingResponse(
        _chunks(spool), media_type=media_type, headers=download_headers(filename)
    )


def _escapes(name: str) -> bool:
    """Whether an entry's name would unpack outside the folder it is unpacked in."""
    for path in (PurePosixPath(name), PureWindowsPath(name)):
        if path.is_absolute() or path.drive or ".." in path.parts:
            return True
    return False


def zip_problem(content: bytes) -> str | None:
    """Why this zip container is refused (None: it is not). Declared sizes are checked
    first, then every entry is unpacked (never to disk) and counted, since a bomb's
    header may lie about its size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):  # zipfile's errors vary with the damage
        return "not a readable zip file"
    with archive:
        entries = archive.infolist()
        if len(entries) > ZIP_MAX_ENTRIES:
            return f"a zip of more than {ZIP_MAX_ENTRIES} entries"
        if any(_escapes(entry.filename) for entry in entries):
            return "a zip entry's name leads outside its folder (../ or an absolute path)"
        limit = min(ZIP_MAX_UNPACKED, ZIP_MAX_RATIO * max(len(content), 1))
        if sum(entry.file_size for entry in entries) > limit:
            return "the zip unpacks to too much (a zip bomb?)"
        unpacked = 0
        for entry in entries:
            if entry.flag_bits & 0x1:
                continue  # encrypted: its declared size is all that can be checked
            try:
                with archive.open(entry) as member:
                    while chunk := member.read(1024 * 1024):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            return "the zip unpacks to too much (a zip bomb?)"
            except Exception:  # BadZipFile (CRC), zlib.error, lzma.LZMAError, OSError ...
                return f"the zip entry {entry.filename!r} cannot be read"
    return None
