"""Uploaded files: their type sniffed from their first bytes (never the client's word),
their name stripped of any path, their digest."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

__all__ = ["download_headers", "safe_filename", "sha256", "sniff", "sniff_image"]

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
