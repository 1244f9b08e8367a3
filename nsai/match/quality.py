"""How well the national records match a known truth: pairwise precision and recall over the
source records, and the national records holding more than one true property.

A truth is a CSV of source,source_ref,true_id (what `nsai synth` writes as truth.csv); a pair
of source records is true when both have one true_id, and found when both are linked to one
national record. Records the truth does not name are left out of both.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from nsai.db.queries import execute
from nsai.errors import NsaiError

Record = tuple[str, str]  # source, source_ref


@dataclass(frozen=True)
class Quality:
    records: int  # source records the truth names and a national record holds
    true_pairs: int
    found_pairs: int
    right_pairs: int
    impure: int  # national records holding more than one true property
    missed: frozenset[tuple[Record, Record]]  # true pairs left apart
    wrong: frozenset[tuple[Record, Record]]  # pairs put together that are two properties

    @property
    def precision(self) -> float:
        return self.right_pairs / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.right_pairs / self.true_pairs if self.true_pairs else 1.0

    def line(self) -> str:
        return (
            f"against the truth: {self.records:,} records, pairwise precision "
            f"{self.precision:.4f}, recall {self.recall:.4f} ({self.right_pairs:,} of "
            f"{self.true_pairs:,} true pairs found, {self.found_pairs - self.right_pairs:,} "
            f"wrong); {self.impure:,} national records hold more than one true property"
        )


def read_truth(path: Path) -> dict[Record, str]:
    """source,source_ref -> true_id from a truth CSV; a clear error for any other file."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise NsaiError(f"cannot read the truth {path}: {error}") from error
    if rows and not {"source", "source_ref", "true_id"} <= set(rows[0]):
        raise NsaiError(f"{path} is no truth: it needs the columns source, source_ref, true_id")
    return {(r["source"], r["source_ref"]): r["true_id"] for r in rows if r["true_id"]}


def national_of(conn: psycopg.Connection[Any]) -> dict[Record, int]:
    """Each linked source record's national UPRN."""
    rows = execute(conn, "match/export.sql", "links")
    return {(source, ref): int(uprn) for source, ref, uprn, _, _ in rows if uprn is not None}


def measure(truth: Mapping[Record, str], linked: Mapping[Record, int]) -> Quality:
    """The quality of `linked` (record -> national UPRN) against `truth` (record -> true id)."""
    by_national: dict[int, list[Record]] = defaultdict(list)
    by_truth: dict[str, list[Record]] = defaultdict(list)
    for record, true_id in truth.items():
        uprn = linked.get(record)
        if uprn is not None:
            by_national[uprn].append(record)
            by_truth[true_id].append(record)
    found = _pairs(by_national.values())
    actual = _pairs(by_truth.values())
    impure = sum(1 for members in by_national.values() if len({truth[r] for r in members}) > 1)
    return Quality(
        records=sum(len(m) for m in by_national.values()),
        true_pairs=len(actual),
        found_pairs=len(found),
        right_pairs=len(found & actual),
        impure=impure,
        missed=frozenset(actual - found),
        wrong=frozenset(found - actual),
    )


def _pairs(groups: Iterable[list[Record]]) -> set[tuple[Record, Record]]:
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}
