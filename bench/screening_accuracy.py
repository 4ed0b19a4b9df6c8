"""Screening accuracy: interlink's person matcher against OpenSanctions' and a plain baseline.

Data: the individuals of ``shared/data/un-sc-consolidated-2018-part.xml`` (UN Security
Council list, 2018; 355 entries, 354 people). Pairs are built by ``bench.screening_pairs``:

- *Record*: per person, the primary name (FIRST_NAME..FOURTH_NAME joined), one date of
  birth (the first exact date, else the first year) and the nationalities (ISO codes).
- *Positive queries*, each labelled with a variant type and carrying the record's date of
  birth and nationalities: the exact name (a control); every published alias of QUALITY
  Good, split into aliases related to the primary name and unrelated ones (another name
  altogether, which no name comparison can find); the name in its original script;
  transliterations the matcher did not make (anyascii of the original script, which
  writes Arabic without short vowels, and one or two common romanisation alternations
  such as u/ou, kh/h, q/k, w/v, doubled letters, applied to the Latin name); typos (1 or
  2 random edits); the first or last word moved to the other end; a middle word dropped;
  a word reduced to its initial; a nickname (from the ``nicknames`` list, the one
  interlink uses, so that row is an upper bound); and the exact name with the date
  varied (day and month swapped, year only, one digit mistyped; on year-only records
  the mistyped year is its own row). Random choices use a fixed seed.
- *Negatives*: each query against the records of other people of its split: the 5
  nearest names (rapidfuzz token_sort_ratio, "near name") and 20 random others.
- Kept apart: the exact name with the date of birth 17 years later, against the person's
  own record ("same name, different DOB"). Whether that should hit is a policy question
  (a namesake, or a wrong date?), so it is its own row and out of precision and recall.
- *Split*: people are "dev" or "held-out" by the parity of the first byte of the SHA-256
  of their reference number; negatives are drawn within the split. Interlink was tuned
  on neither half; both are reported so that any later tuning on "dev" shows.

A pair is a *hit* when the matcher's score reaches its documented threshold: interlink
``score_person(...).score >= HIT_THRESHOLD`` (0.80); nomenklatura ``logic-v2`` and
``logic-v1`` (the algorithms of OpenSanctions' yente) ``>= 0.70``, yente's default
(``SCORE_THRESHOLD = 0.70`` in ``yente/settings.py``, the default ``threshold`` of its
``/match`` endpoint), each with its default configuration; the baseline
``fuzz.token_sort_ratio`` of the normalised full names ``>= 85``, and nothing else.

Recall is over positives; precision and the false-hit rate are over all pairs of the
split. "Recall at P>=0.99" is an oracle figure: the best recall over all thresholds whose
precision is at least 0.99, chosen on the very pairs it reports, so it separates how well
a matcher ranks from where its threshold sits. A second pass scores the same name queries
with the name alone (no date of birth, no nationality), where only names tell people
apart. Speed: pairs per second of the first pass, one process, one thread; each matcher's
records are prepared first and warmed up by scoring each against itself (untimed: this
loads logic-v2's reference data, about 8 s); the timed part builds each query and scores
its pairs.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from rapidfuzz import fuzz

from bench.screening_pairs import Benchmark, Pair, Person, Query, build_benchmark
from interlink.matching.names import name_forms
from interlink.matching.normalise import normalise_name
from interlink.matching.score import HIT_THRESHOLD, PersonFacts, score_person

OTHER_BIRTHDAY = "same name, different DOB (should not hit)"
ORACLE_PRECISION = 0.99
YENTE_THRESHOLD = 0.70  # yente/settings.py SCORE_THRESHOLD
BASELINE_THRESHOLD = 0.85


@dataclass(frozen=True, slots=True)
class Matcher:
    name: str
    threshold: float
    prepare: Callable[[str, str | None, tuple[str, ...]], Any]  # name, date, nationalities
    score: Callable[[Any, Any], float]


@dataclass(frozen=True, slots=True)
class Scores:
    """One matcher's scores for one pass: per pair, and for the other-birthday queries."""

    pairs: list[float]
    other_birthday: list[float]
    seconds: float


# --- matchers -------------------------------------------------------------------------


def _interlink() -> Matcher:
    def prepare(name: str, date: str | None, countries: tuple[str, ...]) -> PersonFacts:
        upper = tuple(code.upper() for code in countries)
        return PersonFacts(names=tuple(name_forms([name])), date_of_birth=date, nationalities=upper)

    return Matcher("interlink", HIT_THRESHOLD, prepare, lambda q, r: score_person(q, r).score)


def _nomenklatura(algorithm_name: str) -> Matcher | None:
    try:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
    except ImportError:
        return None
    algorithm = get_algorithm(algorithm_name)
    if algorithm is None:
        return None
    config = algorithm.default_config()
    counter = iter(range(10**9))

    def prepare(name: str, date: str | None, countries: tuple[str, ...]) -> Any:
        entity = model.make_entity("Person")
        entity.id = f"e{next(counter)}"
        entity.add("name", name)
        if date:
            entity.add("birthDate", date)
        for code in countries:
            entity.add("nationality", code)
        return entity

    def score(query: Any, record: Any) -> float:
        return float(algorithm.compare(query, record, config).score)

    return Matcher(algorithm_name, YENTE_THRESHOLD, prepare, score)


def _baseline() -> Matcher:
    return Matcher(
        "rapidfuzz token_sort",
        BASELINE_THRESHOLD,
        lambda name, date, countries: normalise_name(name),
        lambda q, r: fuzz.token_sort_ratio(q, r) / 100,
    )


def matchers() -> list[Matcher]:
    found = [_interlink(), _nomenklatura("logic-v2"), _nomenklatura("logic-v1"), _baseline()]
    return [matcher for matcher in found if matcher is not None]


# --- scoring --------------------------------------------------------------------------


def _prepare_query(matcher: Matcher, query: Query) -> Any:
    return matcher.prepare(query.name, query.date_of_birth, query.nationalities)


def score_all(
    matcher: Matcher,
    people: Sequence[Person],
    queries: Sequence[Query],
    pairs: Sequence[Pair],
    other_birthday: Sequence[Query],
) -> Scores:
    records = [matcher.prepare(p.name, p.date_of_birth, p.nationalities) for p in people]
    for record in records:  # warm-up: load reference data, fill the record-side caches
        matcher.score(record, record)
    by_query: dict[int, list[int]] = {}
    for index, pair in enumerate(pairs):
        by_query.setdefault(pair.query, []).append(index)
    scores = [0.0] * len(pairs)
    started = time.perf_counter()
    for query_index, pair_indexes in by_query.items():
        prepared = _prepare_query(matcher, queries[query_index])
        for index in pair_indexes:
            scores[index] = matcher.score(prepared, records[pairs[index].record])
    seconds = time.perf_counter() - started
    other = [matcher.score(_prepare_query(matcher, q), records[q.person]) for q in other_birthday]
    return Scores(scores, other, seconds)


def name_only(benchmark: Benchmark) -> tuple[list[Query], list[Pair]]:
    """The name variants with no date of birth and no nationality (date variants dropped)."""
    keep = [i for i, q in enumerate(benchmark.queries) if not q.kind.startswith("date")]
    renumber = {old: new for new, old in enumerate(keep)}
    queries = [replace(benchmark.queries[i], date_of_birth=None, nationalities=()) for i in keep]
    pairs = [
        replace(pair, query=renumber[pair.query])
        for pair in benchmark.pairs
        if pair.query in renumber
    ]
    return queries, pairs


# --- metrics --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Metrics:
    positives: int
    negatives: int
    true_hits: int
    false_hits: Counter[str]  # by negative kind
    negatives_by_kind: Counter[str]
    recall_by_kind: dict[str, tuple[int, int]]  # variant type: (hits, positives)
    oracle_recall: float

    @property
    def recall(self) -> float:
        return self.true_hits / self.positives if self.positives else 0.0

    @property
    def precision(self) -> float:
        hits = self.true_hits + sum(self.false_hits.values())
        return self.true_hits / hits if hits else 1.0

    @property
    def false_hit_rate(self) -> float:
        return sum(self.false_hits.values()) / self.negatives if self.negatives else 0.0


def _oracle_recall(scored: list[tuple[float, bool]], positives: int) -> float:
    """Best recall at any threshold whose precision is at least ORACLE_PRECISION."""
    best = 0.0
    true_hits = false_hits = 0
    ordered = sorted(scored, key=lambda item: -item[0])
    for index, (score, positive) in enumerate(ordered):
        true_hits += positive
        false_hits += not positive
        last_of_tie = index + 1 == len(ordered) or ordered[index + 1][0] < score
        if last_of_tie and true_hits / (true_hits + false_hits) >= ORACLE_PRECISION:
            best = max(best, true_hits / positives)
    return best


def measure(
    queries: Sequence[Query],
    pairs: Sequence[Pair],
    scores: Sequence[float],
    threshold: float,
    keep: Callable[[Query], bool],
) -> Metrics:
    true_hits = positives = 0
    false_hits: Counter[str] = Counter()
    negatives: Counter[str] = Counter()
    by_kind: dict[str, list[int]] = {}
    scored: list[tuple[float, bool]] = []
    for pair, score in zip(pairs, scores, strict=True):
        query = queries[pair.query]
        if not keep(query):
            continue
        hit = score >= threshold
        scored.append((score, pair.negative is None))
        if pair.negative is None:
            positives += 1
            true_hits += hit
            counts = by_kind.setdefault(query.kind, [0, 0])
            counts[0] += hit
            counts[1] += 1
        else:
            negatives[pair.negative] += 1
            false_hits[pair.negative] += hit
    return Metrics(
        positives=positives,
        negatives=sum(negatives.values()),
        true_hits=true_hits,
        false_hits=false_hits,
        negatives_by_kind=negatives,
        recall_by_kind={kind: (hits, n) for kind, (hits, n) in by_kind.items()},
        oracle_recall=_oracle_recall(scored, positives),
    )


# --- tables ---------------------------------------------------------------------------


def _pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f} %"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def summary_table(results: Sequence[tuple[Matcher, Metrics, float]]) -> str:
    rows = []
    for matcher, metrics, pairs_per_second in results:
        near = metrics.negatives_by_kind["near name"]
        rows.append(
            [
                matcher.name,
                f"{matcher.threshold:.2f}",
                _pct(metrics.recall),
                _pct(metrics.precision),
                _pct(metrics.false_hit_rate, 2),
                _pct(metrics.false_hits["near name"] / near if near else 0.0, 2),
                _pct(metrics.oracle_recall),
                f"{pairs_per_second:,.0f}",
            ]
        )
    header = [
        "matcher",
        "threshold",
        "recall (all)",
        "precision",
        "false-hit rate",
        "false hits, near-name negatives",
        f"recall at P>={ORACLE_PRECISION} (oracle)",
        "pairs/s",
    ]
    return _table(header, rows)


def variant_table(
    results: Sequence[tuple[Matcher, Metrics]],
    other_birthday: Sequence[tuple[Matcher, int, int]] = (),
) -> str:
    kinds = sorted(
        {kind for _, metrics in results for kind in metrics.recall_by_kind},
        key=lambda kind: (kind.startswith("date"), kind != "exact (control)", kind),
    )
    rows = []
    for kind in kinds:
        n = results[0][1].recall_by_kind[kind][1]
        cells = []
        for _, metrics in results:
            hits, total = metrics.recall_by_kind[kind]
            cells.append(_pct(hits / total))
        rows.append([kind, str(n), *cells])
    if other_birthday:
        n = other_birthday[0][2]
        rows.append([OTHER_BIRTHDAY, str(n), *(_pct(h / t) for _, h, t in other_birthday)])
    return _table(["variant type", "n", *(matcher.name for matcher, _ in results)], rows)


def _versions() -> str:
    names = ("nomenklatura", "followthemoney", "rigour", "rapidfuzz", "interlink")
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


def _sizes(
    benchmark: Benchmark, split: str, queries: Sequence[Query], pairs: Sequence[Pair]
) -> str:
    people = sum(person.split == split for person in benchmark.people)
    split_queries = sum(benchmark.people[q.person].split == split for q in queries)
    split_pairs = [p for p in pairs if benchmark.people[queries[p.query].person].split == split]
    positives = sum(p.negative is None for p in split_pairs)
    return (
        f"{people} people, {split_queries} queries, {len(split_pairs)} pairs "
        f"({positives} positive, {len(split_pairs) - positives} negative)"
    )


def report_pass(
    title: str,
    benchmark: Benchmark,
    queries: Sequence[Query],
    pairs: Sequence[Pair],
    scored: Sequence[tuple[Matcher, Scores]],
    speeds: dict[str, float],
    with_other_birthday: bool,
) -> None:
    for split in ("dev", "held-out"):

        def keep(query: Query, split: str = split) -> bool:
            return benchmark.people[query.person].split == split

        results = [
            (matcher, measure(queries, pairs, scores.pairs, matcher.threshold, keep))
            for matcher, scores in scored
        ]
        print(f"\n### {title}: {split} ({_sizes(benchmark, split, queries, pairs)})\n")
        print(summary_table([(m, metrics, speeds[m.name]) for m, metrics in results]))
        other: list[tuple[Matcher, int, int]] = []
        if with_other_birthday:
            for matcher, scores in scored:
                kept = [
                    score >= matcher.threshold
                    for query, score in zip(
                        benchmark.other_birthday, scores.other_birthday, strict=True
                    )
                    if keep(query)
                ]
                other.append((matcher, sum(kept), len(kept)))
        print("\nRecall per variant type (share of positives that hit):\n")
        print(variant_table(results, other))


def _full_pass(
    benchmark: Benchmark,
) -> tuple[tuple[Query, ...], tuple[Pair, ...], tuple[Query, ...]]:
    return benchmark.queries, benchmark.pairs, benchmark.other_birthday


def run() -> None:
    started = time.perf_counter()
    benchmark = build_benchmark()
    found = matchers()
    print("## Screening accuracy on the UN Security Council list (2018 part)\n")
    print(f"Versions: {_versions()}.")
    if not any(m.name.startswith("logic") for m in found):
        print("nomenklatura is not installed: logic-v1 and logic-v2 are skipped.")
    full = [(m, score_all(m, benchmark.people, *_full_pass(benchmark))) for m in found]
    speeds = {m.name: len(benchmark.pairs) / s.seconds for m, s in full}
    report_pass(
        "Name + date of birth + nationality",
        benchmark,
        benchmark.queries,
        benchmark.pairs,
        full,
        speeds,
        with_other_birthday=True,
    )
    queries, pairs = name_only(benchmark)
    bare = [(m, score_all(m, benchmark.people, queries, pairs, ())) for m in found]
    report_pass("Name only", benchmark, queries, pairs, bare, speeds, with_other_birthday=False)
    print(
        f"\npairs/s: the name + date + nationality pass, {len(benchmark.pairs):,} pairs "
        f"(both splits). Whole run: {time.perf_counter() - started:.0f} s."
    )


if __name__ == "__main__":
    run()
