"""The candidate pairs of a loaded region labelled by its truth, and the weights they teach."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg

from nsai.match.compare import HAND_SET, PairScore, compare
from nsai.match.job import candidate_pairs, match_records, read_records
from nsai.match.quality import Record
from nsai.match.weights import Weights, fit


@dataclass(frozen=True)
class Labelled:
    pairs: list[tuple[PairScore, bool]]  # scored candidate pairs the truth names, not vetoed
    true_pairs: int  # pairs of current records the truth makes one property, blocked or not


def labelled_pairs(conn: psycopg.Connection[Any], truth: Mapping[Record, str]) -> Labelled:
    """The blocking rules' pairs of the current records, read and scored as a run does, each
    with whether the truth makes it one property. Leaves the transaction rolled back."""
    try:
        records = {r.record_id: r for r in match_records(conn)}
        pairs = candidate_pairs(conn, read_records(conn, records).changed.values(), {})
        refs: dict[int, str] = dict(
            conn.execute(
                "SELECT record_id, source_ref FROM source_record WHERE removed_batch_id IS NULL"
            ).fetchall()
        )
    finally:
        conn.rollback()
    true_id = {
        rid: t for rid, m in records.items() if (t := truth.get((m.source, refs[rid]))) is not None
    }
    sizes = Counter(true_id.values())
    labelled = []
    for a, b in pairs:
        if a in true_id and b in true_id:
            score = compare(records[a], records[b])
            if score.veto is None:
                labelled.append((score, true_id[a] == true_id[b]))
    return Labelled(labelled, sum(n * (n - 1) // 2 for n in sizes.values()))


def learn(
    conn: psycopg.Connection[Any], truth: Mapping[Record, str], sigma: float, learned_from: str
) -> Weights:
    """Weights fitted to the labelled candidate pairs, the hand-set bits their priors."""
    observations = (
        ({name: label for name, (label, _) in score.contributions.items()}, same)
        for score, same in labelled_pairs(conn, truth).pairs
    )
    return fit(observations, HAND_SET, sigma, learned_from)
