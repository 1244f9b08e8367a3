"""Clustering under constraints: each constraint on its own, steward decisions, greedy order, and a
property test that every cluster keeps the constraints and no matched pair was left apart
without a reason."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsai.address.normalise import match_keys
from nsai.address.parts import AddressParts
from nsai.match.cluster import Edge, cluster, largest
from nsai.match.records import MatchRecord
from tests.unit.match_records import match_record

KEY_FIELDS = tuple(f.name for f in dataclasses.fields(match_keys(AddressParts())))


def llpg(record_id: int, source: str = "llpg-a", **fields: Any) -> MatchRecord:
    """A council gazetteer record: duplicate-free."""
    return match_record(
        record_id, source=source, source_kind="gazetteer", duplicate_free=True, **fields
    )


def every_pair(ids: Sequence[int], score: float = 0.99) -> list[Edge]:
    return [Edge(a, b, score) for a, b in itertools.combinations(ids, 2)]


def by_id(*records: MatchRecord) -> dict[int, MatchRecord]:
    return {record.record_id: record for record in records}


def groups(*clusters: Iterable[int]) -> list[frozenset[int]]:
    return [frozenset(c) for c in clusters]


FLAT: dict[str, Any] = {"sao_text": "FLAT", "pao_start_number": 5, "street": "MAIN STREET"}
HOUSE: dict[str, Any] = {"pao_start_number": 5, "street": "MAIN STREET"}

# (records, edges, expected clusters): each a constraint alone, against pairs all scored 0.99,
# so plain connected components would give one cluster every time.
CONSTRAINTS = {
    "flats of one house and a record without a flat number": (
        [match_record(i, sao_start_number=i, **FLAT) for i in (1, 2, 3)]
        + [match_record(4, **HOUSE)],
        groups([1], [2], [3], [4]),
    ),
    "a flat without its number never joins numbered flats": (
        [
            match_record(1, sao_start_number=1, **FLAT),
            match_record(2, sao_start_number=2, **FLAT),
            match_record(3, **FLAT),
        ],
        groups([1], [2], [3]),
    ),
    "12, 12A and 10-12 stay apart": (
        [
            match_record(1, pao_start_number=12, street="MAIN STREET"),
            match_record(2, pao_start_number=12, pao_start_suffix="A", street="MAIN STREET"),
            match_record(3, pao_start_number=10, pao_end_number=12, street="MAIN STREET"),
        ],
        groups([1], [2], [3]),
    ),
    "a building and a flat inside it stay apart": (
        [
            llpg(1, classification="PP", uprn=100, **HOUSE),
            llpg(2, source="llpg-b", sao_start_number=2, **FLAT),
        ],
        groups([1], [2]),
    ),
    "a flat and the shop unit of its number stay apart, even through a third record": (
        [
            llpg(1, sao_start_number=1, classification="RD06", **HOUSE),
            llpg(2, source="llpg-b", sao_start_number=1, classification="CR01", **HOUSE),
            match_record(3, sao_start_number=1, **HOUSE),
        ],
        groups([1, 3], [2]),
    ),
    "a parent and its child by UPRN stay apart": (
        [
            llpg(1, classification="PP", uprn=100, pao_text="ROSE COURT"),
            llpg(2, source="llpg-b", uprn=101, parent_uprn=100, pao_text="ROSE COURT"),
        ],
        groups([1], [2]),
    ),
    "a child by UPRN with the smaller id stays apart from its parent": (
        [
            llpg(1, uprn=101, parent_uprn=100, pao_text="ROSE COURT"),
            llpg(2, source="llpg-b", uprn=100, classification="PP", pao_text="ROSE COURT"),
        ],
        groups([1], [2]),
    ),
    "two records of one LLPG never merge": (
        [llpg(1, **HOUSE), llpg(2, **HOUSE)],
        groups([1], [2]),
    ),
    # The controls: what the constraints allow.
    "one record each of two LLPGs merge": (
        [llpg(1, **HOUSE), llpg(2, source="llpg-b", **HOUSE)],
        groups([1, 2]),
    ),
    "two records of one list merge: a list is not duplicate-free": (
        [match_record(1, source="ctax", **HOUSE), match_record(2, source="ctax", **HOUSE)],
        groups([1, 2]),
    ),
    "the same flat merges whether written FLAT 2 or 2": (
        [
            match_record(1, sao_text="FLAT 2", **HOUSE),
            match_record(2, sao_start_number=2, **HOUSE),
        ],
        groups([1, 2]),
    ),
    "a named house without a number joins its numbered record": (
        [
            match_record(1, pao_text="ROSE COTTAGE", street="MAIN STREET"),
            match_record(2, **HOUSE),
        ],
        groups([1, 2]),
    ),
    "two records of one parent merge: siblings are not parent and child": (
        [
            llpg(1, uprn=101, parent_uprn=100, pao_text="UNIT 1"),
            llpg(2, source="llpg-b", uprn=101, parent_uprn=100, pao_text="UNIT 1"),
        ],
        groups([1, 2]),
    ),
}


@pytest.mark.parametrize(("records", "expected"), CONSTRAINTS.values(), ids=CONSTRAINTS.keys())
def test_each_constraint(records: list[MatchRecord], expected: list[frozenset[int]]) -> None:
    ids = [record.record_id for record in records]
    assert cluster(by_id(*records), every_pair(ids)) == expected


def test_a_chain_stops_where_a_member_would_conflict() -> None:
    # a-b 0.99 and b-c 0.98 where a and c are two records of one LLPG.
    records = by_id(llpg(1, **HOUSE), match_record(2, **HOUSE), llpg(3, **HOUSE))
    edges = [Edge(1, 2, 0.99), Edge(2, 3, 0.98)]
    assert cluster(records, edges) == groups([1, 2], [3])


@pytest.mark.parametrize(
    ("lower", "higher"),
    [(0.98, 0.99), (0.5, 0.5 + 1e-12), (0.0, 5e-324), (-0.0, 1.0), (0, 1)],
)
def test_the_higher_score_wins_the_contested_record(lower: float, higher: float) -> None:
    # The same chain scored the other way round: b joins c, and a stays alone.
    records = by_id(llpg(1, **HOUSE), match_record(2, **HOUSE), llpg(3, **HOUSE))
    edges = [Edge(1, 2, lower), Edge(2, 3, higher)]
    assert cluster(records, edges) == groups([1], [2, 3])


def test_a_record_without_a_number_does_not_chain_two_houses() -> None:
    # A named record fits 12 and 14 alike; it joins the better-scored one only.
    records = by_id(
        match_record(1, pao_start_number=12, street="MAIN STREET"),
        match_record(2, pao_text="ROSE COTTAGE", street="MAIN STREET"),
        match_record(3, pao_start_number=14, street="MAIN STREET"),
    )
    edges = [Edge(2, 3, 0.95), Edge(1, 2, 0.9)]
    assert cluster(records, edges) == groups([1], [2, 3])


@pytest.mark.parametrize(
    "edges",
    [
        [Edge(1, 2, 0.9), Edge(2, 3, 0.9)],
        [Edge(3, 2, 0.9), Edge(2, 1, 0.9)],
    ],
    ids=["in order", "reversed"],
)
def test_equal_scores_go_by_record_ids(edges: list[Edge]) -> None:
    records = by_id(llpg(1, **HOUSE), match_record(2, **HOUSE), llpg(3, **HOUSE))
    assert cluster(records, edges) == groups([1, 2], [3])


@pytest.mark.parametrize(
    "edges", [[Edge(1, 4, 0.9), Edge(2, 3, 0.9)], [Edge(4, 1, 0.9), Edge(3, 2, 0.9)]]
)
def test_equal_scores_go_by_the_smaller_record_id_of_each_pair(edges: list[Edge]) -> None:
    # Both edges reach the accepted {3, 4}, and 1 and 2 are of one LLPG: (1, 4) comes first,
    # whichever way round either edge is given.
    records = by_id(llpg(1, **HOUSE), llpg(2, **HOUSE), *(match_record(i, **HOUSE) for i in (3, 4)))
    assert cluster(records, edges, accepted=[(3, 4)]) == groups([1, 3, 4], [2])


def test_a_rejected_pair_never_merges() -> None:
    records = by_id(match_record(1, **HOUSE), match_record(2, **HOUSE))
    assert cluster(records, [Edge(1, 2, 1.0)]) == groups([1, 2])
    assert cluster(records, [Edge(1, 2, 1.0)], rejected=[(2, 1)]) == groups([1], [2])


def test_a_rejected_pair_never_merges_through_a_third_record() -> None:
    records = by_id(match_record(1, **HOUSE), match_record(2, **HOUSE), match_record(3, **HOUSE))
    edges = [Edge(1, 3, 0.99), Edge(2, 3, 0.98)]
    assert cluster(records, edges, rejected=[(1, 2)]) == groups([1, 3], [2])


def test_rejections_on_both_sides_are_kept_as_clusters_grow() -> None:
    # 1 and 3 join; 3's rejection of 2 must hold for the joined cluster, checked from its side
    # (2 has the longer list of rejections).
    records = by_id(*(match_record(i, **HOUSE) for i in range(1, 6)))
    edges = [Edge(1, 3, 0.99), Edge(2, 3, 0.98)]
    rejected = [(1, 4), (3, 2), (2, 5)]
    assert cluster(records, edges, rejected=rejected) == groups([1, 3], [2], [4], [5])


def test_an_accepted_pair_merges_without_an_edge() -> None:
    records = by_id(
        match_record(1, pao_text="ROSE COTTAGE", street="MAIN STREET"),
        match_record(2, **HOUSE),
    )
    assert cluster(records, []) == groups([1], [2])
    assert cluster(records, [], accepted=[(2, 1)]) == groups([1, 2])


def test_accepted_pairs_merge_before_any_edge() -> None:
    # 2 scores higher with 3, but the steward put it with 1; 1 and 3 are of one LLPG.
    records = by_id(llpg(1, **HOUSE), match_record(2, **HOUSE), llpg(3, **HOUSE))
    edges = [Edge(2, 3, 0.99), Edge(1, 2, 0.5)]
    assert cluster(records, edges) == groups([1], [2, 3])
    assert cluster(records, edges, accepted=[(1, 2)]) == groups([1, 2], [3])


def test_an_accepted_pair_does_not_break_a_constraint() -> None:
    records = by_id(
        match_record(1, pao_start_number=12, street="MAIN STREET"),
        match_record(2, pao_start_number=12, pao_start_suffix="A", street="MAIN STREET"),
    )
    assert cluster(records, [], accepted=[(1, 2)]) == groups([1], [2])


def test_a_rejection_outweighs_an_acceptance() -> None:
    records = by_id(match_record(1, **HOUSE), match_record(2, **HOUSE))
    assert cluster(records, [], accepted=[(1, 2)], rejected=[(1, 2)]) == groups([1], [2])


def test_steward_pairs_with_records_not_given_are_skipped() -> None:
    records = by_id(match_record(1, **HOUSE), match_record(2, **HOUSE))
    result = cluster(records, [Edge(1, 2, 0.9)], accepted=[(1, 99)], rejected=[(2, 98)])
    assert result == groups([1, 2])


def test_every_record_once_singletons_included_sorted_by_smallest_id() -> None:
    records = by_id(*(match_record(i, **HOUSE) for i in (9, 5, 3, 7)))
    assert cluster(records, [Edge(9, 3, 0.9)]) == groups([3, 9], [5], [7])
    assert cluster({}, []) == []


@pytest.mark.parametrize(
    ("edge", "message"),
    [
        (Edge(1, 99, 0.9), "names record 99"),
        (Edge(1, 2, 1.5), "outside 0..1"),
        (Edge(1, 2, -0.1), "outside 0..1"),
        (Edge(1, 2, math.nan), "outside 0..1"),
    ],
)
def test_bad_edges_are_refused(edge: Edge, message: str) -> None:
    records = by_id(match_record(1, **HOUSE), match_record(2, **HOUSE))
    with pytest.raises(ValueError, match=message):
        cluster(records, [edge])


def test_largest() -> None:
    assert largest(groups([1, 2, 3], [4], [5, 6])) == 3
    assert largest([]) == 0


# --- property: constraints kept, and every pair left apart has a reason ------------------------

SAO_KEYS = st.sampled_from([None, "1", "2", "FLAT"])
PAO_KEYS = st.sampled_from([None, "12", "12A"])
UPRNS = st.sampled_from([None, 100, 101, 102])


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[dict[int, MatchRecord], list[Edge], list[tuple[int, int]], list[tuple[int, int]]]:
    count = draw(st.integers(1, 12))
    records = {}
    for i in range(count):
        source = draw(st.sampled_from(["llpg-a", "llpg-b", "ctax"]))
        records[i] = match_record(
            i,
            source=source,
            duplicate_free=source != "ctax",
            sao_key=draw(SAO_KEYS),
            pao_key=draw(PAO_KEYS),
            uprn=draw(UPRNS),
            parent_uprn=draw(UPRNS),
        )
    ids = st.integers(0, count - 1)
    pairs = st.lists(st.tuples(ids, ids), max_size=4)
    scores = st.sampled_from([0.5, 0.9, 0.99])  # few values, so ties happen
    edges = draw(st.lists(st.builds(Edge, ids, ids, scores), max_size=30))
    return records, edges, draw(pairs), draw(pairs)


def conflicts(members: list[MatchRecord], rejected: set[frozenset[int]]) -> bool:
    """Whether a would-be cluster breaks a constraint, checked pair by pair: the reference."""
    for a, b in itertools.combinations(members, 2):
        if (
            (a.duplicate_free and b.duplicate_free and a.source == b.source)
            or a.sao_key != b.sao_key
            or (a.pao_key is not None and b.pao_key is not None and a.pao_key != b.pao_key)
            or (a.uprn is not None and a.uprn == b.parent_uprn)
            or (b.uprn is not None and b.uprn == a.parent_uprn)
            or frozenset((a.record_id, b.record_id)) in rejected
        ):
            return True
    return False


@given(scenarios())
def test_clusters_keep_the_constraints_and_are_maximal(
    scenario: tuple[
        dict[int, MatchRecord], list[Edge], list[tuple[int, int]], list[tuple[int, int]]
    ],
) -> None:
    records, edges, accepted, rejected = scenario
    result = cluster(records, edges, accepted=accepted, rejected=rejected)
    assert sorted(r for group in result for r in group) == sorted(records)
    assert result == sorted(result, key=min)
    apart = {frozenset(pair) for pair in rejected}
    home = {r: group for group in result for r in group}
    for group in result:
        assert not conflicts([records[r] for r in group], apart)
    # Clusters only grow and a conflict stays a conflict as they do, so an edge or accepted pair
    # left across two clusters must still be refused by those clusters joined.
    for a, b in [(edge.a, edge.b) for edge in edges] + accepted:
        if home[a] != home[b]:
            assert conflicts([records[r] for r in home[a] | home[b]], apart)
    assert cluster(records, list(reversed(edges)), accepted=accepted, rejected=rejected) == result
