"""Weights learned from a truth (nsai/match/weights.py) beside the hand-set bits, on data they
were not learned from.

The weights are learned from `nsai synth --properties 30,000 --seed 14` (10,000 with --quick)
with `nsai weights learn`, then both sets score the candidate pairs of a synth region of the
same size with the default seed and of the Merthyr Tydfil list with 4,000 re-spellings
(bench_real's), and the real dedupe runs end to end with NSAI_MATCH_WEIGHTS naming the learned
file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_real import dedupe, load_dedupe  # noqa: E402
from bench.scratch import MERTHYR, NSAI, admin_url, drop_database, env, fresh_database, nsai  # noqa: E402
from nsai.match.compare import HAND_SET, PairScore  # noqa: E402
from nsai.match.learn import Labelled, labelled_pairs  # noqa: E402
from nsai.match.quality import read_truth  # noqa: E402
from nsai.match.weights import CHOICE, Weights, read  # noqa: E402

BENCH_DB = "nsai_bench_weights"
SEED = "14"  # the training region's; the held-out region has synth's default

AT = (0.5, 0.9, 0.975, 0.99)


def _region(tmp: Path, args: tuple[str, ...]) -> tuple[str, Path]:
    region = tmp / "region"
    subprocess.run([NSAI, "synth", str(region), "--force", *args], check=True, capture_output=True)
    url = fresh_database(admin_url(), BENCH_DB)
    subprocess.run(
        [NSAI, "load-manifest", str(region / "manifest.json")],
        env=env(url),
        check=True,
        capture_output=True,
    )
    return url, region / "truth.csv"


def _learn(tmp: Path, size: str) -> Path:
    training = ("--properties", size, "--seed", SEED)
    url, truth = _region(tmp, training)
    out = tmp / "weights.json"
    nsai(url, "weights", "learn", "--truth", str(truth), "--out", str(out),
         "--learned-from", f"nsai synth {' '.join(training)}")  # fmt: skip
    return out


def _score(weights: Weights, score: PairScore) -> float:
    return weights.score({name: level for name, (level, _) in score.contributions.items()})


def _rows(name: str, labelled: Labelled, learned: Weights) -> list[str]:
    lines = []
    for label, weights in (("hand-set", HAND_SET), ("learned", learned)):
        cells = []
        for threshold in AT:
            kept = [same for score, same in labelled.pairs if _score(weights, score) >= threshold]
            cells.append(
                f"{sum(kept) / max(len(kept), 1):.5f} / {sum(kept) / labelled.true_pairs:.4f} "
                f"({len(kept) - sum(kept)})"
            )
        lines.append(f"| {name} | {label} | " + " | ".join(cells) + " |")
    return lines


def _held_out(tmp: Path, size: str, learned: Weights) -> list[str]:
    url, truth = _region(tmp, ("--properties", size))
    with psycopg.connect(url) as conn:
        labelled = labelled_pairs(conn, read_truth(truth))
    lines = _rows(f"synth --properties {size}", labelled, learned)
    if MERTHYR.exists():
        url, truth_of, _ = load_dedupe(admin_url(), tmp, BENCH_DB)
        with psycopg.connect(url) as conn:
            lines += _rows("Merthyr + re-spellings", labelled_pairs(conn, truth_of), learned)
    drop_database(admin_url(), BENCH_DB)
    return lines


def _dedupe(tmp: Path, path: Path) -> list[str]:
    if not MERTHYR.exists():
        return []
    rows = []
    for label, chosen in (("hand-set", None), ("learned", path)):
        if chosen is not None:
            os.environ[CHOICE] = str(chosen)
        try:
            rows += [row.replace("| Merthyr", f"| {label} | Merthyr", 1)
                     for row in dedupe(admin_url(), tmp)]  # fmt: skip
        finally:
            os.environ.pop(CHOICE, None)
    return rows


def run(quick: bool) -> str:
    size = "10000" if quick else "30000"
    with TemporaryDirectory(prefix="nsai-weights-") as tmp:
        path = _learn(Path(tmp), size)
        learned = read(path, HAND_SET)
        compared = _held_out(Path(tmp), size, learned)
        ends = _dedupe(Path(tmp), path)
        shown = subprocess.run(
            [NSAI, "weights", "show", str(path)], capture_output=True, text=True, check=True
        )
    return "\n".join([
        "## Learned weights",
        "",
        f"Learned from {learned.learned_from} ({learned.pairs:,} candidate pairs, "
        f"{learned.true_pairs:,} of one property; each weight's prior a normal of "
        f"{learned.sigma} bit around its hand-set value). On the candidate pairs of data they "
        "were not learned from, vetoed pairs left out, before clustering and before the rule "
        "that matches one-slip pairs (recall against every true pair, blocked or not): pairwise "
        "precision / recall (wrong pairs) at or above each threshold.",
        "",
        "| pairs | weights | " + " | ".join(f"≥ {t}" for t in AT) + " |",
        "|---|---|" + "---:|" * len(AT),
        *compared,
        "",
        "The real dedupe end to end (as in \"Real addresses\") with each:",
        "",
        "| weights | data | source records | true pairs | pairwise precision | recall | "
        "national records holding two UPRNs | open review items | matched below the threshold "
        "as sure | reconcile s |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|",
        *(ends or ["| not run: the real data is absent |"]),
        "",
        "The learned weights (`nsai weights show`): m and u are the shares of the training's "
        "true and other pairs at each level.",
        "",
        "```",
        shown.stdout.rstrip(),
        "```",
    ])  # fmt: skip


if __name__ == "__main__":
    print(run(quick=False))
