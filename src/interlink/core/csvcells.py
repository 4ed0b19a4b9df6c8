"""CSV cells a spreadsheet opens without running them, and back.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula: a record's name, a source id or a manifest's
traveller id written as it came could fetch a URL with the sheet's content or start a
program. Every CSV Interlink writes goes through ``writer`` (or ``neutralise``), which
puts a ``'`` before such a cell: spreadsheets show it as text.

Every such cell is quoted, numbers and phone numbers included (``-5``, ``+33 6 12 34 56
78``): a spreadsheet would read ``+33 6 12`` as a formula too, and one rule is one a
reader can undo. ``restore`` undoes it exactly, so an exported file imports back
unchanged: a cell that began with ``'`` before a formula character (or before another
``'``) is quoted once more on the way out, and loses one ``'`` on the way in.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

__all__ = ["FORMULA", "SafeWriter", "neutralise", "restore", "writer"]

FORMULA = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
_QUOTED = (*FORMULA, _QUOTE)


def neutralise(text: str) -> str:
    """``text`` as a cell no spreadsheet runs (``restore`` gives ``text`` back)."""
    if text.startswith(FORMULA) or (text.startswith(_QUOTE) and text[1:].startswith(_QUOTED)):
        return _QUOTE + text
    return text


def restore(cell: str) -> str:
    """The value ``neutralise`` wrote as ``cell``."""
    if cell.startswith(_QUOTE) and cell[1:].startswith(_QUOTED):
        return cell[1:]
    return cell


class SafeWriter:
    """``csv.writer`` whose text cells are neutralised (other values written as they are)."""

    def __init__(self, stream: Any) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(
            [neutralise(cell) if isinstance(cell, str) else cell for cell in row]
        )

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: Any) -> SafeWriter:
    """A CSV writer over ``stream`` (as ``csv.writer``) that neutralises text cells."""
    return SafeWriter(stream)
