"""Planning groups: the records whose national records can only be decided together.

Clustering joins records along matched and steward-accepted pairs only (cluster.py), and the
UPRN plan weighs records against each other only where they shared a previous national UPRN or
claim one source UPRN (uprns.py). Records tied by none of these are decided apart: the connected
components over those ties can be clustered and planned separately, in any number of
partitions, and give what one global run gives. Only UPRN allocation stays in one place, in
record order (uprns.allocate_rest).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from nsai.match.records import MatchRecord

# A group this large is planned as a task of its own, not beside others in one partition.
OWN_TASK: Final = 10_000


def planning_groups(
    records: Mapping[int, MatchRecord],
    ties: Iterable[tuple[int, int]],
    previous: Mapping[int, int],
) -> list[list[int]]:
    """Every record in one group (its records sorted), groups in the order of their smallest
    record: components over `ties` (matched and steward-accepted pairs; a pair naming a record
    not given is left out), records that had one previous UPRN (`previous`: record_id -> UPRN)
    and records giving one source UPRN."""
    ids = sorted(records)
    index = {record_id: i for i, record_id in enumerate(ids)}
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def tie(i: int, j: int) -> None:
        root_i, root_j = find(i), find(j)
        if root_i != root_j:
            parent[max(root_i, root_j)] = min(root_i, root_j)

    for a, b in ties:
        if a in index and b in index:
            tie(index[a], index[b])
    first: dict[tuple[str, int], int] = {}  # the first record holding a UPRN, by kind of hold
    holds = [(("previous", u), r) for r, u in previous.items()]
    holds += [(("source", rec.uprn), rid) for rid, rec in records.items() if rec.uprn is not None]
    for hold, record_id in holds:
        i = index.get(record_id)
        if i is not None:
            tie(first.setdefault(hold, i), i)
    groups: dict[int, list[int]] = {}
    for i, record_id in enumerate(ids):
        groups.setdefault(find(i), []).append(record_id)
    return list(groups.values())


def partitions(groups: list[list[int]], count: int) -> list[list[list[int]]]:
    """The groups in `count` partitions by their smallest record (the same for any order of
    work), and each giant group in a partition of its own; empty partitions left out."""
    parts: list[list[list[int]]] = [[] for _ in range(count)]
    giants = []
    for group in groups:
        if len(group) >= OWN_TASK:
            giants.append([group])
        else:
            parts[group[0] % count].append(group)
    return [part for part in parts if part] + giants
