"""Every size a caller influences, in one place: request bodies (per route, and the time
they may take to arrive), uploads, attachments, zip containers, list pages, the lists and
texts of records and notices, and the depth of stored JSON. Each limit refuses what
exceeds it with a 413 (a body) or a 422 naming the field and the limit; README's table of
limits lists them. Rates (screenings, sign-ins a minute) are settings, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from interlink.matching.names import NAME_TOKENS

__all__ = [
    "ALIASES",
    "ATTACHMENTS",
    "ATTACHMENT_BYTES",
    "BODY_BYTES",
    "BODY_SECONDS",
    "COUNTRIES",
    "FEED_PAGE",
    "FORM_OVERHEAD_BYTES",
    "JSON_DEPTH",
    "LINKS",
    "LIST_ITEMS",
    "MESSAGE_BODY_BYTES",
    "MESSAGE_CHARS",
    "NAME_PARTS",
    "OBJECT_DEPTH",
    "OBJECT_KEYS",
    "PAGE",
    "RECORD_BYTES",
    "RECORD_FILE_BYTES",
    "SEND_STALL_SECONDS",
    "SHORT_LIST",
    "SIGNIN_FIELD_CHARS",
    "SPOOL_MEMORY_BYTES",
    "STREAM_BODY_BYTES",
    "UPLOAD_BYTES",
    "UPLOAD_ROWS",
    "UPLOAD_SECONDS",
    "ZIP_ENTRIES",
    "ZIP_RATIO",
    "ZIP_UNPACKED_BYTES",
    "BodyLimit",
    "body_limit",
    "megabytes",
]

MiB: Final = 1024 * 1024

# --- request bodies: read whole before a request takes its turn (core.gate) -----------

BODY_BYTES: Final = 1 * MiB
"""A request body, unless its route takes more (every JSON body, every console form)."""
STREAM_BODY_BYTES: Final = 32 * MiB
"""The NDJSON queries of one ``POST /api/v1/screen/stream``."""
UPLOAD_BYTES: Final = 32 * MiB
"""A file uploaded in the console: a manifest to screen, a file of records to import."""
UPLOAD_ROWS: Final = 100_000
"""Travellers in a manifest uploaded in the console (``interlink screen`` takes more)."""
RECORD_FILE_BYTES: Final = 5 * MiB
"""A photo or image attached to a record."""
ATTACHMENT_BYTES: Final = 10 * MiB
"""One file attached to a message."""
ATTACHMENTS: Final = 10
"""Files attached to one message."""
FORM_OVERHEAD_BYTES: Final = 64 * 1024
"""Room for a multipart form's own fields and boundaries around its files."""
MESSAGE_BODY_BYTES: Final = ATTACHMENTS * ATTACHMENT_BYTES + BODY_BYTES
"""A message sent with its attachments (multipart)."""

BODY_SECONDS: Final = 30
"""A body up to ``BODY_BYTES`` must have arrived whole this many seconds after the request
began; else 408 and the connection is closed."""
UPLOAD_SECONDS: Final = 300
"""The same for the routes that take more (uploads, attachments, streamed screening)."""
SPOOL_MEMORY_BYTES: Final = 256 * 1024
"""A body is held in memory up to this size while it arrives, in a temporary file beyond."""
SEND_STALL_SECONDS: Final = 30
"""A client that reads nothing of its answer for this long is dropped."""

# --- files --------------------------------------------------------------------------

ZIP_ENTRIES: Final = 10_000
ZIP_UNPACKED_BYTES: Final = 100 * MiB
ZIP_RATIO: Final = 100
"""A zip may hold this many entries and unpack to this much, at most this many times its
own size (documents compress 2 to 10 times; bombs by thousands)."""

# --- lists returned a page at a time -------------------------------------------------

PAGE: Final = 500
"""Items of one page of a list (its ``limit`` at most)."""
FEED_PAGE: Final = 1000
"""Items of one page of the audit trail and of the change feed (read by machines)."""

# --- what records, notices and requests hold -----------------------------------------

ALIASES: Final = 100
"""Aliases of a person or an entity (sanctions lists give some people dozens)."""
SHORT_LIST: Final = 20
"""Items of a short list: phones, e-mails, addresses, nationalities, languages, colours."""
LIST_ITEMS: Final = 50
"""Items of other lists: identity documents, charges, objects, devices, resolutions."""
LINKS: Final = 200
"""Links of a record to other records, assets' persons, an operation's targets."""
SIGNIN_FIELD_CHARS: Final = 256
"""Characters of each field of the sign-in form (passwords are at most 256)."""
COUNTRIES: Final = 250
"""Countries of a list of countries (there are 249 ISO 3166 codes)."""
RECORD_BYTES: Final = 64 * 1024
"""A record's data as JSON (its lists and texts full could hold more); a page of ``PAGE``
records is then at most 32 MB."""
MESSAGE_CHARS: Final = 100_000
"""Characters of a message's body."""
NAME_PARTS: Final = NAME_TOKENS
"""Parts of a name that screening files and compares (the rest of a longer name is not
refused, only ignored by screening)."""
OBJECT_KEYS: Final = 64
"""Keys of a free-form object a request carries to the model that validates it (a
notice's data, a correction's fields)."""
OBJECT_DEPTH: Final = 16
"""Nesting of such an object."""
JSON_DEPTH: Final = 32
"""Nesting of stored JSON: a stored value nested deeper (only a damaged or tampered row
can be) is read as damaged (``core.storedjson``) instead of failing the read."""


def megabytes(size: int) -> str:
    """``33554432`` -> ``32 MB``, ``5308416`` -> ``5.06 MB`` (for messages)."""
    return f"{size / MiB:.3g} MB" if size >= MiB else f"{size // 1024} KB"


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """How large a route's body may be (``name`` is the limit's) and how many seconds it
    may take to arrive."""

    name: str
    size: int
    seconds: float


_DEFAULT = BodyLimit("BODY_BYTES", BODY_BYTES, BODY_SECONDS)
_UPLOADS = (
    ("STREAM_BODY_BYTES", r"/api/v1/screen/stream", STREAM_BODY_BYTES),
    ("MESSAGE_BODY_BYTES", r"/api/v1/messages|/messages/new", MESSAGE_BODY_BYTES),
    ("RECORD_FILE_BYTES", r"/api/v1/records/[^/]+/[^/]+/files",
     RECORD_FILE_BYTES + FORM_OVERHEAD_BYTES),
    # The console's upload pages check the size a form declares themselves first, and
    # answer with the page: the gate's limit is a little above theirs.
    ("UPLOAD_BYTES", r"/screen/batch|/records/import", UPLOAD_BYTES + 2 * FORM_OVERHEAD_BYTES),
)  # fmt: skip
_ROUTES = tuple(
    (re.compile(pattern), BodyLimit(name, size, UPLOAD_SECONDS)) for name, pattern, size in _UPLOADS
)
"""The routes that take more than ``BODY_BYTES`` (POST only)."""


def body_limit(method: str, path: str) -> BodyLimit:
    """The limit on the body of ``method path``."""
    if method == "POST":
        for pattern, limit in _ROUTES:
            if pattern.fullmatch(path):
                return limit
    return _DEFAULT
