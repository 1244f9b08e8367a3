"""Planning groups: clustering and UPRN planning group by group, in any number of partitions,
give what one global plan gives."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nsai.match import groups
from nsai.match.cluster import Edge, cluster
from nsai.match.groups import partitions, planning_groups
from nsai.match.job import _plan_parts
from nsai.match.records import MatchRecord
from nsai.match.uprns import allocate_rest, plan_uprns
from nsai.match.workers import plan_part
from tests.unit.match_records import match_record


def _allocator(start: int = 900) -> Callable[[], int]:
    counter = itertools.count(start)
    return lambda: next(counter)


def test_records_are_grouped_by_their_ties_their_previous_uprn_and_their_source_uprn() -> None:
    records = {
        1: match_record(1),
        2: match_record(2),
        3: match_record(3, uprn=500),
        4: match_record(4, uprn=500),
        5: match_record(5),
        6: match_record(6),
        7: match_record(7),
    }
    found = planning_groups(records, ties=[(1, 2), (2, 99)], previous={5: 70, 6: 70})
    assert found == [[1, 2], [3, 4], [5, 6], [7]]


def test_a_giant_group_is_a_partition_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(groups, "OWN_TASK", 3)
    assert partitions([[1, 2, 3], [4], [5, 6], [8]], 2) == [[[4], [8]], [[5, 6]], [[1, 2, 3]]]


@st.composite
def _situations(draw: st.DrawFn) -> dict[str, Any]:
    """Records of a few sources and numbers, some with source UPRNs from a small pool (so that
    claims collide), scored pairs between them, steward decisions, and previous UPRNs."""
    count = draw(st.integers(2, 14))
    records: dict[int, MatchRecord] = {}
    for record_id in range(1, count + 1):
        source = draw(st.sampled_from(["llpg-a", "llpg-b", "list-c"]))
        records[record_id] = match_record(
            record_id,
            source=source,
            source_kind="gazetteer" if source.startswith("llpg") else "list",
            duplicate_free=source.startswith("llpg"),
            source_priority=draw(st.integers(1, 3)),
            uprn=draw(st.none() | st.integers(100, 105)),
            pao_start_number=draw(st.sampled_from([1, 2])),
            street="MILL LANE",
        )
    pairs = list(itertools.combinations(records, 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=12)) if pairs else []
    edges = [Edge(a, b, draw(st.sampled_from([0.98, 0.99, 1.0]))) for a, b in chosen]
    decided = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3))
    decisions = [(a, b, draw(st.sampled_from(["accept", "reject"]))) for a, b in decided]
    previous = {r: u for r in records if (u := draw(st.none() | st.integers(100, 103))) is not None}
    return {"records": records, "edges": edges, "decisions": decisions, "previous": previous}


@settings(max_examples=300, deadline=None)
@given(_situations(), st.integers(1, 5))
def test_planning_group_by_group_gives_the_global_plan(
    situation: dict[str, Any], count: int
) -> None:
    records, edges = situation["records"], situation["edges"]
    previous, decisions = situation["previous"], situation["decisions"]
    accepted = [(a, b) for a, b, d in decisions if d == "accept"]
    rejected = [(a, b) for a, b, d in decisions if d == "reject"]
    taken = set(range(100, 104)) | {500}
    everything = cluster(records, edges, accepted=accepted, rejected=rejected)
    expected = plan_uprns(everything, records, previous, taken, _allocator())

    ties = [(e.a, e.b) for e in edges] + accepted
    parts = partitions(planning_groups(records, ties, previous), count)
    planned = [
        plan_part(part) for part in _plan_parts(parts, records, edges, decisions, previous, taken)
    ]
    found = [c for clusters, _ in planned for c in clusters]
    kept = [plan for _, plan in planned]
    assert sorted(found, key=min) == everything
    assert allocate_rest(kept, previous, taken, _allocator()) == expected
