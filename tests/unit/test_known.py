"""Reading a one-line address again with the streets and places other records know."""

from __future__ import annotations

import pytest

from nsai.address.known import Vocabulary, reread, stated_plainly
from nsai.address.normalise import match_keys
from nsai.address.parse import parse_address


def _vocabulary(*lines: str) -> Vocabulary:
    vocabulary = Vocabulary()
    for line in lines:
        keys = match_keys(parse_address(line))
        vocabulary.add(keys.street_key, keys.postcode_key, keys.town_key, keys.locality_key)
        if keys.building_key and keys.street_key:
            vocabulary.add_building(
                keys.building_key, keys.street_key, keys.postcode_key, keys.town_key, keys.sao_key
            )
    return vocabulary


# Lines of the Merthyr Tydfil list (tests/data/real/merthyr-sample.csv).
KNOWN = _vocabulary(
    "64, THE HAWTHORNS, PANT, MERTHYR TYDFIL, CF48 2EJ",
    "13, TAI'R TWYNAU, PANT, MERTHYR TYDFIL, CF48 2BA",
    "14, GWLADYS STREET, PANT, MERTHYR TYDFIL, CF48 2AU",
    "14, GWLADYS STREET, PENYDARREN, MERTHYR TYDFIL, CF47 9UU",
    "23, GLANMORLAIS, PANT, MERTHYR TYDFIL, CF48 2AY",
    "12, FAIR VIEW ESTATE, SWANSEA ROAD, MERTHYR TYDFIL, CF48 1HW",
    "20, PEN Y DYFFRYN, SWANSEA ROAD, MERTHYR TYDFIL, CF48 1PL",
    "33, PEN Y DYFFRYN, SWANSEA ROAD, MERTHYR TYDFIL, CF48 1PL",
    "SPRINGFIELD, WAUN BANT, MERTHYR TYDFIL, CF48 1PD",
)


def _keys(line: str) -> tuple[str | None, ...] | None:
    parts = reread(line, None, match_keys(parse_address(line)).postcode_key, KNOWN)
    if parts is None:
        return None
    keys = match_keys(parts)
    return (
        keys.sao_key,
        keys.pao_key,
        keys.building_key,
        keys.street_key,
        keys.locality_key,
        keys.town_key,
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("64 the hawthorns pant cf482ej", (None, "64", None, "THE HAWTHORNS", None, "PANT")),
        (
            "13 TAI'R TWYNAU PANT MERTHYR TYDFIL CF48 2BA",
            (None, "13", None, "TAIR TWYNAU", "PANT", "MERTHYR TYDFIL"),
        ),
        (
            "16 GWLADYS ST PANT MERTHYR TYDFIL CF482AU",
            (None, "16", None, "GWLADYS STREET", "PANT", "MERTHYR TYDFIL"),
        ),
        # A slip in the street (within its postcode district) and in the town: read as the one
        # known name each is a slip from.
        (
            "23 GLNAMORLAIS PANT MERTHYR TYDIL CF48 2AY",
            (None, "23", None, "GLANMORLAIS", "PANT", "MERTHYR TYDFIL"),
        ),
        # Without a postcode, a known town gives the area.
        (
            "23 glanmorlais merthyr tydfil",
            (None, "23", None, "GLANMORLAIS", None, "MERTHYR TYDFIL"),
        ),
        # A unit of a known named terrace, its street left out.
        (
            "33 pen y dyffryn merthyr tydfil",
            ("33", None, "PEN Y DYFFRYN", "SWANSEA ROAD", None, "MERTHYR TYDFIL"),
        ),
        # Names alone: the known street says which name is the house's.
        ("Fresh Winds Waun Bant Cf481Pd", (None, None, "FRESH WINDS", "WAUN BANT", None, None)),
        # A dwelling's name apart from the known site that follows it.
        (
            "kenaud fair view estate swansea road merthyr tydfil cf48 1hw",
            ("KENAUD", None, "FAIR VIEW ESTATE", "SWANSEA ROAD", None, "MERTHYR TYDFIL"),
        ),
    ],
)
def test_known_names_put_the_commas_back(line: str, expected: tuple[str | None, ...]) -> None:
    assert _keys(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "64 the hawthorns somewhere cf482ej",  # a place nobody knows after the street
        "5 unknown road pant cf48 2ej",  # a street nobody knows
    ],
)
def test_nothing_is_read_again_without_a_known_street_and_known_places(line: str) -> None:
    assert _keys(line) is None


def test_a_street_teaches_only_where_it_is_stated_plainly() -> None:
    assert stated_plainly("14, GWLADYS STREET, PANT", "GWLADYS STREET", identified=True)
    assert stated_plainly("14 GWLADYS ST, PANT", "GWLADYS STREET", identified=True)
    assert not stated_plainly("14 GWLADYS STREET PANT", "GWLADYS STREET PANT", identified=True)
    assert not stated_plainly("GWLADYS STREET, PANT", "GWLADYS STREET", identified=False)


def test_a_place_spelt_as_known_reads_before_one_a_slip_from_a_known_one() -> None:
    vocabulary = Vocabulary()
    vocabulary.add("KESTREL STREET", None, "FOXWOOD", "OAKWOOD")
    vocabulary.places[""].add("OAKWOOD FOXWOOD")  # a list's two places run together
    parts = reread("8 KESTREL STREET OAKWOOD FXWOOD", None, None, vocabulary)
    assert parts is not None
    assert (parts.street, parts.locality, parts.town) == ("KESTREL STREET", "OAKWOOD", "FOXWOOD")


def test_two_known_places_run_together_teach_no_place() -> None:
    from collections import Counter

    from nsai.match.reread import places_of_lists

    named = Counter(
        {"OAKWOOD FOXWOOD": 3, "OAKWOOD": 40, "MRTHYR TYDFIL": 2, "MERTHYR TYDFIL": 500}
    )
    kept = places_of_lists(named, {"FOXWOOD"})
    assert set(kept) == {"OAKWOOD", "MERTHYR TYDFIL"}


def test_a_street_learnt_after_a_slip_search_is_found_by_the_next() -> None:
    vocabulary = _vocabulary("1, GLANMORLAIS, PANT, MERTHYR TYDFIL, CF48 2AY")
    line = "7 GLNAMORLAES PANT CF48 2AY"  # two slips from GLANMORLAIS, one from GLANMORLAES
    assert reread(line, None, "CF482AY", vocabulary) is None
    vocabulary.add("GLANMORLAES", "CF482AY", "MERTHYR TYDFIL", "PANT")
    parts = reread(line, None, "CF482AY", vocabulary)
    assert parts is not None
    assert parts.street == "GLANMORLAES"
