"""Survivorship: each field of the national record from the right record."""

from __future__ import annotations

from typing import Any

import pytest

from nsai.address.parts import AddressParts
from nsai.match.records import MatchRecord
from nsai.match.survive import survive
from tests.unit.match_records import match_record

FLAT_2: dict[str, Any] = {
    "sao_text": "FLAT",
    "sao_start_number": 2,
    "pao_text": "ROSE COURT",
    "pao_start_number": 5,
    "street": "MAIN STREET",
    "town": "ASHBY",
    "postcode": "AS1 1AD",
}


def own_council(record_id: int, **fields: Any) -> MatchRecord:
    """The property's own council's LLPG record."""
    defaults: dict[str, Any] = {
        "source": "llpg-ashby",
        "source_kind": "gazetteer",
        "duplicate_free": True,
        "source_priority": 1,
        "source_custodian": 1110,
        "custodian_code": 1110,
    }
    return match_record(record_id, **(defaults | fields))


def county(record_id: int, **fields: Any) -> MatchRecord:
    """The county gazetteer's record of the same property: a gazetteer, not the custodian."""
    return own_council(record_id, **({"source": "county", "source_custodian": 1100} | fields))


def listed(record_id: int, **fields: Any) -> MatchRecord:
    return match_record(record_id, **({"source": "ctax", "source_priority": 5} | fields))


def test_parts_come_whole_from_the_best_record() -> None:
    members = [
        listed(1, sao_start_number=2, pao_text="ROSE CT", pao_start_number=5, street="MAIN ST"),
        county(2, **(FLAT_2 | {"locality": "NORTHFIELD"})),
        own_council(3, **FLAT_2),
    ]
    survivor = survive(members)
    assert survivor.parts == AddressParts(**FLAT_2, postcode_valid=True)
    assert survivor.single_line == "FLAT 2, ROSE COURT, 5 MAIN STREET, ASHBY, AS1 1AD"


@pytest.mark.parametrize(
    "gap",
    [{"street": None}, {"pao_text": None, "pao_start_number": None}],
    ids=["no street", "no PAO"],
)
def test_a_best_record_without_an_address_gives_way_whole(gap: dict[str, Any]) -> None:
    # The next record's parts are taken as they are: not the best record's organisation or
    # locality filling its gaps.
    best = own_council(1, **(FLAT_2 | gap | {"organisation": "ROSE LTD", "locality": "NORTH"}))
    other = listed(2, sao_text="FLAT 2", pao_start_number=5, street="MAIN ST", town="ASHBY")
    parts = survive([best, other]).parts
    assert parts == AddressParts(
        sao_text="FLAT 2",
        pao_start_number=5,
        street="MAIN ST",
        town="ASHBY",
        postcode="AS1 1AD",  # the postcode is chosen on its own
        postcode_valid=True,
    )


def test_without_any_address_the_best_records_parts_stand() -> None:
    members = [listed(2, pao_text="ROSE COTTAGE"), own_council(1, pao_start_number=5)]
    assert survive(members).parts == AddressParts(pao_start_number=5)


@pytest.mark.parametrize(
    ("postcodes", "expected"),
    [
        (["AS1 1AD", "ZZ9 9ZZ"], ("AS1 1AD", True)),
        ([None, "as11ad"], ("AS1 1AD", True)),
        (["AS1 1A", "as11ad"], ("AS1 1AD", True)),
        (["AS1 1A", "AS1 ZZ"], ("AS1 1A", False)),
        ([None, None], (None, None)),
    ],
    ids=["the best", "the next when the best has none", "a valid one over the best invalid one",
         "the best invalid one when none is valid", "none"],
)  # fmt: skip
def test_the_postcode_is_the_best_valid_one(
    postcodes: list[str | None], expected: tuple[str | None, bool | None]
) -> None:
    members = [
        own_council(1, **(FLAT_2 | {"postcode": postcodes[0]})),
        listed(2, **(FLAT_2 | {"postcode": postcodes[1]})),
    ]
    parts = survive(members).parts
    assert (parts.postcode, parts.postcode_valid) == expected


POSITIONS = {
    "the lowest RPC over a better source": (
        [own_council(1, rpc=2, x=1.0, y=1.0), county(2, rpc=1, x=2.0, y=2.0)],
        (2.0, 2.0, 1),
    ),
    "equal RPC: the better record": (
        [county(2, rpc=1, x=2.0, y=2.0), own_council(1, rpc=1, x=1.0, y=1.0)],
        (1.0, 1.0, 1),
    ),
    "a list without an RPC after any gazetteer": (
        [listed(1, source_priority=0, x=3.0, y=3.0), county(2, rpc=9, x=2.0, y=2.0)],
        (2.0, 2.0, 9),
    ),
    "a record without coordinates is passed over": (
        [own_council(1, rpc=1), listed(2, x=3.0, y=3.0)],
        (3.0, 3.0, None),
    ),
    "no coordinates at all": ([own_council(1, rpc=1), listed(2)], (None, None, None)),
}


@pytest.mark.parametrize(("members", "expected"), POSITIONS.values(), ids=POSITIONS.keys())
def test_coordinates_come_from_the_best_rpc(
    members: list[MatchRecord], expected: tuple[float | None, float | None, int | None]
) -> None:
    survivor = survive(members)
    assert (survivor.x, survivor.y, survivor.rpc) == expected


CUSTODIANS = {
    "the own council's over a better-ranked gazetteer": (
        [county(1, source_priority=0, custodian_code=2000), own_council(2)],
        1110,
    ),
    "else the best gazetteer's": (
        [county(1, custodian_code=None), county(2, source="county-b", custodian_code=2000)],
        2000,
    ),
    "never a list's": ([listed(1, source_priority=0, custodian_code=3000)], None),
}


@pytest.mark.parametrize(("members", "expected"), CUSTODIANS.values(), ids=CUSTODIANS.keys())
def test_the_custodian(members: list[MatchRecord], expected: int | None) -> None:
    assert survive(members).custodian_code == expected


def test_the_parent_uprn_is_the_best_hierarchy_records_even_when_it_has_none() -> None:
    child = county(2, uprn=101, parent_uprn=100)
    assert survive([child, listed(3, source_priority=0, parent_uprn=999)]).parent_uprn == 100
    assert survive([child, own_council(1, uprn=101)]).parent_uprn is None


def test_other_fields_from_the_best_record_with_a_value() -> None:
    members = [
        own_council(1, classification=None, logical_status=None, usrn=None),
        county(2, classification="RD06", logical_status=1, usrn=None),
        listed(3, classification="RD04", logical_status=6, usrn=7001),
    ]
    survivor = survive(members)
    assert (survivor.classification, survivor.logical_status, survivor.usrn) == ("RD06", 1, 7001)


def test_source_count_counts_sources_not_records() -> None:
    members = [own_council(1), listed(2), listed(3), county(4)]
    assert survive(members).source_count == 3


def test_no_records_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        survive([])
