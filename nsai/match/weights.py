"""The comparisons' weights, learned from pairs whose truth is known.

A pair's score adds one weight (bits: log2 of a Bayes factor) per comparison level to a prior.
Estimating each level's m and u separately, as Fellegi-Sunter's EM does, assumes the
comparisons independent given the truth; candidate pairs are neighbours, whose street, town,
postcode and position agree together. EM over them, with u from random pairs as Splink does,
reached pairwise precision/recall 0.971/0.937 and 0.998/0.900 on the real dedupe, where the
hand-set bits reach 0.999/0.988 (issue 14's measurements). The weights are therefore
fitted jointly: a logistic regression of the truth on the levels, in bits, each weight's prior
a normal around its hand-set value (compare.COMPARISONS) with `sigma` bits of spread. Joint
fitting discounts what correlated comparisons say twice; the prior keeps a level that the
training pairs hardly show at its hand-set value. Two rules keep the weights explainable:
a comparison's "missing" level weighs 0 (no data, no evidence), and its levels never weigh
more for less agreement (adjacent levels that would are fitted as one: isotonic by pooling).

Training pairs are the blocking rules' candidate pairs of a loaded region with a truth (what
`nsai synth` writes, or a steward's labelled sample), vetoed pairs left out; `nsai weights
learn` writes the result, and NSAI_MATCH_WEIGHTS=FILE makes matching score with it. Unset,
the hand-set bits score: weights learned from synthetic regions over-merge real addresses that
the hand-set bits keep apart (BENCHMARKS.md, "Learned weights"), because the generator writes
few of the hard pairs real lists hold.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import numpy as np

from nsai.errors import NsaiError

# Which weights score: a file `nsai weights learn` wrote, or unset for the hand-set bits.
CHOICE: Final = "NSAI_MATCH_WEIGHTS"
MISSING: Final = "missing"
LN2: Final = math.log(2.0)
THRESHOLDS: Final = (0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999)

Levels = Mapping[str, str]  # comparison -> the level label a pair is at
Pattern = tuple[tuple[str, str], ...]  # (comparison, level) of every comparison, in order


@dataclass(frozen=True)
class LevelWeight:
    bits: float
    hand: float  # the prior's centre: the hand-set bits
    m: float  # share of the training's true pairs at this level
    u: float  # share of its other pairs at this level


@dataclass(frozen=True)
class Weights:
    prior: float  # bits before any comparison
    levels: dict[str, dict[str, LevelWeight]]  # comparison -> level label -> weight
    learned_from: str = "hand-set"
    sigma: float = 0.0  # the prior's spread in bits (0: the hand-set bits themselves)
    pairs: int = 0
    true_pairs: int = 0
    # threshold, pairs scoring at least it, their precision, their recall: the training pairs
    table: list[tuple[float, int, float, float]] = field(default_factory=list)

    def bits(self, comparison: str, level: str) -> float:
        return self.levels[comparison][level].bits

    def score(self, levels: Levels) -> float:
        """The probability a pair at `levels` is one property (vetoes aside)."""
        total = self.prior + sum(self.bits(name, label) for name, label in levels.items())
        return float(1.0 / (1.0 + 2.0**-total))


def hand_set(prior: float, declared: Mapping[str, Sequence[tuple[str, float]]]) -> Weights:
    """The hand-set weights: `declared` is comparison -> (level, bits), strongest first."""
    return Weights(
        prior,
        {
            name: {label: LevelWeight(bits, bits, 0.0, 0.0) for label, bits in levels}
            for name, levels in declared.items()
        },
    )


# --- fitting -----------------------------------------------------------------------------------


def fit(
    observations: Iterable[tuple[Levels, bool]],
    hand: Weights,
    sigma: float,
    learned_from: str,
) -> Weights:
    """Weights for `observations` (a pair's levels, whether it is one property), each weight's
    prior a normal of `sigma` bits around `hand`'s."""
    if sigma <= 0:
        raise NsaiError("sigma must be above 0 bits")
    patterns: Counter[Pattern] = Counter()
    matches: Counter[Pattern] = Counter()
    for levels, same in observations:
        key = tuple((name, levels[name]) for name in hand.levels)
        patterns[key] += 1
        matches[key] += same
    if not patterns or sum(matches.values()) in (0, sum(patterns.values())):
        raise NsaiError("learning needs pairs of one property and pairs of two")
    keys = list(patterns)
    counts = np.array([patterns[k] for k in keys], dtype=float)
    hits = np.array([matches[k] for k in keys], dtype=float)
    # Groups of levels that share one weight: each graded level alone, until pooled.
    groups = {
        name: [[label] for label in levels if label != MISSING]
        for name, levels in hand.levels.items()
    }
    while True:
        slots = [(name, g) for name, gs in groups.items() for g in gs]
        at = {(name, label): 1 + i for i, (name, g) in enumerate(slots) for label in g}
        design = np.zeros((len(keys), 1 + len(slots)))
        design[:, 0] = 1.0
        for row, key in enumerate(keys):
            for pair in key:
                if pair in at:
                    design[row, at[pair]] = 1.0
        centre = np.array(
            [hand.prior]
            + [sum(hand.bits(name, label) for label in g) / len(g) for name, g in slots]
        )
        precision = np.array([1.0] + [float(len(g)) for _, g in slots]) / sigma**2
        weights = _newton(design, counts, hits, centre, precision)
        pooled = _pool_violators(groups, weights[1:])
        if pooled is None:
            break
        groups = pooled
    learned = {(name, label): float(weights[at[(name, label)]]) for (name, label) in at}
    true_total = hits.sum()
    false_total = counts.sum() - true_total
    shares: dict[tuple[str, str], list[float]] = {}
    for key, n, k in zip(keys, counts, hits, strict=True):
        for pair in key:
            m_u = shares.setdefault(pair, [0.0, 0.0])
            m_u[0] += k
            m_u[1] += n - k
    weighed = {
        name: {
            label: LevelWeight(
                round(learned.get((name, label), 0.0), 3),
                lw.hand,
                round(shares.get((name, label), [0.0, 0.0])[0] / true_total, 5),
                round(shares.get((name, label), [0.0, 0.0])[1] / false_total, 5),
            )
            for label, lw in hand_levels.items()
        }
        for name, hand_levels in hand.levels.items()
    }
    result = Weights(
        round(float(weights[0]), 3),
        weighed,
        learned_from,
        sigma,
        int(counts.sum()),
        int(true_total),
    )
    return replace(result, table=table(result, [(k, patterns[k], matches[k]) for k in keys]))


def _newton(
    design: np.ndarray, counts: np.ndarray, hits: np.ndarray, centre: np.ndarray,
    precision: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """The maximum a posteriori weights (bits) of a binomial logistic regression in base 2."""
    weights = centre.copy()
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-LN2 * (design @ weights)))
        gradient = LN2 * design.T @ (counts * p - hits) + precision * (weights - centre)
        hessian = (LN2**2) * (design.T * (counts * p * (1.0 - p))) @ design + np.diag(precision)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-7:
            return weights
    raise NsaiError("the weights did not converge")


def _pool_violators(
    groups: dict[str, list[list[str]]], bits: np.ndarray
) -> dict[str, list[list[str]]] | None:
    """`groups` with the first adjacent pair of levels that weigh more for less agreement
    pooled into one, or None when every comparison is in order. `bits` are the groups' fitted
    weights, in the order of `groups`."""
    at = 0
    for name, gs in groups.items():
        fitted = bits[at : at + len(gs)]
        at += len(gs)
        for i in range(len(gs) - 1):
            if fitted[i] < fitted[i + 1]:
                return {**groups, name: [*gs[:i], gs[i] + gs[i + 1], *gs[i + 2 :]]}
    return None


# --- judging -----------------------------------------------------------------------------------


def table(
    weights: Weights, patterns: Sequence[tuple[Pattern, int, int]]
) -> list[tuple[float, int, float, float]]:
    """Precision and recall, among `patterns` (a pattern, its pairs, how many of them are one
    property), of the pairs scoring at least each of THRESHOLDS."""
    scored = [(weights.score(dict(key)), n, k) for key, n, k in patterns]
    true_total = sum(k for _, _, k in scored)
    rows = []
    for threshold in THRESHOLDS:
        kept = sum(n for s, n, _ in scored if s >= threshold)
        right = sum(k for s, _, k in scored if s >= threshold)
        rows.append(
            (threshold, kept, round(right / kept if kept else 1.0, 5), round(right / true_total, 5))
        )
    return rows


# --- the file ----------------------------------------------------------------------------------


def write(weights: Weights, path: Path) -> None:
    """`weights` as JSON, a line per level (a diff of two learnings reads level by level)."""
    head = {
        "learned_from": weights.learned_from,
        "sigma": weights.sigma,
        "pairs": weights.pairs,
        "true_pairs": weights.true_pairs,
        "prior": weights.prior,
    }
    lines = ["{"] + [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    lines.append(' "comparisons": {')
    for i, (name, levels) in enumerate(weights.levels.items()):
        lines.append(f"  {json.dumps(name)}: {{")
        for j, (label, lw) in enumerate(levels.items()):
            comma = "," if j < len(levels) - 1 else ""
            lines.append(f"   {json.dumps(label)}: {json.dumps(lw.__dict__)}{comma}")
        lines.append("  }" + ("," if i < len(weights.levels) - 1 else ""))
    lines.append(" },")
    lines.append(f' "table": {json.dumps([list(row) for row in weights.table])}')
    lines.append("}")
    path.write_text("\n".join(lines) + "\n")


def in_use(hand: Weights) -> Weights:
    """The weights NSAI_MATCH_WEIGHTS names, else `hand`."""
    chosen = os.environ.get(CHOICE)
    return read(Path(chosen), hand) if chosen else hand


def read(path: Path, hand: Weights) -> Weights:
    """The weights in `path`; an error unless they weigh exactly `hand`'s comparisons and
    levels (weights learned for other rules would score wrongly, not fail)."""
    try:
        document = json.loads(path.read_text())
        levels = {
            name: {label: LevelWeight(**lw) for label, lw in given.items()}
            for name, given in document["comparisons"].items()
        }
        weights = Weights(
            float(document["prior"]),
            levels,
            str(document["learned_from"]),
            float(document["sigma"]),
            int(document["pairs"]),
            int(document["true_pairs"]),
            [(float(t), int(n), float(p), float(r)) for t, n, p, r in document["table"]],
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise NsaiError(f"cannot read the weights {path}: {error}") from error
    declared = {name: list(levels) for name, levels in hand.levels.items()}
    if {name: list(levels) for name, levels in weights.levels.items()} != declared:
        raise NsaiError(
            f"{path} weighs other comparisons or levels than this version declares: "
            "learn them again (nsai weights learn)"
        )
    return weights
