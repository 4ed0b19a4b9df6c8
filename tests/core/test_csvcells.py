"""CSV cells a spreadsheet would run are quoted, and the quote comes off on the way back."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlink.core.csvcells import FORMULA, neutralise, restore, writer


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),  # a phone number: quoted too
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("'=1", "''=1"),  # begins with the quote itself: quoted once more
        ("''", "'''"),
        ("'Ndrangheta", "'Ndrangheta"),  # a quote before no formula: as it is
        ("Jean-Pierre", "Jean-Pierre"),
        ("", ""),
    ],
)
def test_cells_and_back(value: str, cell: str) -> None:
    assert neutralise(value) == cell
    assert restore(cell) == value


@given(st.text(alphabet=st.sampled_from([*FORMULA, "'", "a", "1", " "]), max_size=6) | st.text())
def test_every_value_comes_back_and_no_cell_starts_a_formula(value: str) -> None:
    cell = neutralise(value)
    assert restore(cell) == value
    assert not cell.startswith(FORMULA)


def test_the_writer_quotes_text_cells_only() -> None:
    out = io.StringIO()
    writer(out).writerows([["=cmd", 5, -1.5, None, "ok"]])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=cmd", "5", "-1.5", "", "ok"]
