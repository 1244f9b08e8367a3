"""Matching quality on real council addresses (../shared/real/), against the council's UPRNs.

Dedupe: the Merthyr Tydfil electoral list is loaded as one source, re-spellings of 4,000 of its
addresses (`nsai.synth.respell`: case, abbreviated street types, locality or town dropped, one
slip, postcode unspaced or missing, no commas, the number run into the street) as a second, and
`nsai reconcile` runs with the defaults. A pair of source records is true when both carry one
UPRN; a national record holding two UPRNs is an over-merge.

Run alone: `python bench/bench_real.py` prints the section. Without ../shared/real/ (or
NSAI_REAL_DATA) the section says the data is absent.
"""

from __future__ import annotations

import csv
import os
import random
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

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
from nsai.match.quality import measure, national_of  # noqa: E402
from nsai.synth.respell import respell  # noqa: E402

BENCH_DB = f"nsai_bench_real_{os.getpid()}"
RESPELT = 4_000
SEED = 14


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["ref", "address", "uprn"])
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row[key] for key in ("ref", "address", "uprn")})


def load_dedupe(
    admin: str, tmp: Path, database: str
) -> tuple[str, dict[tuple[str, str], str], dict[str, str]]:
    """A fresh database `database` holding the list and its re-spellings as two sources: its
    URL, the truth (source, ref -> UPRN) and each ref's address."""
    rows = merthyr_rows()
    rng = random.Random(SEED)
    respelt = [
        {"ref": f"R{n}", "address": respell(row["address"], rng), "uprn": row["uprn"]}
        for n, row in enumerate(rng.sample(rows, RESPELT), 1)
    ]
    url = fresh_database(admin, database)
    for name, listed in (("list", rows), ("respelt", respelt)):
        _write(tmp / f"{name}.csv", listed)
        nsai(url, "load", str(tmp / f"{name}.csv"), "--source", name, "--id-column", "ref",
              "--address-columns", "address")  # fmt: skip
    truth = {
        (source, row["ref"]): row["uprn"]
        for source, listed in (("list", rows), ("respelt", respelt))
        for row in listed
        if row["uprn"]
    }
    return url, truth, {row["ref"]: row["address"] for row in rows + respelt}


def dedupe(admin: str, tmp: Path) -> list[str]:
    url, truth, text = load_dedupe(admin, tmp, BENCH_DB)
    started = time.monotonic()
    nsai(url, "reconcile")
    seconds = time.monotonic() - started
    with psycopg.connect(url) as conn:
        quality = measure(truth, national_of(conn))
        items, pairs = conn.execute(
            "SELECT count(*), coalesce(sum(jsonb_array_length(pairs)), 0) FROM review_item "
            "WHERE status = 'open'"
        ).fetchone() or (0, 0)
        (report,) = conn.execute(
            "SELECT report FROM reconcile_run WHERE status = 'done' ORDER BY run_id DESC LIMIT 1"
        ).fetchone() or ({},)
    for label, sample in (("missed", quality.missed), ("wrongly merged", quality.wrong)):
        ordered = sorted(sample)
        for (_, x), (_, y) in ordered[:: max(1, len(ordered) // 40)]:
            print(f"{label}: {text[x]!r} | {text[y]!r}", file=sys.stderr)
    return [
        f"| Merthyr Tydfil list + {RESPELT:,} re-spellings | {quality.records:,} | "
        f"{quality.true_pairs:,} | {quality.precision:.4f} | {quality.recall:.4f} | "
        f"{quality.impure} | {items} ({pairs} pairs) | "
        f"{report.get('sure_below_threshold', 0)} | {seconds:.1f} |"
    ]


def run(quick: bool) -> str:
    header = ["## Real addresses", ""]
    if not MERTHYR.exists():
        return "\n".join([*header, f"Not run: the real data ({REAL}) is absent on this machine."])
    admin = admin_url()
    try:
        with TemporaryDirectory(prefix="nsai-bench-real-") as tmp:
            rows = dedupe(admin, Path(tmp))
    finally:
        drop_database(admin, BENCH_DB)
    return "\n".join(
        [
            *header,
            __doc__.split("\n\n")[1].replace("\n", " "),
            "",
            "| data | records with a UPRN | true pairs | pairwise precision | recall | "
            "national records holding 2+ UPRNs | review items (source pairs in them) | "
            "matched below the threshold by a slip or a silence alone | reconcile s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
