"""Normalisation and match keys: equal where one property is written two ways, different where
two properties are close (flat 1 and 2, 12 and 12A and 10-12, a building and a flat in it)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsai.address.normalise import (
    MatchKeys,
    match_keys,
    normalise_street,
    normalise_text,
    normalise_town,
    tokenise,
)
from nsai.address.parse import parse_address
from nsai.address.parts import AddressParts

TEXT = [
    ("St. John's", "ST JOHNS"),
    ("  rose   cottage ", "ROSE COTTAGE"),
    ("Smith & Sons", "SMITH AND SONS"),
    ("Smith&Sons", "SMITH AND SONS"),
    ("O'Neill", "ONEILL"),
    ("Queen\u2019s", "QUEENS"),
    ("Stratford-upon-Avon", "STRATFORD UPON AVON"),
    ("Stratford \u2013 upon \u2013 Avon", "STRATFORD UPON AVON"),
    ("10 - 12", "10-12"),
    ("10\u201312", "10-12"),
    ("2 / 14", "2/14"),
    ("A/B", "A B"),
    ("12 a high", "12A HIGH"),
    ("Flat 2 a", "FLAT 2A"),
    ("No. 14", "14"),
    ("No Through Road", "NO THROUGH ROAD"),
    ("Apt 4", "APARTMENT 4"),
    ("Flt 4", "FLAT 4"),
    ("GFF", "GROUND FLOOR FLAT"),
    ("1st Flr", "FIRST FLOOR"),
    ("Grd Floor", "GROUND FLOOR"),
    ("Bsmt", "BASEMENT"),
    ("(Rear)", "REAR"),
    ("\u00abCaf\u00e9\u00bb", "CAF\u00c9"),
    ("", ""),
    ("  ", ""),
    ("...", ""),
]


@pytest.mark.parametrize(("raw", "expected"), TEXT)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


STREETS = [
    ("Mill Ln", "MILL LANE"),
    ("Station Rd", "STATION ROAD"),
    ("Station Rd.", "STATION ROAD"),
    ("Church St", "CHURCH STREET"),
    ("Church St.", "CHURCH STREET"),
    ("Church Str", "CHURCH STREET"),
    ("St Mary's Road", "SAINT MARYS ROAD"),
    ("St. Marys Rd", "SAINT MARYS ROAD"),
    ("Saint Marys Road", "SAINT MARYS ROAD"),
    ("St Marys St", "SAINT MARYS STREET"),
    ("Old St Pauls Road", "OLD SAINT PAULS ROAD"),
    ("High St North", "HIGH STREET NORTH"),
    ("High St East", "HIGH STREET EAST"),
    ("ST", "STREET"),
    ("Acacia Ave", "ACACIA AVENUE"),
    ("Acacia Av", "ACACIA AVENUE"),
    ("Laurel Gdns", "LAUREL GARDENS"),
    ("Beech Cl", "BEECH CLOSE"),
    ("Windsor Cres", "WINDSOR CRESCENT"),
    ("Oak Dr", "OAK DRIVE"),
    ("Dr Johnsons Walk", "DR JOHNSONS WALK"),
    ("Ivy Grn", "IVY GREEN"),
    ("Elm Gro", "ELM GROVE"),
    ("Elm Gr", "ELM GROVE"),
    ("Market Pl", "MARKET PLACE"),
    ("Albion Sq", "ALBION SQUARE"),
    ("Prospect Ter", "PROSPECT TERRACE"),
    ("Prospect Terr", "PROSPECT TERRACE"),
    ("Prospect Tce", "PROSPECT TERRACE"),
    ("Abbey Ct", "ABBEY COURT"),
    ("Abbey Pk", "ABBEY PARK"),
    ("Kings Wy", "KINGS WAY"),
    ("Victoria Hse", "VICTORIA HOUSE"),
    ("Shore Pde", "SHORE PARADE"),
    ("Gt North Rd", "GREAT NORTH ROAD"),
    ("Upr High St", "UPPER HIGH STREET"),
    ("1st Avenue", "FIRST AVENUE"),
    ("Street Lane", "STREET LANE"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), STREETS)
def test_normalise_street(raw: str, expected: str) -> None:
    assert normalise_street(raw) == expected


TOWNS = [
    ("St Albans", "SAINT ALBANS"),
    ("St. Ives", "SAINT IVES"),
    ("Saint Ives", "SAINT IVES"),
    ("Gt Yarmouth", "GREAT YARMOUTH"),
    ("Lt Bramley", "LITTLE BRAMLEY"),
    ("Newcastle-upon-Tyne", "NEWCASTLE UPON TYNE"),
    ("King's Lynn", "KINGS LYNN"),
    ("oldtown", "OLDTOWN"),
]


@pytest.mark.parametrize(("raw", "expected"), TOWNS)
def test_normalise_town(raw: str, expected: str) -> None:
    assert normalise_town(raw) == expected


@given(st.text(max_size=60))
def test_normalising_twice_changes_nothing(text: str) -> None:
    for normalise in (normalise_text, normalise_street, normalise_town):
        once = normalise(text)
        assert normalise(once) == once


@given(st.text(max_size=60))
def test_tokenise_gives_upper_case_words_without_blanks(text: str) -> None:
    for word in tokenise(text):
        assert word
        assert not any(ch.isspace() for ch in word)
        assert word == word.upper()


# --- keys of structured parts ------------------------------------------------------------------


def keys(**fields: object) -> MatchKeys:
    return match_keys(AddressParts(**fields))  # type: ignore[arg-type]


def test_keys_of_a_full_address() -> None:
    parts = AddressParts(
        organisation="Acme Ltd",
        sao_text="Unit",
        sao_start_number=3,
        pao_text="Riverside Business Pk",
        pao_start_number=14,
        pao_start_suffix="A",
        street="St Mary's Rd",
        locality="Eastgate",
        town="St Albans",
        postcode="ab1 2cd",
        postcode_valid=True,
    )
    assert match_keys(parts) == MatchKeys(
        street_key="SAINT MARYS ROAD",
        town_key="SAINT ALBANS",
        locality_key="EASTGATE",
        postcode_key="AB12CD",
        sao_key="UNIT 3",
        pao_key="14A",
        building_key="RIVERSIDE BUSINESS PARK",
        organisation_key="ACME",
    )


def test_keys_of_nothing_are_none() -> None:
    assert match_keys(AddressParts()) == MatchKeys(None, None, None, None, None, None, None, None)


def test_parts_that_normalise_to_nothing_give_no_key() -> None:
    parts = AddressParts(street="...", town="-", locality=" ", organisation="&", pao_text="()")
    assert match_keys(parts) == MatchKeys(None, None, None, None, None, None, None, "AND")


# Each group: one SAO written in the ways councils store it; all give the key on the left.
SAO_SAME: list[tuple[str, list[dict[str, object]]]] = [
    (
        "2",
        [
            {"sao_text": "FLAT 2"},
            {"sao_text": "Flat 2"},
            {"sao_text": "FLAT", "sao_start_number": 2},
            {"sao_start_number": 2},
            {"sao_text": "APARTMENT", "sao_start_number": 2},
            {"sao_text": "Apt 2"},
            {"sao_text": "FLT 2"},
            {"sao_text": "MAISONETTE 2"},
            {"sao_text": "2"},
            {"sao_text": "FLAT 2", "sao_start_number": 2},
            {"sao_text": "Flat No 2"},
        ],
    ),
    (
        "2A",
        [
            {"sao_text": "FLAT 2A"},
            {"sao_text": "FLAT", "sao_start_number": 2, "sao_start_suffix": "A"},
            {"sao_start_number": 2, "sao_start_suffix": "A"},
            {"sao_text": "flat 2 a"},
        ],
    ),
    ("A", [{"sao_text": "FLAT A"}, {"sao_text": "Flat A"}, {"sao_text": "A"}]),
    ("1-3", [{"sao_text": "FLAT 1-3"}, {"sao_start_number": 1, "sao_end_number": 3}]),
    (
        "GROUND FLOOR",
        [
            {"sao_text": "GROUND FLOOR FLAT"},
            {"sao_text": "Ground Floor"},
            {"sao_text": "GFF"},
            {"sao_text": "Grd Flr Flat"},
            {"sao_text": "Flat, Ground Floor"},
        ],
    ),
    ("FIRST FLOOR", [{"sao_text": "FIRST FLOOR FLAT"}, {"sao_text": "1st Floor Flat"}]),
    ("UNIT 3", [{"sao_text": "UNIT 3"}, {"sao_text": "Unit", "sao_start_number": 3}]),
    ("FLAT", [{"sao_text": "FLAT"}, {"sao_text": "Apartment"}]),
]


@pytest.mark.parametrize(
    ("key", "variant"),
    [(key, variant) for key, variants in SAO_SAME for variant in variants],
)
def test_one_sao_written_many_ways_has_one_key(key: str, variant: dict[str, object]) -> None:
    assert keys(**variant).sao_key == key


PAO_SAME: list[tuple[str, list[dict[str, object]]]] = [
    ("14", [{"pao_start_number": 14}, {"pao_text": "14"}, {"pao_text": "014"}]),
    (
        "14A",
        [{"pao_start_number": 14, "pao_start_suffix": "A"}, {"pao_text": "14a"}],
    ),
    ("10-12", [{"pao_start_number": 10, "pao_end_number": 12}, {"pao_text": "10 - 12"}]),
    (
        "10A-12B",
        [
            {
                "pao_start_number": 10,
                "pao_start_suffix": "A",
                "pao_end_number": 12,
                "pao_end_suffix": "B",
            }
        ],
    ),
    ("14", [{"pao_start_number": 14, "pao_text": "Rose Cottage"}]),
]


@pytest.mark.parametrize(
    ("key", "variant"),
    [(key, variant) for key, variants in PAO_SAME for variant in variants],
)
def test_one_pao_written_many_ways_has_one_key(key: str, variant: dict[str, object]) -> None:
    assert keys(**variant).pao_key == key


def test_a_pao_text_that_is_a_number_is_no_building() -> None:
    assert keys(pao_text="14A").building_key is None
    assert keys(pao_text="Rose Cottage").pao_key is None


# Pairs of different properties whose keys must differ.
SAO_DIFFERENT = [
    ({"sao_text": "FLAT 1"}, {"sao_text": "FLAT 2"}),
    ({"sao_start_number": 1}, {"sao_start_number": 2}),
    ({"sao_text": "FLAT", "sao_start_number": 1}, {"sao_start_number": 2}),
    ({"sao_start_number": 12}, {"sao_start_number": 12, "sao_start_suffix": "A"}),
    ({"sao_start_number": 12}, {"sao_start_number": 10, "sao_end_number": 12}),
    ({"sao_start_number": 10}, {"sao_start_number": 10, "sao_end_number": 12}),
    ({"sao_text": "FLAT A"}, {"sao_text": "FLAT B"}),
    ({"sao_text": "FLAT A"}, {"sao_text": "FLAT 1"}),
    ({"sao_text": "GROUND FLOOR FLAT"}, {"sao_text": "FIRST FLOOR FLAT"}),
    ({"sao_text": "GROUND FLOOR FLAT"}, {"sao_text": "LOWER GROUND FLOOR FLAT"}),
    ({"sao_text": "UNIT 3"}, {"sao_text": "FLAT 3"}),
    ({"sao_text": "FLAT"}, {}),  # the flat over a shop is not the shop
    ({"sao_text": "FLAT 2"}, {}),  # a flat is not the building it is in
    ({"sao_text": "ANNEXE"}, {}),
]


@pytest.mark.parametrize(("one", "other"), SAO_DIFFERENT)
def test_different_saos_have_different_keys(
    one: dict[str, object], other: dict[str, object]
) -> None:
    assert keys(**one).sao_key != keys(**other).sao_key


PAO_DIFFERENT = [
    ({"pao_start_number": 1}, {"pao_start_number": 2}),
    ({"pao_start_number": 12}, {"pao_start_number": 12, "pao_start_suffix": "A"}),
    (
        {"pao_start_number": 12, "pao_start_suffix": "A"},
        {"pao_start_number": 12, "pao_start_suffix": "B"},
    ),
    ({"pao_start_number": 12}, {"pao_start_number": 10, "pao_end_number": 12}),
    ({"pao_start_number": 10}, {"pao_start_number": 10, "pao_end_number": 12}),
    (
        {"pao_start_number": 10, "pao_end_number": 12},
        {"pao_start_number": 10, "pao_end_number": 14},
    ),
    (
        {"pao_start_number": 12, "pao_start_suffix": "A"},
        {"pao_start_number": 10, "pao_end_number": 12},
    ),
]


@pytest.mark.parametrize(("one", "other"), PAO_DIFFERENT)
def test_different_paos_have_different_keys(
    one: dict[str, object], other: dict[str, object]
) -> None:
    assert keys(**one).pao_key != keys(**other).pao_key


BUILDINGS_SAME = [
    ("The Old Rectory", "OLD RECTORY"),
    ("Old Rectory", "OLD RECTORY"),
    ("Victoria Hse", "VICTORIA HOUSE"),
    ("Rose Ct", "ROSE COURT"),
    ("St Anne's", "SAINT ANNES"),
    ("Keeper's Cottage", "KEEPERS COTTAGE"),
    ("THE", "THE"),
    ("Flat", None),
]


@pytest.mark.parametrize(("pao_text", "key"), BUILDINGS_SAME)
def test_building_key(pao_text: str, key: str | None) -> None:
    assert keys(pao_text=pao_text).building_key == key


ORGANISATIONS = [
    ("Acme Ltd", "ACME"),
    ("ACME LIMITED", "ACME"),
    ("Acme Ltd.", "ACME"),
    ("The Acme Company Plc", "ACME COMPANY"),
    ("Smith & Co", "SMITH"),
    ("Smith and Co.", "SMITH"),
    ("Smith & Sons", "SMITH AND SONS"),
    ("Hartley's Bakery", "HARTLEYS BAKERY"),
    ("The Red Lion", "RED LION"),
    ("Ltd", "LTD"),
]


@pytest.mark.parametrize(("organisation", "key"), ORGANISATIONS)
def test_organisation_key(organisation: str, key: str) -> None:
    assert keys(organisation=organisation).organisation_key == key


def test_postcode_key_is_compact_and_only_for_valid_postcodes() -> None:
    assert keys(postcode="ab1 2cd").postcode_key == "AB12CD"
    assert keys(postcode="AB12CD", postcode_valid=True).postcode_key == "AB12CD"
    assert keys(postcode="AB1 2C", postcode_valid=False).postcode_key is None


def test_place_keys_expand_saint() -> None:
    assert keys(town="St Albans").town_key == keys(town="SAINT ALBANS").town_key == "SAINT ALBANS"
    assert keys(locality="St Johns").locality_key == "SAINT JOHNS"


# --- keys of parsed free text ------------------------------------------------------------------

# Each group: one property as different systems write it; their keys must be equal.
SAME_PROPERTY: list[list[str | Sequence[str]]] = [
    [
        "Flat 2, 14 Mill Lane, Oldtown, AB1 2CD",
        "FLAT 2 14 MILL LN OLDTOWN AB12CD",
        "flat 2, 14 mill lane, oldtown, ab1 2cd",
        "Apartment 2, 14 Mill Lane, Oldtown, AB1 2CD",
        "Apt. 2, 14 Mill Lane, Oldtown AB1 2CD",
        "2/14 Mill Lane, Oldtown, AB1 2CD",
        "2, 14 Mill Lane, Oldtown, AB1 2CD",
        ["Flat 2", "14 Mill Lane", "", "Oldtown", "AB1 2CD"],
    ],
    [
        "14A Mill Lane, Oldtown, AB1 2CD",
        "14a Mill Ln, Oldtown, ab1 2cd",
        "14 A MILL LANE OLDTOWN AB1 2CD",
    ],
    [
        "10-12 High Street, Oldtown, AB1 2CD",
        "10 - 12 High St, Oldtown, AB1 2CD",
        "10-12 HIGH ST. OLDTOWN AB12CD",
    ],
    [
        "14 St Mary's Road, St Albans, AB1 2CD",
        "14 Saint Marys Rd, Saint Albans, AB1 2CD",
        "14 ST MARYS RD ST ALBANS AB1 2CD",
    ],
    [
        "Ground Floor Flat, 14 Mill Lane, Oldtown",
        "Ground Floor Flat 14 Mill Lane Oldtown",
        "GFF, 14 Mill Lane, Oldtown",
        "Ground Floor, 14 Mill Lane, Oldtown",
    ],
    [
        "Acme Ltd, Unit 3, Riverside Business Park, Mill Lane, Oldtown",
        "ACME LIMITED UNIT 3 RIVERSIDE BUSINESS PK MILL LANE OLDTOWN",
        ["Acme Ltd", "Unit 3", "Riverside Business Park", "Mill Lane", "Oldtown"],
    ],
    [
        "Rose Cottage, Mill Lane, Oldtown",
        "ROSE COTTAGE MILL LANE OLDTOWN",
        "Rose Cottage, Mill Ln., Oldtown",
    ],
    [
        "Flat 2, Rose Court, 5 Main Street, Oldtown",
        "FLAT 2 ROSE COURT 5 MAIN STREET OLDTOWN",
        "Apartment 2, Rose Ct, 5 Main St, Oldtown",
    ],
]


@pytest.mark.parametrize("group", SAME_PROPERTY, ids=[str(group[0]) for group in SAME_PROPERTY])
def test_one_property_written_many_ways_has_one_set_of_keys(
    group: list[str | Sequence[str]],
) -> None:
    first = match_keys(parse_address(group[0]))
    for text in group[1:]:
        assert match_keys(parse_address(text)) == first, text


# Pairs of different properties: some key must differ.
DIFFERENT_PROPERTIES = [
    ("Flat 1, 14 Mill Lane", "Flat 2, 14 Mill Lane"),
    ("1/14 Mill Lane", "2/14 Mill Lane"),
    ("Flat 2, 14 Mill Lane", "14 Mill Lane"),
    ("Flat A, 14 Mill Lane", "Flat B, 14 Mill Lane"),
    ("Ground Floor Flat, 14 Mill Lane", "First Floor Flat, 14 Mill Lane"),
    ("Ground Floor Flat, 14 Mill Lane", "14 Mill Lane"),
    ("12 High Street", "12A High Street"),
    ("12 High Street", "10-12 High Street"),
    ("10 High Street", "10-12 High Street"),
    ("12A High Street", "10-12 High Street"),
    ("Flat, 12 High Street", "12 High Street"),
    ("Unit 3, Riverside Business Park", "Unit 4, Riverside Business Park"),
    ("Unit 3, Victoria House, 2 Station Road", "Flat 3, Victoria House, 2 Station Road"),
    ("4 Victoria House, Station Road", "Victoria House, Station Road"),
    ("Rose Cottage, Mill Lane", "Ivy Cottage, Mill Lane"),
    ("14 Church Street", "14 Church Road"),
    ("14 Mill Lane, Oldtown", "14 Mill Lane, Newtown"),
]


@pytest.mark.parametrize(("one", "other"), DIFFERENT_PROPERTIES)
def test_different_properties_have_different_keys(one: str, other: str) -> None:
    assert match_keys(parse_address(one)) != match_keys(parse_address(other))


def test_a_flat_and_its_building_share_street_and_pao_but_not_sao() -> None:
    flat = match_keys(parse_address("Flat 2, 14 Mill Lane, Oldtown, AB1 2CD"))
    building = match_keys(parse_address("14 Mill Lane, Oldtown, AB1 2CD"))
    assert (flat.street_key, flat.pao_key, flat.postcode_key) == (
        building.street_key,
        building.pao_key,
        building.postcode_key,
    )
    assert flat.sao_key == "2"
    assert building.sao_key is None


def test_a_house_with_and_without_its_name_shares_the_pao_key() -> None:
    named = match_keys(parse_address("Rose Cottage, 14 Mill Lane"))
    plain = match_keys(parse_address("14 Mill Lane"))
    assert named.pao_key == plain.pao_key == "14"
    assert (named.building_key, plain.building_key) == ("ROSE COTTAGE", None)
