"""Zip containers are looked into before they are kept: bombs (declared or lying about
their size), entries that would unpack outside their folder, and damaged archives are
refused; ordinary documents pass."""

from __future__ import annotations

import io
import struct
import zipfile

from interlink.core.files import ZIP_MAX_UNPACKED, safe_filename, zip_problem


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_an_ordinary_document_passes() -> None:
    report = _zip({"word/document.xml": b"<w:document>" + b"report text " * 500, "a.txt": b"x"})
    assert zip_problem(report) is None


def test_a_bomb_is_refused() -> None:
    bomb = _zip({"zeros.bin": b"\0" * (ZIP_MAX_UNPACKED + 1)})
    assert len(bomb) < 200_000
    assert "too much" in (zip_problem(bomb) or "")
    # Small in absolute terms but a thousandfold: still refused.
    assert "too much" in (zip_problem(_zip({"z": b"\0" * 5_000_000})) or "")


def test_a_bomb_whose_header_lies_about_its_size_is_refused() -> None:
    honest = _zip({"zeros.bin": b"\0" * 3_000_000})
    # Rewrite the declared sizes (local header and central directory) to 10 bytes.
    lying = bytearray(honest)
    local = lying.find(b"PK\x03\x04")
    struct.pack_into("<I", lying, local + 22, 10)
    central = lying.find(b"PK\x01\x02")
    struct.pack_into("<I", lying, central + 24, 10)
    problem = zip_problem(bytes(lying))
    assert problem is not None and ("too much" in problem or "cannot be read" in problem)


def test_entries_that_escape_their_folder_are_refused() -> None:
    for name in ("../../etc/cron.d/x", "/etc/passwd", "C:\\Windows\\evil.dll", "a/../../b"):
        assert "outside its folder" in (zip_problem(_zip({name: b"x"})) or ""), name


def test_damaged_archives_are_refused() -> None:
    assert zip_problem(b"PK\x03\x04 not really a zip") == "not a readable zip file"
    good = bytearray(_zip({"a.txt": b"hello world " * 100}))
    start = good.find(b"PK\x03\x04") + 30 + len("a.txt")
    good[start + 5 : start + 15] = b"\xff" * 10  # corrupt the compressed stream
    assert "cannot be read" in (zip_problem(bytes(good)) or "")


def test_file_names_lose_their_path() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\temp\\..\\report.pdf") == "report.pdf"
    assert safe_filename("..") == "file"
