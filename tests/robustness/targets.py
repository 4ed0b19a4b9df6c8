"""Every parser as a fuzz target: how one input is fed to it, which exception is its
documented refusal (anything else is a crash), the strategy that generates its input and
the real samples a fuzzer mutates (``mutate``: bytes flipped, inserted, deleted,
repeated); and ``time_limit``, which turns a hang into an error.

A refusal is what the API and the command line turn into a 4xx or a clear message:
``MrzError`` for zones, ``FormatError`` for exchange files (a bad line is an error
*item*, not an exception), ``InvalidInput`` for manifests (and ``ValueError`` for one
bad row, which the batch skips). Dates, names and identifiers refuse nothing: they
answer ``None``, an empty form or a warning.
"""

from __future__ import annotations

import contextlib
import io
import random
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from defusedxml import ElementTree  # type: ignore[import-untyped]
from hypothesis import strategies as st

from interlink.analysis.identifiers import record_identifiers
from interlink.core.errors import InvalidInput
from interlink.interop import csv_format, ftm, pfif, stix
from interlink.interop.base import FormatError
from interlink.interop.formats import guess_format
from interlink.matching.dates import compare_dates, parse_partial_date
from interlink.matching.identifiers import (
    compact_identifier,
    compare_identifiers,
    document_number_key,
    vin_warnings,
)
from interlink.matching.mrz import MrzError, parse_mrz
from interlink.matching.names import compare_names, name_forms
from interlink.matching.normalise import (
    join_compounds,
    name_key_tokens,
    name_tokens,
    normalise_name,
    split_compounds,
    strip_particles,
)
from interlink.matching.transliterate import latin_variants, script_of
from interlink.screening.manifest import manifest_request, read_manifest
from tests.robustness import file_strategies as fs
from tests.robustness import strategies as s

__all__ = ["TARGETS", "Hang", "Target", "mutate", "time_limit"]

INTEROP_DATA = Path(__file__).parents[1] / "interop" / "data"
UN_LIST = Path(__file__).resolve().parents[3] / "shared/data/un-sc-consolidated-2018-part.xml"


class Hang(BaseException):
    """An input took longer than its time limit (a BaseException: no parser's
    ``except Exception`` may swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``Hang`` in the block after ``seconds`` (main thread, Unix; elsewhere no limit).
    Python's regular expressions check signals, so backtracking is interrupted too."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise Hang(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Target:
    name: str
    inputs: Callable[[], st.SearchStrategy[Any]]
    run: Callable[[Any], object]
    refusal: tuple[type[BaseException], ...]
    seeds: Callable[[], list[Any]] = field(default=lambda: [])
    """Real inputs (str, bytes, or a tuple whose first item is) for mutation."""


# --- mutation of real samples ---------------------------------------------------------------

_INTERESTING = [
    b"\x00", b"\xff", b"\xef\xbb\xbf", b'"', b"'", b"<", b">", b"&", b"[", b"{", b"]]>", b"\n",
    b"\r\n", b",", b";", b"9" * 20, b"-1", b"1e309", b"<!ENTITY x 'y'>", b"\\", b"&x;", b"\xd8",
]  # fmt: skip


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(out))
        operation = rng.randrange(5)
        if operation == 0 and out:
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif operation == 1:
            out[at:at] = rng.choice(_INTERESTING)
        elif operation == 2:
            del out[at : at + rng.randint(1, 16)]
        elif operation == 3:
            chunk = out[at : at + rng.randint(1, 64)]
            where = rng.randint(0, len(out))
            out[where:where] = chunk * rng.randint(1, 8)
        else:
            out[at:at] = rng.randbytes(rng.randint(1, 4))
    return bytes(out)


def mutate(value: Any, rng: random.Random) -> Any:
    """A sample with a few random edits (of its first item, for tuples); half the time
    the first line is kept, so that a header or first entity lets the rest be read."""
    if isinstance(value, tuple):
        return (mutate(value[0], rng), *value[1:])
    if isinstance(value, bytes) and b"\n" in value and rng.random() < 0.5:
        head, _, body = value.partition(b"\n")
        return head + b"\n" + mutate_bytes(body, rng)
    if isinstance(value, str):
        edited = mutate_bytes(value.encode("utf-8", "surrogatepass"), rng)
        return edited.decode("utf-8", "surrogateescape")
    return mutate_bytes(value, rng)


# --- how each parser is driven -------------------------------------------------------------

REFERENCE_NAMES = ("Muhammad Abd al-Rahman al-Tikriti", "Юрий Щербаков", "Kim Min-jun", "张伟")


def run_names(text: str) -> object:
    tokens = name_tokens(text)
    reference = name_forms(REFERENCE_NAMES)
    forms = name_forms([text])
    return (
        normalise_name(text),
        name_key_tokens(text),
        strip_particles(tokens),
        split_compounds(join_compounds(tokens)),
        latin_variants(text),
        script_of(text),
        compare_names(forms, reference),
        compare_names(reference, forms),
    )


def run_dates(text: str) -> object:
    left, _, right = text.partition("|")
    return parse_partial_date(text), compare_dates(left, right), compare_dates(text, "1971-03-09")


def run_identifiers(text: str) -> object:
    return (
        document_number_key(text),
        compare_identifiers(text, "AB1O2345"),
        vin_warnings(text),
        vin_warnings(compact_identifier(text)),
    )


def read_all(module: Any, data: bytes, kind: str | None) -> list[Any]:
    return list(module.read(io.BytesIO(data), kind))


def run_ftm(data: bytes) -> object:
    return read_all(ftm, data, None), read_all(ftm, data, "missing-persons")


def run_manifest(data: bytes) -> object:
    rows = read_manifest(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""))
    requests = []
    for row in rows:
        with contextlib.suppress(ValueError):  # one bad row: the batch skips it
            requests.append(manifest_request(row))
    return requests


@cache
def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="interlink-guess-"))


def run_guess(file: tuple[bytes, str]) -> object:
    content, name = file
    path = _scratch() / name
    path.write_bytes(content)
    try:
        return guess_format(path)
    finally:
        path.unlink()


# --- seeds ---------------------------------------------------------------------------------


def _file(name: str) -> bytes:
    return (INTEROP_DATA / name).read_bytes()


@cache
def _un_list() -> dict[str, list[str]]:
    """Names, dates and document numbers of the UN list (empty when it is not there)."""
    found: dict[str, list[str]] = {"names": [], "dates": [], "numbers": []}
    if not UN_LIST.exists():
        return found
    for person in ElementTree.parse(UN_LIST).getroot().iter("INDIVIDUAL"):
        parts = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "NAME_ORIGINAL_SCRIPT")
        found["names"] += [t for tag in parts if (t := (person.findtext(tag) or "").strip())]
        found["dates"] += [d.text for d in person.iter("DATE") if d.text]
        found["numbers"] += [n.text for n in person.iter("NUMBER") if n.text]
    return found


MRZ_SPECIMENS = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<",
]
SAMPLE_CSV = (
    b"id,given_name,family_name,date_of_birth,nationalities,identity_documents\n"
    b'p1,Ali,Hassan,1971-03-09,IQ;JO,"[{""number"": ""A1234567""}]"\n'
)
# A country FtM does not know by code: the first one loads a table of territory names
# (about 2.5 s, once per process), which is no hang.
FTM_WARM = b'{"id": "w", "schema": "Person", "properties": {"nationality": ["Fraaance"]}}'
SAMPLE_MANIFEST = (
    b"id,name,date_of_birth,nationality,sex,document_number,document_country\n"
    b"t1,Ali Hassan al-Tikriti,1971-03-09,IQ,M,A1234567,IQ\nt2,,,,,X99,FR\n"
)

TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        Target(
            "mrz",
            s.mrz_texts,
            lambda text: parse_mrz(text, today=s.TODAY),
            (MrzError,),
            lambda: list(MRZ_SPECIMENS),
        ),
        Target("dates", s.date_texts, run_dates, (), lambda: _un_list()["dates"] or ["1971-03"]),
        Target("names", s.names, run_names, (), lambda: _un_list()["names"] or ["Ali Hassan"]),
        Target(
            "identifiers",
            s.identifier_texts,
            run_identifiers,
            (),
            lambda: [*_un_list()["numbers"], "15 ab-12345", "1HGCM82633A004352"],
        ),
        Target(
            "csv",
            fs.csv_files,
            lambda file: read_all(csv_format, *file),
            (FormatError,),
            lambda: [
                (SAMPLE_CSV, "persons"),
                (b"id,number,issuing_country\nd1,X1,FR\n", "travel-documents"),
            ],
        ),
        Target(
            "ftm",
            fs.ftm_files,
            run_ftm,
            (FormatError,),
            lambda: [_file("ftm_sample.jsonl"), FTM_WARM],
        ),
        Target(
            "stix",
            fs.stix_bundles,
            lambda data: read_all(stix, data, None),
            (FormatError,),
            lambda: [_file("indicators.stix.json")],
        ),
        Target(
            "pfif",
            fs.pfif_documents,
            lambda data: read_all(pfif, data, None),
            (FormatError,),
            lambda: [_file(name) for name in ("missing.pfif.xml", "nameless.pfif.xml", "xxe.xml")],
        ),
        Target(
            "guess_format",
            fs.guessable_files,
            run_guess,
            (FormatError,),
            lambda: [
                (_file("indicators.stix.json"), "f.json"),
                (_file("ftm_sample.jsonl"), "f.json"),
            ],
        ),
        Target("manifest", fs.manifests, run_manifest, (InvalidInput,), lambda: [SAMPLE_MANIFEST]),
        Target(
            "record_identifiers",
            fs.record_data,
            lambda record: record_identifiers(*record),
            (),
        ),
    )
}
