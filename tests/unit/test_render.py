"""BS7666 rendering: number ranges, single lines, postcodes."""

from __future__ import annotations

import pytest

from nsai.address.render import Bs7666Address, format_postcode, number_range


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
    flat_text = Bs7666Address(
        sao_text="FLAT 2", pao_text="ROSE COURT", pao_start_number=5, street="MAIN STREET"
    )
    assert flat_text.single_line() == "FLAT 2, ROSE COURT, 5 MAIN STREET"
    bare_number = Bs7666Address(sao_start_number=2, pao_text="ROSE COURT", street="MAIN STREET")
    assert bare_number.single_line() == "2 ROSE COURT, MAIN STREET"


def test_flat_stored_as_word_and_number_renders_like_flat_text() -> None:
    as_text = Bs7666Address(sao_text="FLAT 2", pao_start_number=5, street="MAIN STREET")
    as_number = Bs7666Address(
        sao_text="FLAT", sao_start_number=2, pao_start_number=5, street="MAIN STREET"
    )
    assert as_number.single_line() == as_text.single_line() == "FLAT 2, 5 MAIN STREET"


def test_sao_number_without_building_name_stays_apart_from_house_number() -> None:
    address = Bs7666Address(sao_start_number=2, pao_start_number=5, street="MAIN STREET")
    assert address.single_line() == "2, 5 MAIN STREET"


def test_full_line_in_bs7666_order() -> None:
    address = Bs7666Address(
        organisation="ASHBY HARDWARE",
        pao_start_number=12,
        pao_end_number=14,
        street="HIGH STREET",
        locality="NORTHFIELD",
        town="ASHBY",
        postcode="AS1 1AD",
    )
    assert address.single_line() == "ASHBY HARDWARE, 12-14 HIGH STREET, NORTHFIELD, ASHBY, AS1 1AD"
    assert address.pao_numbers == "12-14"
    assert address.sao_numbers == ""


def test_named_house_without_number() -> None:
    address = Bs7666Address(pao_text="Rose Cottage", street="Church Lane", town="Little Wick")
    assert address.single_line() == "Rose Cottage, Church Lane, Little Wick"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AB1 2CD", "AB1 2CD"),
        ("ab12cd", "AB1 2CD"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("M11AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("12345", None),
        ("AB1", None),
        ("", None),
        ("AB1 2CDE", None),
    ],
)
def test_format_postcode(text: str, expected: str | None) -> None:
    assert format_postcode(text) == expected
