"""The kinds of address a new user found NSAI getting wrong on real council lists (issue 14):
pairs that are two properties and must never be one, and pairs that are one property and must
be one, each parsed, read with what a gazetteer knows, and compared as reconciliation does.
The Merthyr Tydfil lines are from tests/data/real/; the others are the same forms with made-up
names (as an error model fitted on councils' records writes them)."""

from __future__ import annotations

import pytest

from nsai.address.known import Vocabulary, read_again
from nsai.address.normalise import match_keys
from nsai.address.parse import parse_address
from nsai.config import Settings
from nsai.match.compare import compare, slip_only
from nsai.match.records import MatchRecord, sao_identity
from nsai.match.unique import Places, silent_on_place
from tests.unit.match_records import match_record

MATCH = Settings().match_threshold

# What the gazetteers of these places say, as a run learns it (nsai/match/reread.py).
GAZETTEER = (
    "64, THE HAWTHORNS, PANT, MERTHYR TYDFIL, CF48 2EJ",
    "13, TAI'R TWYNAU, PANT, MERTHYR TYDFIL, CF48 2BA",
    "16, GWLADYS STREET, PANT, MERTHYR TYDFIL, CF48 2AU",
    "23, GLANMORLAIS, PANT, MERTHYR TYDFIL, CF48 2AY",
    "HOLLY HOUSE, 30 FIR LANE, EXAMPLETOWN, ZZ2 6AB",
)


def _vocabulary() -> Vocabulary:
    vocabulary = Vocabulary()
    for line in GAZETTEER:
        keys = match_keys(parse_address(line))
        vocabulary.add(keys.street_key, keys.postcode_key, keys.town_key, keys.locality_key)
    return vocabulary


KNOWN = _vocabulary()


def _record(record_id: int, line: str) -> MatchRecord:
    parts = parse_address(line)
    parts = read_again(line, parts, match_keys(parts), KNOWN) or parts
    fields = {name: getattr(parts, name) for name in parts.__dataclass_fields__}
    keys = match_keys(parts)
    fields |= {name: getattr(keys, name) for name in keys.__dataclass_fields__}
    fields["sao_key"] = sao_identity(keys.sao_key)
    fields.pop("postcode_valid")
    return match_record(record_id, **fields)


TWO_PROPERTIES = [
    # Named dwellings inside a named site, and a dwelling with the site that holds it.
    (
        "THE BYRE, HINTON MANOR BARNS, HINTON MANOR LANE, EXAMPLETOWN",
        "BETHELLS BARN, HINTON MANOR BARNS, HINTON MANOR LANE, EXAMPLETOWN",
    ),
    ("ROSE COTTAGE, THE WYLDS, WARREN ROAD, EXAMPLETOWN", "THE WYLDS, WARREN ROAD, EXAMPLETOWN"),
    (
        "KENAUD, FAIR VIEW ESTATE, SWANSEA ROAD, MERTHYR TYDFIL, CF48 1HW",
        "MIZPAH, FAIR VIEW ESTATE, SWANSEA ROAD, MERTHYR TYDFIL, CF48 1HW",
    ),
    # Two named houses on one lane and postcode: a house name is the property's identity.
    (
        "Cerysbrooke House, Seven Thorns Lane, Exampletown, ZZ1 1AA",
        "Knotwood, Seven Thorns Lane, Exampletown, ZZ1 1AA",
    ),
    # Flats under a number range.
    ("FLAT 5, 85/86, HIGH STREET, EXAMPLETOWN", "FLAT 4, 85/86, HIGH STREET, EXAMPLETOWN"),
    # One street name in two localities of one post town.
    (
        "14, GWLADYS STREET, PANT, MERTHYR TYDFIL, CF48 2AU",
        "14, GWLADYS STREET, PENYDARREN, MERTHYR TYDFIL, CF47 9UU",
    ),
    ("24, HIGH STREET, DOWLAIS TOP, MERTHYR TYDFIL", "24, HIGH STREET, CAEHARRIS, MERTHYR TYDFIL"),
    # A street and its qualified namesake in one postcode (two UPRNs in the Merthyr list).
    (
        "24, HIGH STREET (ABOVE BRIDGE), CAEHARRIS DOWLAIS, MERTHYR TYDFIL, CF48 3PH",
        "24, HIGH STREET, CAEHARRIS, MERTHYR TYDFIL, CF48 3PH",
    ),
    # A flat in number 17 of a named terrace, and number 1 of it (two UPRNs in the list).
    (
        "FLAT 1, 17, THE GRAWEN, BRECON ROAD, MERTHYR TYDFIL, CF47 8NR",
        "1, THE GRAWEN, BRECON ROAD, MERTHYR TYDFIL, CF47 8NP",
    ),
    # A caravan in the grounds of a house, a flat at a hotel.
    (
        "CARAVAN IN GROUNDS OF 106 HEOLGERRIG, HEOLGERRIG, MERTHYR TYDFIL, CF48 1TD",
        "106, HEOLGERRIG, MERTHYR TYDFIL, CF48 1TD",
    ),
    (
        "FLAT AT ANTELOPE HOTEL, CAEHARRIS, DOWLAIS, MERTHYR TYDFIL, CF48 3HB",
        "ANTELOPE HOTEL, CAEHARRIS, DOWLAIS, MERTHYR TYDFIL, CF48 3HB",
    ),
    # A number range and a number in it.
    ("22/24 LAVANT STREET, EXAMPLETOWN", "22 LAVANT STREET, EXAMPLETOWN"),
]

ONE_PROPERTY = [
    # Streets with no type word, without commas, the postcode unspaced.
    ("64, THE HAWTHORNS, PANT, MERTHYR TYDFIL, CF48 2EJ", "64 the hawthorns pant cf482ej"),
    (
        "13, TAI'R TWYNAU, PANT, MERTHYR TYDFIL, CF48 2BA",
        "13 TAI'R TWYNAU PANT MERTHYR TYDFIL CF48 2BA",
    ),
    # An abbreviated street type with an unspaced postcode.
    (
        "16, GWLADYS STREET, PANT, MERTHYR TYDFIL, CF48 2AU",
        "16 GWLADYS ST PANT MERTHYR TYDFIL CF482AU",
    ),
    # One slip of a letter in the street and in the town.
    (
        "23, GLANMORLAIS, PANT, MERTHYR TYDFIL, CF48 2AY",
        "23 GLNAMORLAIS, PANT, MERTHYR TYDFIL, CF48 2AY",
    ),
    (
        "23, GLANMORLAIS, PANT, MERTHYR TYDFIL, CF48 2AY",
        "23 GLANMORLAIS PANT MERTHYR TYDIL CF48 2AY",
    ),
    # Floor words around a flat number.
    (
        "FLAT 1, MAPLE COURT, 12 FIR LANE, EXAMPLETOWN",
        "Flat 1 Ground Floor, Maple Court, 12, Fir Lane, Exampletown",
    ),
    (
        "GROUND FLOOR FLAT, 44 BEECH STREET, EXAMPLETOWN",
        "(Ground Floor) Flat, 44 Beech Street, Exampletown",
    ),
    (
        "FIRST FLOOR FLAT, 44 BEECH STREET, EXAMPLETOWN",
        "1st Floor Flat, 44 Beech Street, Exampletown",
    ),
    # The street left out.
    ("HOLLY HOUSE, 30 FIR LANE, EXAMPLETOWN, ZZ2 6AB", "Holly House, 30, Exampletown, ZZ2 6AB"),
    # Business units on an estate named after a street.
    (
        "UNIT 2, MILL LANE INDUSTRIAL ESTATE, DART LANE, EXAMPLETOWN",
        "Unit 2, Mill Lane Industrial Estate, Dart Lane, Exampletown",
    ),
    # A number range written with a slash.
    ("22-24 LAVANT STREET, EXAMPLETOWN", "22/24 LAVANT STREET, EXAMPLETOWN"),
]


@pytest.mark.parametrize(("a", "b"), TWO_PROPERTIES)
def test_two_properties_are_never_one(a: str, b: str) -> None:
    score = compare(_record(1, a), _record(2, b))
    assert score.veto is not None or score.score < MATCH, score


@pytest.mark.parametrize(("a", "b"), ONE_PROPERTY)
def test_one_property_is_one(a: str, b: str) -> None:
    score = compare(_record(1, a), _record(2, b))
    assert score.veto is None, score
    assert score.score >= MATCH, score


@pytest.mark.parametrize(
    ("a", "b", "alone"),
    [
        # One slip in the street, the house name and postcode exact: decided without a steward.
        (
            "KINGFISHER CROFT, HENRY ROAD, OLDTOWN, AB1 2CD",
            "KINGFISHER CROFT, HENTY ROAD, OLDTOWN, AB1 2CD",
            True,
        ),
        ("12 HENRY AVENUE, OLDTOWN, AB1 2CD", "12 HENRY AVENUE, OLDTWON, AB1 2CD", True),
        # A slip in the house name, its street and postcode both agreeing; not without either.
        (
            "GLEBE HOUSE, QUEENS ROAD, OLDTOWN, AB1 2CD",
            "GLEBE HOUS, QUEENS RD, OLDTOWN, AB1 2CD",
            True,
        ),
        ("GLEBE HOUSE, QUEENS ROAD, OLDTOWN, AB1 2CD", "GLEBE HOUS, QUEENS RD, OLDTOWN", False),
        ("GLEBE HOUSE, QUEENS ROAD, OLDTOWN, AB1 2CD", "GLEBE HOUS, OLDTOWN, AB1 2CD", False),
        # Nothing places it: the postcode is missing.
        ("12 HENRY AVENUE, OLDTOWN, AB1 2CD", "12 HENRY ABENUE, OLDTOWN", False),
        # Two slips, or a slip and a disagreement.
        ("12 HENRY AVENUE, OLDTOWN, AB1 2CD", "12 HENRY ABENUE, OLDTWON, AB1 2CD", False),
        ("12 HENRY AVENUE, OLDTOWN, AB1 2CD", "12 HENRY ABENUE, NEWBURY, AB1 2CD", False),
        # No slip at all, or another number.
        ("12 HENRY AVENUE, OLDTOWN, AB1 2CD", "12 HENRY AVENUE, OLDTOWN, AB1 2CD", False),
        ("12 HENRY AVENUE, OLDTOWN, AB1 2CD", "14 HENRY ABENUE, OLDTOWN, AB1 2CD", False),
    ],
)
def test_a_slip_alone_that_every_other_part_confirms(a: str, b: str, alone: bool) -> None:
    assert slip_only(compare(_record(1, a), _record(2, b))) is alone


def test_a_street_and_number_in_one_place_settle_a_silent_town() -> None:
    pant = _record(1, "72, GWLADYS STREET, PANT, MERTHYR TYDFIL, CF48 2AU")
    bare = _record(2, "72 gwladys street")
    score = compare(pant, bare)
    assert score.score < MATCH
    assert silent_on_place(score)
    assert Places([pant, bare]).one_place(bare)
    # One street name in two localities: "72 GWLADYS STREET" alone may be either.
    penydarren = _record(3, "72, GWLADYS STREET, PENYDARREN, MERTHYR TYDFIL, CF47 9UU")
    assert not Places([pant, bare, penydarren]).one_place(bare)
    # Anything against the pair, and the silence settles nothing.
    assert not silent_on_place(compare(pant, _record(4, "72 gwladys street, cf48 2at")))
