"""Persistent UPRNs: which national UPRN each cluster of source records carries.

A UPRN once published always identifies the same property, so a new clustering is mapped onto
the previous one before anything new is handed out:

(b) Each previously active UPRN has at most one home: the cluster now holding most of its
    records; ties go to the cluster containing a record whose own source UPRN is that UPRN, then
    to the cluster holding the smallest of its records. Only its home may keep it.
(a) A cluster that is the home of previous UPRNs keeps one of them: the one most of its records
    had, ties to the UPRN of the best record (the preference order below). Every other UPRN at
    home there is merged into the kept one: its records (all, or most of them) joined that
    property. A UPRN whose records are now in several clusters also split: `split` names the
    UPRNs of those clusters other than itself.
(c) A cluster with no previous UPRN takes the source UPRN of its best record, else of its next
    record, and so on, skipping UPRNs in `taken` (published before, for whatever property) and
    UPRNs another cluster of this plan holds; when two clusters claim one source UPRN the better
    claiming record wins. A cluster left without one gets `allocate()`.

Preference order ("best record"): lower source_priority, then a council's record for its own
area (`own_council_record`), then logical_status 1, then the smaller record_id.

A previous UPRN none of whose records remains in any cluster is retired. A rerun over the same
clusters with `previous` from the last plan returns the same UPRNs and no changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from nsai.match.records import MatchRecord


@dataclass(frozen=True)
class UprnPlan:
    uprn_of: dict[frozenset[int], int]  # each cluster's national UPRN
    created: frozenset[int]  # UPRNs new in this plan
    merged: dict[int, int]  # a previous UPRN whose records joined another cluster -> survivor
    retired: frozenset[int]  # a previous UPRN none of whose records remain
    split: dict[int, frozenset[int]]  # a previous UPRN now in several clusters -> their UPRNs


def preference(record: MatchRecord) -> tuple[int, bool, bool, int]:
    """Sort key of the preference order: the best record sorts first."""
    return (
        record.source_priority,
        not record.own_council_record,
        record.logical_status != 1,
        record.record_id,
    )


def plan_uprns(
    clusters: Sequence[frozenset[int]],
    records: Mapping[int, MatchRecord],
    previous: Mapping[int, int],
    taken: Set[int],
    allocate: Callable[[], int],
) -> UprnPlan:
    """The national UPRN of each cluster and the changes against `previous` (record_id -> the
    active national UPRN it was linked to). `taken` holds every UPRN ever published, including
    all of `previous`; `allocate` returns a new UPRN from NSAI's reserved range."""
    return allocate_rest([plan_kept(clusters, records, previous, taken)], previous, taken, allocate)


@dataclass(frozen=True)
class KeptPlan:
    """Rules (a) to (c) applied to some clusters: every UPRN but those still to allocate. The
    clusters of one planning group (groups.py) are planned alone and give what a plan of all
    clusters gives them."""

    uprn_of: dict[frozenset[int], int]
    unallocated: list[frozenset[int]]  # clusters for allocate_rest to give a new UPRN
    created: frozenset[int]  # source UPRNs taken by clusters without a previous one
    merged: dict[int, int]
    held: frozenset[int]  # previous UPRNs some of whose records are in these clusters
    split: dict[int, list[frozenset[int]]]  # a previous UPRN -> the clusters it is now in


def plan_kept(
    clusters: Sequence[frozenset[int]],
    records: Mapping[int, MatchRecord],
    previous: Mapping[int, int],
    taken: Set[int],
) -> KeptPlan:
    """Rules (a) to (c) up to allocation; `previous` and `taken` may be given for these
    clusters' records only (the UPRNs their records had and claim)."""
    cluster_of: dict[int, int] = {}
    for c, members in enumerate(clusters):
        if not members:
            raise ValueError("a cluster has no records")
        for record_id in members:
            if cluster_of.setdefault(record_id, c) != c:
                raise ValueError(f"record {record_id} is in more than one cluster")
    if not all(uprn in taken for uprn in previous.values()):
        raise ValueError("every previous UPRN must be in `taken`")

    # Per previous UPRN, its records by the cluster they are in now (records gone are dropped).
    holders: dict[int, dict[int, list[int]]] = {}
    for record_id, uprn in previous.items():
        now = cluster_of.get(record_id)
        if now is not None:
            holders.setdefault(uprn, {}).setdefault(now, []).append(record_id)

    at_home: dict[int, list[int]] = {}  # cluster -> the previous UPRNs whose home it is
    for uprn, by_cluster in holders.items():
        at_home.setdefault(_home(uprn, by_cluster, clusters, records), []).append(uprn)

    uprn_of: dict[int, int] = {}
    merged: dict[int, int] = {}
    for c, candidates in at_home.items():
        kept = min(
            candidates,
            key=lambda uprn: (
                -len(holders[uprn][c]),
                min(preference(records[record_id]) for record_id in holders[uprn][c]),
            ),
        )
        uprn_of[c] = kept
        merged.update((uprn, kept) for uprn in candidates if uprn != kept)

    created = _take_source_uprns(clusters, records, taken, uprn_of)
    return KeptPlan(
        uprn_of={clusters[c]: uprn for c, uprn in uprn_of.items()},
        unallocated=[members for c, members in enumerate(clusters) if c not in uprn_of],
        created=frozenset(created),
        merged=merged,
        held=frozenset(holders),
        split={
            uprn: [clusters[c] for c in by_cluster]
            for uprn, by_cluster in holders.items()
            if len(by_cluster) > 1
        },
    )


def allocate_rest(
    parts: Iterable[KeptPlan],
    previous: Mapping[int, int],
    taken: Set[int],
    allocate: Callable[[], int],
) -> UprnPlan:
    """The whole plan from the kept plans of all clusters: a new UPRN for each cluster left
    without one, in the order of their smallest record (whatever the parts), never one `taken`
    or one a source gave a cluster; `previous` of every record."""
    uprn_of: dict[frozenset[int], int] = {}
    created: set[int] = set()
    merged: dict[int, int] = {}
    held: set[int] = set()
    splits: dict[int, list[frozenset[int]]] = {}
    unallocated: list[frozenset[int]] = []
    for part in parts:
        uprn_of.update(part.uprn_of)
        created |= part.created
        merged.update(part.merged)
        held |= part.held
        splits.update(part.split)
        unallocated += part.unallocated
    for members in sorted(unallocated, key=min):
        uprn = allocate()
        # A source may hold a UPRN inside NSAI's range; never hand it out twice.
        while uprn in taken or uprn in created:
            uprn = allocate()
        uprn_of[members] = uprn
        created.add(uprn)
    return UprnPlan(
        uprn_of=uprn_of,
        created=frozenset(created),
        merged=merged,
        retired=frozenset(set(previous.values()) - held),
        split={
            uprn: frozenset(uprn_of[c] for c in clusters) - {uprn}
            for uprn, clusters in splits.items()
        },
    )


def _home(
    uprn: int,
    by_cluster: Mapping[int, list[int]],
    clusters: Sequence[frozenset[int]],
    records: Mapping[int, MatchRecord],
) -> int:
    """Rule (b): the one cluster that may keep `uprn`."""
    if len(by_cluster) == 1:
        return next(iter(by_cluster))
    return min(
        by_cluster,
        key=lambda c: (
            -len(by_cluster[c]),
            all(records[record_id].uprn != uprn for record_id in clusters[c]),
            min(by_cluster[c]),
        ),
    )


def _take_source_uprns(
    clusters: Sequence[frozenset[int]],
    records: Mapping[int, MatchRecord],
    taken: Set[int],
    uprn_of: dict[int, int],
) -> set[int]:
    """Rule (c) up to allocation: gives clusters without a UPRN in `uprn_of` a free source UPRN
    where one is left, and returns the UPRNs so given."""
    # Every claim (record, cluster) in the preference order of the claiming record: a cluster
    # takes its best free UPRN, and of two clusters claiming one UPRN the better record wins.
    claims: list[tuple[tuple[int, bool, bool, int], int, int]] = []
    for c, members in enumerate(clusters):
        if c not in uprn_of:
            for record_id in members:
                record = records[record_id]
                if record.uprn is not None:
                    claims.append((preference(record), c, record.uprn))
    claims.sort()
    given: set[int] = set()
    for _, c, uprn in claims:
        if c not in uprn_of and uprn not in taken and uprn not in given:
            uprn_of[c] = uprn
            given.add(uprn)
    return given
