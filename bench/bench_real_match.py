"""Bulk matching on real council addresses (../shared/real/): NSAI beside uk_address_matcher.

The Merthyr Tydfil electoral list is the gazetteer: each row gets a ref (M1..Mn), the list is
loaded as one source into a fresh database and reconciled (`nsai reconcile`, defaults). The
queries are re-spellings (`nsai.synth.respell`) of rows drawn from the rows that have a UPRN, plus
addresses that do not exist: a real row's street with a house number past the last number the
list has on that street, written as the list writes it ("50, CROMWELL STREET, MERTHYR TYDFIL,
CF47 8RY"). NSAI matches them with `nsai match` at its default threshold
(`NSAI_BULK_MATCH_THRESHOLD` 0.8); a national UPRN answered is right when the row's UPRN is
among the UPRNs of the list rows linked to that national record. uk_address_matcher matches
the same queries in the same run against the same list (canonical side: unique_id = ref,
address_concat = the address without its postcode, the postcode in its own column; messy side:
the query text as address_concat, the postcode left for it to read from the text), with its
default stages (exact match, then Splink); its answer is right when the ref's UPRN is the row's.

Run alone: `python bench/bench_real_match.py [--quick]` prints the section and, on stderr, a
sample of NSAI's misses and wrong answers. Without ../shared/real/ (or NSAI_REAL_DATA) the
section says the data is absent.
"""

from __future__ import annotations

import csv
import os
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.scratch import (  # noqa: E402
    MERTHYR,
    REAL,
    admin_url,
    drop_database,
    fresh_database,
    merthyr_rows,
    nsai,
)
from nsai.address.normalise import normalise_street  # noqa: E402
from nsai.address.parse import parse_address  # noqa: E402
from nsai.synth.respell import respell  # noqa: E402

BENCH_DB = f"nsai_bench_real_match_{os.getpid()}"
SEED = 1414  # bench_real.py draws its dedupe sample with 14
QUERIES = 3_000
MISSING = 300
PAST_END = 10  # a missing address's number is 1 to this past the street's last
# uk_address_matcher's thresholds on its Splink stage: the starting point its documentation
# ("Choosing a matching threshold") recommends; its defaults (-20, 0) return every best match.
UKAM_MATCH_WEIGHT = 10.0
UKAM_DISTINGUISHABILITY = 1.0
UKAM_DEFAULT_MATCH_WEIGHT = -20.0
_POSTCODE = re.compile(r",\s*([A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    truth: str | None  # the list row's UPRN; None for an address that does not exist
    meant: str  # the list's address it was written from


@dataclass
class Outcome:
    """One matcher's answers: query id -> the real UPRNs its answer stands for."""

    answers: dict[str, frozenset[str]]
    seconds: float


def _missing(rows: list[dict[str, str]], rng: random.Random, count: int) -> list[Query]:
    """`count` addresses the list does not hold: a real row's street, a number past its last."""
    last: dict[str, int] = defaultdict(int)
    by_street: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for row in rows:
        parts = parse_address(row["address"])
        if parts.street is None or parts.pao_start_number is None:
            continue
        last[parts.street] = max(
            last[parts.street], parts.pao_start_number, parts.pao_end_number or 0
        )
        if parts.sao_text or parts.sao_start_number is not None or parts.pao_text:
            continue
        segments = [s.strip() for s in row["address"].split(",")]
        at = next((i for i, s in enumerate(segments) if normalise_street(s) == parts.street), None)
        if at is not None:
            by_street[parts.street].append((segments[at], segments[at + 1 :]))
    streets = sorted(by_street)
    chosen = rng.sample(streets, min(count, len(streets)))
    while len(chosen) < count:
        chosen.append(rng.choice(streets))
    out = []
    for n, street in enumerate(chosen, 1):
        written, rest = rng.choice(by_street[street])
        number = last[street] + rng.randint(1, PAST_END)
        text = ", ".join([str(number), written, *rest])
        out.append(Query(f"X{n}", text, None, text))
    return out


def make_queries(rows: list[dict[str, str]], real: int, missing: int) -> list[Query]:
    rng = random.Random(SEED)
    with_uprn = [row for row in rows if row["uprn"]]
    queries = [
        Query(f"Q{n}", respell(row["address"], rng), row["uprn"], row["address"])
        for n, row in enumerate(rng.sample(with_uprn, real), 1)
    ]
    return queries + _missing(rows, rng, missing)


def _load(admin: str, tmp: Path, rows: list[dict[str, str]]) -> tuple[str, float, float]:
    """The list loaded and reconciled into a fresh database: its URL, load s, reconcile s."""
    path = tmp / "list.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["ref", "address"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    url = fresh_database(admin, BENCH_DB)
    started = time.monotonic()
    nsai(url, "load", str(path), "--source", "list", "--id-column", "ref",
          "--address-columns", "address")  # fmt: skip
    loaded = time.monotonic()
    nsai(url, "reconcile")
    return url, loaded - started, time.monotonic() - loaded


def run_nsai(url: str, tmp: Path, rows: list[dict[str, str]], queries: list[Query]) -> Outcome:
    uprn_of = {row["ref"]: row["uprn"] for row in rows if row["uprn"]}
    with psycopg.connect(url) as conn:
        links = conn.execute(
            "SELECT l.uprn, r.source_ref FROM address_link l JOIN source_record r USING (record_id)"
        ).fetchall()
    real: dict[str, set[str]] = defaultdict(set)
    for national, ref in links:
        if ref in uprn_of:
            real[str(national)].add(uprn_of[ref])
    path, results = tmp / "queries.csv", tmp / "results.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "address"])
        writer.writerows((q.id, q.text) for q in queries)
    started = time.monotonic()
    nsai(url, "match", str(path), "--out", str(results))
    seconds = time.monotonic() - started
    answers = {}
    with results.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["uprn"]:
                answers[row["id"]] = frozenset(real.get(row["uprn"], ()))
    return Outcome(answers, seconds)


def run_ukam(rows: list[dict[str, str]], queries: list[Query]) -> tuple[Outcome, Outcome] | str:
    """uk_address_matcher's answers at its documented starting threshold and at its defaults,
    from one run; or why it did not run."""
    try:
        import duckdb
        from uk_address_matcher import AddressMatcher  # type: ignore[import-untyped]
    except ImportError as error:
        return (
            f"uk_address_matcher is not installed here ({error}); `scripts/setup-bench.sh` "
            "installs it into .venv"
        )
    canonical = []
    for row in rows:
        found = _POSTCODE.search(row["address"])
        text = row["address"][: found.start()] if found else row["address"]
        canonical.append((row["ref"], text, found.group(1) if found else None))
    uprn_of = {row["ref"]: row["uprn"] for row in rows}
    try:
        con = duckdb.connect()
        columns = "(unique_id VARCHAR, address_concat VARCHAR, postcode VARCHAR)"
        con.execute(f"CREATE TABLE canonical {columns}")
        con.executemany("INSERT INTO canonical VALUES (?, ?, ?)", canonical)
        con.execute(f"CREATE TABLE messy {columns}")
        con.executemany("INSERT INTO messy VALUES (?, ?, NULL)", [(q.id, q.text) for q in queries])
        started = time.monotonic()
        matcher = AddressMatcher(
            canonical_addresses=con.table("canonical"),
            addresses_to_match=con.table("messy"),
            con=con,
            show_progress="off",
        )
        relation = matcher.match().matches()
        names = relation.columns
        found_rows: list[dict[str, Any]] = [
            dict(zip(names, r, strict=True)) for r in relation.fetchall()
        ]
        seconds = time.monotonic() - started
        con.close()
    except Exception as error:  # a third-party failure is reported, not raised
        return f"uk_address_matcher failed: {type(error).__name__}: {error}"
    documented: dict[str, frozenset[str]] = {}
    defaults: dict[str, frozenset[str]] = {}
    for best in found_rows:
        ref = best["resolved_canonical_id"]
        if ref is None:
            continue
        answer = frozenset({uprn_of[ref]} if uprn_of.get(ref) else ())
        weight, gap = best["match_weight"], best["distinguishability"]
        scored = weight is not None
        if not scored or weight >= UKAM_DEFAULT_MATCH_WEIGHT:
            defaults[best["unique_id"]] = answer
        if not scored or (
            weight >= UKAM_MATCH_WEIGHT and (gap is None or gap >= UKAM_DISTINGUISHABILITY)
        ):
            documented[best["unique_id"]] = answer
    return Outcome(documented, seconds), Outcome(defaults, seconds)


def _row(name: str, outcome: Outcome, queries: Sequence[Query]) -> str:
    real = [q for q in queries if q.truth is not None]
    missing = [q for q in queries if q.truth is None]
    answered = [q for q in real if q.id in outcome.answers]
    correct = sum(1 for q in answered if q.truth in outcome.answers[q.id])
    invented = sum(1 for q in missing if q.id in outcome.answers)
    precision = correct / len(answered) if answered else 1.0
    recall = correct / len(real) if real else 1.0
    return (
        f"| {name} | {len(queries):,} | {len(answered):,} | {correct:,} | {precision:.4f} | "
        f"{recall:.4f} | {invented} of {len(missing)} ({invented / max(len(missing), 1):.4f}) | "
        f"{outcome.seconds:.1f} | {len(queries) / outcome.seconds:,.0f} |"
    )


def _judged(outcome: Outcome, queries: Sequence[Query]) -> dict[str, list[Query]]:
    """NSAI's real queries left unanswered, answered wrongly, and missing ones answered."""
    return {
        "missed": [q for q in queries if q.truth is not None and q.id not in outcome.answers],
        "wrong": [
            q
            for q in queries
            if q.truth is not None
            and q.id in outcome.answers
            and q.truth not in outcome.answers[q.id]
        ],
        "invented": [q for q in queries if q.truth is None and q.id in outcome.answers],
    }


def _candidates(url: str, queries: Sequence[Query]) -> dict[str, str]:
    """Query id -> NSAI's best two candidates with their chances, from bulk matching in this
    process (the CLI's output names none when it answers nothing)."""
    from nsai.config import Settings
    from nsai.db.engine import make_engine
    from nsai.query import bulk

    settings = Settings(database_url=url)
    engine = make_engine(settings, pool_size=1)
    try:
        with engine.connect() as conn:
            results = bulk.match(
                conn,
                [bulk.Query(q.id, q.text) for q in queries],
                settings.bulk_match_threshold,
                settings.review_threshold,
            )
    finally:
        engine.dispose()
    uprns = sorted({c.uprn for r in results for c in r.candidates[:2]})
    with psycopg.connect(url) as conn:
        lines: dict[int, str] = dict(
            conn.execute(
                "SELECT uprn, single_line FROM national_address WHERE uprn = ANY(%s)", [uprns]
            ).fetchall()
        )
    return {
        r.id: "; ".join(f"{lines.get(c.uprn)!r} {c.score:.3f}" for c in r.candidates[:2])
        or "no candidate"
        for r in results
    }


def _report_misses(
    judged: dict[str, list[Query]], candidates: dict[str, str], shown: int = 30
) -> None:
    """A sample of NSAI's misses, wrong answers and invented addresses, on stderr."""
    print(
        "NSAI: " + ", ".join(f"{len(qs)} {label}" for label, qs in judged.items()) + " "
        "(invented: addresses that do not exist given a UPRN)",
        file=sys.stderr,
    )
    budget = {"wrong": min(len(judged["wrong"]), 10), "invented": min(len(judged["invented"]), 5)}
    budget["missed"] = shown - budget["wrong"] - budget["invented"]
    for label, sample in judged.items():
        step = max(1, len(sample) // max(budget[label], 1))
        for q in sample[::step][: budget[label]]:
            print(
                f"{label}: {q.text!r} | meant {q.meant!r} | candidates {candidates.get(q.id, '?')}",
                file=sys.stderr,
            )


def run(quick: bool) -> str:
    header = ["## Bulk matching on real addresses, beside uk_address_matcher", ""]
    if not MERTHYR.exists():
        return "\n".join([*header, f"Not run: the real data ({REAL}) is absent on this machine."])
    real, missing = (1_000, 100) if quick else (QUERIES, MISSING)
    rows = merthyr_rows()
    queries = make_queries(rows, real, missing)
    admin = admin_url()
    try:
        with TemporaryDirectory(prefix="nsai-bench-real-match-") as tmp:
            url, load_s, reconcile_s = _load(admin, Path(tmp), rows)
            with psycopg.connect(url) as conn:
                (nationals,) = conn.execute(
                    "SELECT count(DISTINCT uprn) FROM address_link"
                ).fetchone() or (0,)
            nsai = run_nsai(url, Path(tmp), rows, queries)
            judged = _judged(nsai, queries)
            try:
                candidates = _candidates(url, [q for qs in judged.values() for q in qs])
            except Exception as error:  # diagnostics only: the figures stand without them
                print(f"NSAI's candidates could not be read: {error}", file=sys.stderr)
                candidates = {}
    finally:
        drop_database(admin, BENCH_DB)
    _report_misses(judged, candidates)
    ukam = run_ukam(rows, queries)
    table = [_row("NSAI (`nsai match`, threshold 0.8)", nsai, queries)]
    if isinstance(ukam, str):
        note = f"uk_address_matcher: not run. {ukam}."
    else:
        documented, defaults = ukam
        table += [
            _row(
                f"uk_address_matcher, Splink weight ≥ {UKAM_MATCH_WEIGHT:g} and "
                f"distinguishability ≥ {UKAM_DISTINGUISHABILITY:g}",
                documented,
                queries,
            ),
            _row("uk_address_matcher, its defaults (every best match)", defaults, queries),
        ]
        note = (
            "uk_address_matcher runs in this process on DuckDB, with `AddressMatcher` and its "
            "default stages (exact match, then Splink); its time includes cleaning the list on "
            "the fly (its documented way for a gazetteer this small), not importing the package. "
            f"Its Splink stage's defaults (match weight ≥ {UKAM_DEFAULT_MATCH_WEIGHT:g}, "
            "distinguishability ≥ 0) keep almost every best candidate, and its documentation "
            "leaves the threshold to the user, recommending match weight ≥ "
            f"{UKAM_MATCH_WEIGHT:g} and distinguishability ≥ {UKAM_DISTINGUISHABILITY:g} "
            "as the starting point: the first row uses that, the second its defaults (exact "
            "matches are taken at both)."
        )
    missing_queries = sum(1 for q in queries if q.truth is None)
    return "\n".join(
        [
            *header,
            __doc__.split("\n\n")[1].replace("\n", " "),
            "",
            f"Data: the list's {len(rows):,} rows ({sum(1 for r in rows if r['uprn']):,} with a "
            f"UPRN), {nationals:,} national records after `nsai load` ({load_s:.1f} s) and "
            f"`nsai reconcile` ({reconcile_s:.1f} s); {len(queries) - missing_queries:,} "
            f"re-spelt real addresses and {missing_queries:,} that do not exist (their number "
            f"1-{PAST_END} past the street's last), drawn with `random.Random({SEED})`. "
            "Precision: right answers over real queries answered; recall: right answers over "
            "real queries. NSAI's time is the wall time of the `nsai match` process, start-up "
            "included.",
            "",
            "| matcher | queries | real queries answered | right | precision | recall | "
            "missing addresses given a UPRN | s | addresses/s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *table,
            "",
            note,
        ]
    )


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
