"""BS7666 rendering: number ranges and single lines of AddressParts."""

from __future__ import annotations

import pytest

from nsai.address.parts import AddressParts
from nsai.address.render import number_range, pao_numbers, sao_numbers, single_line


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((51,), "51"),
        ((51, "A"), "51A"),
        ((51, "", 53), "51-53"),
        ((51, "A", 53, "B"), "51A-53B"),
        ((None,), ""),
    ],
)
def test_number_range(parts: tuple[object, ...], expected: str) -> None:
    assert number_range(*parts) == expected  # type: ignore[arg-type]


def test_an_end_number_needs_a_start_number() -> None:
    with pytest.raises(ValueError, match="start number"):
        number_range(None, "", 53)


def test_reference_examples() -> None:
    flat_text = AddressParts(
        sao_text="FLAT 2", pao_text="ROSE COURT", pao_start_number=5, street="MAIN STREET"
    )
    assert single_line(flat_text) == "FLAT 2, ROSE COURT, 5 MAIN STREET"
    bare_number = AddressParts(sao_start_number=2, pao_text="ROSE COURT", street="MAIN STREET")
    assert single_line(bare_number) == "2 ROSE COURT, MAIN STREET"


def test_flat_stored_as_word_and_number_renders_like_flat_text() -> None:
    as_text = AddressParts(sao_text="FLAT 2", pao_start_number=5, street="MAIN STREET")
    as_number = AddressParts(
        sao_text="FLAT", sao_start_number=2, pao_start_number=5, street="MAIN STREET"
    )
    assert single_line(as_number) == single_line(as_text) == "FLAT 2, 5 MAIN STREET"


def test_sao_number_without_building_name_stays_apart_from_house_number() -> None:
    address = AddressParts(sao_start_number=2, pao_start_number=5, street="MAIN STREET")
    assert single_line(address) == "2, 5 MAIN STREET"


def test_full_line_in_bs7666_order() -> None:
    address = AddressParts(
        organisation="ASHBY HARDWARE",
        pao_start_number=12,
        pao_end_number=14,
        street="HIGH STREET",
        locality="NORTHFIELD",
        town="ASHBY",
        postcode="AS1 1AD",
        postcode_valid=True,
    )
    assert single_line(address) == "ASHBY HARDWARE, 12-14 HIGH STREET, NORTHFIELD, ASHBY, AS1 1AD"
    assert pao_numbers(address) == "12-14"
    assert sao_numbers(address) == ""


def test_numbers_with_suffixes() -> None:
    address = AddressParts(
        sao_start_number=2,
        sao_start_suffix="A",
        sao_end_number=4,
        pao_start_number=51,
        pao_start_suffix="A",
        pao_end_number=53,
        pao_end_suffix="B",
        street="MAIN STREET",
    )
    assert sao_numbers(address) == "2A-4"
    assert pao_numbers(address) == "51A-53B"
    assert single_line(address) == "2A-4, 51A-53B MAIN STREET"


def test_named_house_without_number() -> None:
    address = AddressParts(pao_text="Rose Cottage", street="Church Lane", town="Little Wick")
    assert single_line(address) == "Rose Cottage, Church Lane, Little Wick"


def test_absent_and_empty_parts_are_left_out() -> None:
    assert single_line(AddressParts()) == ""
    empty = AddressParts(organisation="", sao_text="", pao_text="", street="MAIN STREET", town="")
    assert single_line(empty) == "MAIN STREET"
