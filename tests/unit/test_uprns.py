"""Persistent UPRNs: keeping, merging, splitting, retiring, taking source UPRNs, allocating only
when needed, never reusing a published UPRN, and a rerun that changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsai.match.records import MatchRecord
from nsai.match.uprns import UprnPlan, plan_uprns
from tests.unit.match_records import match_record

NSAI_RANGE = 9_000_000


class Allocator:
    """NSAI's reserved range, counting the UPRNs it hands out."""

    def __init__(self, start: int = NSAI_RANGE) -> None:
        self.next = start
        self.handed_out: list[int] = []

    def __call__(self) -> int:
        self.handed_out.append(self.next)
        self.next += 1
        return self.handed_out[-1]


def record(record_id: int, **fields: Any) -> MatchRecord:
    return match_record(record_id, source_priority=fields.pop("priority", 5), **fields)


def own_council(record_id: int, **fields: Any) -> MatchRecord:
    """A council's gazetteer record for a property in its own area."""
    return record(
        record_id, source_kind="gazetteer", source_custodian=1110, custodian_code=1110, **fields
    )


def county(record_id: int, **fields: Any) -> MatchRecord:
    """A county gazetteer's record: a gazetteer, but not the property's own council."""
    return record(
        record_id, source_kind="gazetteer", source_custodian=1100, custodian_code=1110, **fields
    )


def plan(
    clusters: Iterable[Iterable[int]],
    records: Iterable[MatchRecord],
    previous: Mapping[int, int] | None = None,
    taken: Iterable[int] = (),
    allocate: Allocator | None = None,
) -> UprnPlan:
    previous = previous or {}
    return plan_uprns(
        [frozenset(c) for c in clusters],
        {r.record_id: r for r in records},
        previous,
        set(taken) | set(previous.values()),
        allocate or Allocator(),
    )


def uprns(result: UprnPlan) -> dict[tuple[int, ...], int]:
    """uprn_of with readable keys."""
    return {tuple(sorted(c)): uprn for c, uprn in result.uprn_of.items()}


# --- (c) a cluster with no previous UPRN ------------------------------------------------------

BEST_RECORD = {
    "lower source priority first": (
        [record(1, uprn=11, priority=2), record(2, uprn=22, priority=1)],
        22,
    ),
    "then the council's own record": ([county(1, uprn=11), own_council(2, uprn=22)], 22),
    "then logical status 1": (
        [record(1, uprn=11, logical_status=8), record(2, uprn=22, logical_status=1)],
        22,
    ),
    "then the smaller record id": ([record(2, uprn=22), record(1, uprn=11)], 11),
    "a record without a UPRN is passed over": (
        [record(1, priority=1), record(2, uprn=22)],
        22,
    ),
}


@pytest.mark.parametrize(("records", "expected"), BEST_RECORD.values(), ids=BEST_RECORD.keys())
def test_a_new_cluster_takes_its_best_records_source_uprn(
    records: list[MatchRecord], expected: int
) -> None:
    allocate = Allocator()
    result = plan([[1, 2]], records, allocate=allocate)
    assert uprns(result) == {(1, 2): expected}
    assert result.created == {expected}
    assert allocate.handed_out == []


def test_a_taken_uprn_is_never_reused() -> None:
    records = [record(1, uprn=11, priority=1), record(2, uprn=22)]
    assert uprns(plan([[1, 2]], records, taken={11})) == {(1, 2): 22}
    allocate = Allocator()
    result = plan([[1, 2]], records, taken={11, 22}, allocate=allocate)
    assert uprns(result) == {(1, 2): NSAI_RANGE}
    assert result.created == {NSAI_RANGE}
    assert allocate.handed_out == [NSAI_RANGE]


def test_a_cluster_without_source_uprns_is_allocated_one() -> None:
    allocate = Allocator()
    result = plan([[1], [2, 3]], [record(1), record(2), record(3)], allocate=allocate)
    assert uprns(result) == {(1,): NSAI_RANGE, (2, 3): NSAI_RANGE + 1}
    assert result.created == {NSAI_RANGE, NSAI_RANGE + 1}


def test_two_clusters_claiming_one_source_uprn() -> None:
    # The council's own record outranks the county's: its cluster takes 11, the other its next.
    records = [county(1, uprn=11), county(2, uprn=12), own_council(3, uprn=11)]
    assert uprns(plan([[1, 2], [3]], records)) == {(1, 2): 12, (3,): 11}
    allocate = Allocator()
    result = plan([[1], [3]], records, allocate=allocate)
    assert uprns(result) == {(1,): NSAI_RANGE, (3,): 11}


def test_allocation_skips_uprns_taken_or_given_in_this_plan() -> None:
    # A source UPRN may fall inside NSAI's range: neither that nor a published one is handed out.
    records = [record(1, uprn=NSAI_RANGE + 1), record(2)]
    allocate = Allocator()
    result = plan([[1], [2]], records, taken={NSAI_RANGE}, allocate=allocate)
    assert uprns(result) == {(1,): NSAI_RANGE + 1, (2,): NSAI_RANGE + 2}
    assert allocate.handed_out == [NSAI_RANGE, NSAI_RANGE + 1, NSAI_RANGE + 2]


# --- (a) and (b) previous UPRNs ---------------------------------------------------------------


def test_a_cluster_keeps_its_previous_uprn_over_any_source_uprn() -> None:
    records = [own_council(1, uprn=11), record(2), own_council(3, uprn=33, priority=1)]
    result = plan([[1, 2, 3]], records, previous={1: 500, 2: 500})
    assert uprns(result) == {(1, 2, 3): 500}
    assert result.created == frozenset()
    assert (result.merged, result.retired, result.split) == ({}, frozenset(), {})


def test_two_previous_uprns_in_one_cluster_merge_into_the_one_most_records_had() -> None:
    records = [record(i) for i in (1, 2, 3)]
    result = plan([[1, 2, 3]], records, previous={1: 600, 2: 500, 3: 500})
    assert uprns(result) == {(1, 2, 3): 500}
    assert result.merged == {600: 500}
    assert (result.created, result.retired, result.split) == (frozenset(), frozenset(), {})


def test_two_previous_uprns_with_as_many_records_go_by_the_best_record() -> None:
    # 600 has the best record (3), though also the worst (4).
    records = [record(1), record(2), record(3, priority=1), record(4, priority=9)]
    result = plan([[1, 2, 3, 4]], records, previous={1: 500, 2: 500, 3: 600, 4: 600})
    assert uprns(result) == {(1, 2, 3, 4): 600}
    assert result.merged == {500: 600}


def test_a_split_keeps_the_uprn_where_most_of_its_records_are() -> None:
    records = [record(1), record(2), record(3, uprn=33)]
    result = plan([[1, 2], [3]], records, previous={1: 500, 2: 500, 3: 500})
    assert uprns(result) == {(1, 2): 500, (3,): 33}
    assert result.split == {500: {33}}
    assert result.created == {33}
    assert (result.merged, result.retired) == ({}, frozenset())


@pytest.mark.parametrize(
    ("records", "keeper"),
    [
        ([record(1), record(2, uprn=500)], (2,)),
        ([record(1), record(2)], (1,)),
        ([record(1, uprn=500), record(2)], (1,)),
    ],
    ids=["the record with that source UPRN", "else the smaller record id", "first has it"],
)
def test_an_even_split_keeps_the_uprn_by_source_uprn_then_record_id(
    records: list[MatchRecord], keeper: tuple[int]
) -> None:
    result = plan([[1], [2]], records, previous={1: 500, 2: 500})
    other = (2,) if keeper == (1,) else (1,)
    assert uprns(result) == {keeper: 500, other: NSAI_RANGE}
    assert result.split == {500: {NSAI_RANGE}}


def test_a_uprn_whose_records_mostly_joined_another_is_merged_and_split() -> None:
    # 600 had 4, 5 and 6; 4 and 6 joined 500's three records, 5 is on its own.
    records = [record(i) for i in range(1, 7)]
    previous = {1: 500, 2: 500, 3: 500, 4: 600, 5: 600, 6: 600}
    result = plan([[1, 2, 3, 4, 6], [5]], records, previous=previous)
    assert uprns(result) == {(1, 2, 3, 4, 6): 500, (5,): NSAI_RANGE}
    assert result.merged == {600: 500}
    assert result.split == {600: {500, NSAI_RANGE}}


def test_a_cluster_holding_a_minority_of_a_uprn_does_not_take_it() -> None:
    # 3 came from 500, but 500 stays with its majority; 3's cluster keeps its own 600.
    records = [record(i) for i in (1, 2, 3, 4)]
    result = plan([[1, 2], [3, 4]], records, previous={1: 500, 2: 500, 3: 500, 4: 600})
    assert uprns(result) == {(1, 2): 500, (3, 4): 600}
    assert result.split == {500: {600}}
    assert (result.merged, result.created) == ({}, frozenset())


def test_a_uprn_with_no_records_left_is_retired_and_not_reused() -> None:
    # Record 2 (of 600) is gone; a new record whose source UPRN is 600 gets another UPRN.
    records = [record(1), record(3, uprn=600)]
    result = plan([[1], [3]], records, previous={1: 500, 2: 600})
    assert uprns(result) == {(1,): 500, (3,): NSAI_RANGE}
    assert result.retired == {600}
    assert (result.merged, result.split) == ({}, {})


# --- contract ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clusters", "previous", "taken", "message"),
    [
        ([[1], [1, 2]], {}, set(), "more than one cluster"),
        ([[1], []], {}, set(), "no records"),
        ([[1, 2]], {1: 500}, set(), "must be in `taken`"),
    ],
)
def test_bad_input_is_refused(
    clusters: list[list[int]], previous: dict[int, int], taken: set[int], message: str
) -> None:
    records = {i: record(i) for i in (1, 2)}
    with pytest.raises(ValueError, match=message):
        plan_uprns([frozenset(c) for c in clusters], records, previous, taken, Allocator())


# --- rerun stability and invariants, on random clusterings ------------------------------------


@st.composite
def histories(
    draw: st.DrawFn,
) -> tuple[dict[int, MatchRecord], list[frozenset[int]], list[frozenset[int]]]:
    """Records with source UPRNs drawn from a small pool, clustered one way and then another."""
    count = draw(st.integers(1, 10))
    records = {
        i: record(
            i,
            uprn=draw(st.sampled_from([None, 11, 12, 13])),
            priority=draw(st.integers(1, 3)),
            logical_status=draw(st.sampled_from([None, 1, 8])),
        )
        for i in range(count)
    }

    def clustering() -> list[frozenset[int]]:
        labels = [draw(st.integers(0, 3)) for _ in range(count)]
        found: dict[int, set[int]] = {}
        for i, label in enumerate(labels):
            found.setdefault(label, set()).add(i)
        return [frozenset(c) for c in found.values()]

    return records, clustering(), clustering()


@given(histories())
def test_a_plan_keeps_its_promises_and_a_rerun_changes_nothing(
    history: tuple[dict[int, MatchRecord], list[frozenset[int]], list[frozenset[int]]],
) -> None:
    records, first, second = history
    allocate = Allocator()
    taken: set[int] = set()
    previous: dict[int, int] = {}
    for clusters in (first, second):
        result = plan_uprns(clusters, records, previous, taken, allocate)
        handed = list(result.uprn_of.values())
        assert len(set(handed)) == len(handed) == len(clusters)
        assert not result.created & taken
        assert result.created == set(handed) - set(previous.values())
        before = set(previous.values())
        kept = before & set(handed)
        # Every previous UPRN is kept, merged into a kept one, or retired: it always resolves.
        fates = [kept, set(result.merged), set(result.retired)]
        assert sum(len(fate) for fate in fates) == len(before)
        assert set().union(*fates) == before
        assert set(result.merged.values()) <= kept
        taken |= set(handed)
        previous = {r: result.uprn_of[c] for c in clusters for r in c}

    handed_out = list(allocate.handed_out)
    rerun = plan_uprns(second, records, previous, taken, allocate)
    assert rerun.uprn_of == result.uprn_of
    assert (rerun.created, rerun.merged, rerun.retired, rerun.split) == (
        frozenset(),
        {},
        frozenset(),
        {},
    )
    assert allocate.handed_out == handed_out
