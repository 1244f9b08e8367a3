"""The free-text address parser: a table of addresses as people and systems write them, and
properties that hold for any string.

Expected parts are written with `A`, whose short names say the BS7666 fields: sao/pao take the
numbers as they are written ("2", "12A", "10-12", "10A-12B"), building is PAO_TEXT, org the
organisation; postcode is a valid one, bad_postcode an invalid one kept as written.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nsai.address.parse import parse_address
from nsai.address.parts import AddressParts
from nsai.address.render import single_line

_NUMBERS = re.compile(r"([0-9]+)([A-Z]?)(?:-([0-9]+)([A-Z]?))?")


Numbers = tuple[int | None, str | None, int | None, str | None]


def _numbers(text: str | None) -> Numbers:
    """ "10A-12B" -> (10, "A", 12, "B")."""
    if text is None:
        return None, None, None, None
    match = _NUMBERS.fullmatch(text)
    assert match is not None, text
    return int(match[1]), match[2] or None, int(match[3]) if match[3] else None, match[4] or None


def A(
    *,
    org: str | None = None,
    sao: str | None = None,
    sao_text: str | None = None,
    pao: str | None = None,
    building: str | None = None,
    street: str | None = None,
    locality: str | None = None,
    town: str | None = None,
    postcode: str | None = None,
    bad_postcode: str | None = None,
) -> AddressParts:
    s, p = _numbers(sao), _numbers(pao)
    return AddressParts(
        organisation=org,
        sao_start_number=s[0],
        sao_start_suffix=s[1],
        sao_end_number=s[2],
        sao_end_suffix=s[3],
        sao_text=sao_text,
        pao_start_number=p[0],
        pao_start_suffix=p[1],
        pao_end_number=p[2],
        pao_end_suffix=p[3],
        pao_text=building,
        street=street,
        locality=locality,
        town=town,
        postcode=postcode or bad_postcode,
        postcode_valid=True if postcode else (False if bad_postcode else None),
    )


MILL_14 = {"pao": "14", "street": "MILL LANE"}
FLAT_2 = {"sao": "2", "sao_text": "FLAT"}

CASES: list[tuple[str | Sequence[str], AddressParts]] = [
    # --- numbered houses -----------------------------------------------------------------------
    ("14 Mill Lane", A(**MILL_14)),
    ("14 Mill Lane, Oldtown", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill Lane, Oldtown, AB1 2CD", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14 mill lane, oldtown, ab1 2cd", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14 MILL LANE OLDTOWN AB12CD", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14 mill lane oldtown ab1 2cd", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14, Mill Lane, Oldtown", A(**MILL_14, town="OLDTOWN")),
    ("No. 14 Mill Lane", A(**MILL_14)),
    ("Number 14, Mill Lane", A(**MILL_14)),
    ("14 Mill Lane, Eastgate, Oldtown", A(**MILL_14, locality="EASTGATE", town="OLDTOWN")),
    ("14 Mill Lane, Oldtown, Westshire", A(**MILL_14, town="OLDTOWN")),
    (
        "14 Mill Lane, Eastgate, Oldtown, Westshire",
        A(**MILL_14, locality="EASTGATE", town="OLDTOWN"),
    ),
    ("14 Mill Lane, Oldtown, North Yorkshire", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill Lane, Oldtown, Kent", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill Lane, Kent", A(**MILL_14, town="KENT")),
    ("14 Mill Lane Oldtown Westshire", A(**MILL_14, town="OLDTOWN")),
    ("14 The Green, Oldtown", A(pao="14", street="THE GREEN", town="OLDTOWN")),
    ("14 The Avenue Oldtown", A(pao="14", street="THE AVENUE", town="OLDTOWN")),
    ("14 Broadway, Oldtown", A(pao="14", street="BROADWAY", town="OLDTOWN")),
    ("14 Park Road", A(pao="14", street="PARK ROAD")),
    ("14 Green Lane Oldtown", A(pao="14", street="GREEN LANE", town="OLDTOWN")),
    ("14 Rose Hill Road Oldtown", A(pao="14", street="ROSE HILL ROAD", town="OLDTOWN")),
    ("14 Victoria Park Road, Oldtown", A(pao="14", street="VICTORIA PARK ROAD", town="OLDTOWN")),
    ("14 Hill Top, Oldtown", A(pao="14", street="HILL TOP", town="OLDTOWN")),
    (
        "14 Pear Tree Close, Much Wenlock",
        A(pao="14", street="PEAR TREE CLOSE", town="MUCH WENLOCK"),
    ),
    ("0 Mill Lane", A(pao="0", street="MILL LANE")),
    ("9999 Mill Lane", A(pao="9999", street="MILL LANE")),
    ("0014 Mill Lane", A(**MILL_14)),
    ("10000 Mill Lane", A(street="10000 MILL LANE")),
    # --- suffixes and ranges -------------------------------------------------------------------
    ("14A Mill Ln", A(pao="14A", street="MILL LANE")),
    ("14a mill lane", A(pao="14A", street="MILL LANE")),
    ("14 A Mill Lane", A(pao="14A", street="MILL LANE")),
    ("12a high st", A(pao="12A", street="HIGH STREET")),
    ("10-12 High St", A(pao="10-12", street="HIGH STREET")),
    ("10 - 12 High Street", A(pao="10-12", street="HIGH STREET")),
    ("10 -12 high st", A(pao="10-12", street="HIGH STREET")),
    ("10A-12B High Street", A(pao="10A-12B", street="HIGH STREET")),
    ("10-12A High St", A(pao="10-12A", street="HIGH STREET")),
    ("51-53 High Street, Oldtown", A(pao="51-53", street="HIGH STREET", town="OLDTOWN")),
    ("Flat 2, 10-12 High Street", A(**FLAT_2, pao="10-12", street="HIGH STREET")),
    # --- ST: Saint before a name, Street closing one -------------------------------------------
    ("St Johns Road", A(street="SAINT JOHNS ROAD")),
    ("St. John's Road", A(street="SAINT JOHNS ROAD")),
    ("Saint Johns Road", A(street="SAINT JOHNS ROAD")),
    ("Church St", A(street="CHURCH STREET")),
    ("Church St.", A(street="CHURCH STREET")),
    ("14 St Mary's Rd, Oldtown", A(pao="14", street="SAINT MARYS ROAD", town="OLDTOWN")),
    ("14 St Marys St, Oldtown", A(pao="14", street="SAINT MARYS STREET", town="OLDTOWN")),
    ("14 High St North, Oldtown", A(pao="14", street="HIGH STREET NORTH", town="OLDTOWN")),
    ("14 Church St Oldtown", A(pao="14", street="CHURCH STREET", town="OLDTOWN")),
    ("14 Old St Pauls Road Oldtown", A(pao="14", street="OLD SAINT PAULS ROAD", town="OLDTOWN")),
    ("14 Mill Lane St Ives", A(**MILL_14, town="SAINT IVES")),
    ("14 Church St, St Albans", A(pao="14", street="CHURCH STREET", town="SAINT ALBANS")),
    ("14 Church Street St Albans", A(pao="14", street="CHURCH STREET", town="SAINT ALBANS")),
    # --- street-type abbreviations -------------------------------------------------------------
    ("3 Acacia Ave", A(pao="3", street="ACACIA AVENUE")),
    ("3 Acacia Av.", A(pao="3", street="ACACIA AVENUE")),
    ("3 Laurel Gdns", A(pao="3", street="LAUREL GARDENS")),
    ("3 Beech Cl", A(pao="3", street="BEECH CLOSE")),
    ("3 Windsor Cres", A(pao="3", street="WINDSOR CRESCENT")),
    ("3 Oak Dr", A(pao="3", street="OAK DRIVE")),
    ("3 Ivy Grn", A(pao="3", street="IVY GREEN")),
    ("3 Elm Gro", A(pao="3", street="ELM GROVE")),
    ("3 Elm Gr", A(pao="3", street="ELM GROVE")),
    ("3 Market Pl", A(pao="3", street="MARKET PLACE")),
    ("3 Albion Sq", A(pao="3", street="ALBION SQUARE")),
    ("3 Prospect Ter", A(pao="3", street="PROSPECT TERRACE")),
    ("3 Prospect Terr", A(pao="3", street="PROSPECT TERRACE")),
    ("3 Abbey Ct", A(pao="3", street="ABBEY COURT")),
    ("3 Abbey Pk", A(pao="3", street="ABBEY PARK")),
    ("3 Kings Wy", A(pao="3", street="KINGS WAY")),
    ("3 Queen's Rd", A(pao="3", street="QUEENS ROAD")),
    # --- flats -----------------------------------------------------------------------------------
    ("Flat 2, 14 Mill Lane", A(**FLAT_2, **MILL_14)),
    ("Flat 2 14 Mill Lane", A(**FLAT_2, **MILL_14)),
    ("flat 2, 14 mill lane, oldtown", A(**FLAT_2, **MILL_14, town="OLDTOWN")),
    (
        "Flat 2, 14 Mill Lane, Oldtown, AB1 2CD",
        A(**FLAT_2, **MILL_14, town="OLDTOWN", postcode="AB1 2CD"),
    ),
    ("Flt 2, 14 Mill Lane", A(**FLAT_2, **MILL_14)),
    ("Flat No 2, 14 Mill Lane", A(**FLAT_2, **MILL_14)),
    ("Flat 2A, 14 Mill Lane", A(sao="2A", sao_text="FLAT", **MILL_14)),
    ("Flat A, 3 Church Rd", A(sao_text="FLAT A", pao="3", street="CHURCH ROAD")),
    ("Flat B 14 Mill Lane", A(sao_text="FLAT B", **MILL_14)),
    ("Maisonette 2, 14 Mill Lane", A(sao="2", sao_text="MAISONETTE", **MILL_14)),
    ("2/14 Mill Lane", A(sao="2", **MILL_14)),
    ("2 / 14 Mill Lane", A(sao="2", **MILL_14)),
    ("Flat 2/14 Mill Lane", A(**FLAT_2, **MILL_14)),
    ("2, 14 Mill Lane", A(sao="2", **MILL_14)),
    ("Flat, 12 High Street", A(sao_text="FLAT", pao="12", street="HIGH STREET")),
    ("Flat 12 High Street", A(sao="12", sao_text="FLAT", street="HIGH STREET")),
    ("Flat 2, 14 Mill Lane, Flat Pack Ltd", A(**FLAT_2, **MILL_14, town="FLAT PACK LTD")),
    (
        "Flat 1, Rose Court, Oldtown",
        A(sao="1", sao_text="FLAT", street="ROSE COURT", town="OLDTOWN"),
    ),
    (
        "FLAT 2 ROSE COURT 5 MAIN STREET",
        A(**FLAT_2, building="ROSE COURT", pao="5", street="MAIN STREET"),
    ),
    (
        "Flat 2, Rose Court, 5 Main Street, Oldtown",
        A(**FLAT_2, building="ROSE COURT", pao="5", street="MAIN STREET", town="OLDTOWN"),
    ),
    ("Flat 2 Rose Court, Main Street", A(**FLAT_2, building="ROSE COURT", street="MAIN STREET")),
    (
        "Rose Court, Flat 2, 5 Main St",
        A(**FLAT_2, building="ROSE COURT", pao="5", street="MAIN STREET"),
    ),
    ("2 Rose Court, Main Street", A(sao="2", building="ROSE COURT", street="MAIN STREET")),
    ("2 Rose Court, Oldtown", A(pao="2", street="ROSE COURT", town="OLDTOWN")),
    (
        "Apartment 4, Victoria House, 2 Station Road",
        A(sao="4", sao_text="APARTMENT", building="VICTORIA HOUSE", pao="2", street="STATION ROAD"),
    ),
    (
        "Apt 4, Victoria Hse, 2 Station Rd",
        A(sao="4", sao_text="APARTMENT", building="VICTORIA HOUSE", pao="2", street="STATION ROAD"),
    ),
    (
        "4 Victoria House, Station Road",
        A(sao="4", building="VICTORIA HOUSE", street="STATION ROAD"),
    ),
    (
        "4 Victoria House Station Road Oldtown",
        A(sao="4", building="VICTORIA HOUSE", street="STATION ROAD", town="OLDTOWN"),
    ),
    (
        "Flat 3, 4 Victoria House, Station Road",
        A(sao="3", sao_text="FLAT", building="VICTORIA HOUSE", pao="4", street="STATION ROAD"),
    ),
    (
        "Penthouse, Victoria House, 2 Station Road",
        A(sao_text="PENTHOUSE", building="VICTORIA HOUSE", pao="2", street="STATION ROAD"),
    ),
    ("Studio 5, 14 Mill Lane", A(sao="5", sao_text="STUDIO", **MILL_14)),
    ("Room 3, 14 Mill Lane", A(sao="3", sao_text="ROOM", **MILL_14)),
    ("Annexe, 14 Mill Lane", A(sao_text="ANNEXE", **MILL_14)),
    (
        "The Annexe, Rose Cottage, Mill Lane",
        A(sao_text="ANNEXE", building="ROSE COTTAGE", street="MILL LANE"),
    ),
    # --- flats by floor ------------------------------------------------------------------------
    ("Ground Floor Flat 14 Mill Lane", A(sao_text="GROUND FLOOR FLAT", **MILL_14)),
    ("Ground Floor Flat, 14 Mill Lane", A(sao_text="GROUND FLOOR FLAT", **MILL_14)),
    (
        "ground floor flat 14 mill lane oldtown",
        A(sao_text="GROUND FLOOR FLAT", **MILL_14, town="OLDTOWN"),
    ),
    ("Ground Floor Flat 2, 14 Mill Lane", A(sao="2", sao_text="GROUND FLOOR FLAT", **MILL_14)),
    ("Ground Floor Flat 2 14 Mill Lane", A(sao="2", sao_text="GROUND FLOOR FLAT", **MILL_14)),
    ("Ground Floor Flat A, 14 Mill Lane", A(sao_text="GROUND FLOOR FLAT A", **MILL_14)),
    ("GFF 14 Mill Lane", A(sao_text="GROUND FLOOR FLAT", **MILL_14)),
    ("Grd Flr Flat, 14 Mill Lane", A(sao_text="GROUND FLOOR FLAT", **MILL_14)),
    ("First Floor Flat, 14 Mill Lane", A(sao_text="FIRST FLOOR FLAT", **MILL_14)),
    ("1st Floor Flat 14 Mill Lane", A(sao_text="FIRST FLOOR FLAT", **MILL_14)),
    ("FFF, 14 Mill Lane", A(sao_text="FIRST FLOOR FLAT", **MILL_14)),
    ("Second Floor, 14 Mill Lane", A(sao_text="SECOND FLOOR", **MILL_14)),
    ("2nd Floor 14 Mill Lane", A(sao_text="SECOND FLOOR", **MILL_14)),
    ("Top Floor Flat, 14 Mill Lane", A(sao_text="TOP FLOOR FLAT", **MILL_14)),
    ("Top Flat, 14 Mill Lane", A(sao_text="TOP FLAT", **MILL_14)),
    ("Basement Flat, 14 Mill Lane", A(sao_text="BASEMENT FLAT", **MILL_14)),
    ("Basement, 14 Mill Lane", A(sao_text="BASEMENT", **MILL_14)),
    ("Lower Ground Floor Flat, 14 Mill Lane", A(sao_text="LOWER GROUND FLOOR FLAT", **MILL_14)),
    (
        "First Floor, Victoria House, 2 Station Road",
        A(sao_text="FIRST FLOOR", building="VICTORIA HOUSE", pao="2", street="STATION ROAD"),
    ),
    ("14 First Avenue", A(pao="14", street="FIRST AVENUE")),
    ("14 Upper High Street", A(pao="14", street="UPPER HIGH STREET")),
    # --- named houses ----------------------------------------------------------------------------
    ("Rose Cottage, Mill Lane", A(building="ROSE COTTAGE", street="MILL LANE")),
    ("Rose Cottage, 14 Mill Lane", A(building="ROSE COTTAGE", **MILL_14)),
    ("Rose Cottage 14 Mill Lane", A(building="ROSE COTTAGE", **MILL_14)),
    (
        "Rose Cottage Mill Lane Oldtown",
        A(building="ROSE COTTAGE", street="MILL LANE", town="OLDTOWN"),
    ),
    (
        "Rose Cottage, Mill Lane, Little Bramley, Oldtown",
        A(building="ROSE COTTAGE", street="MILL LANE", locality="LITTLE BRAMLEY", town="OLDTOWN"),
    ),
    (
        "The Old Rectory, Church Lane, Little Bramley, Oldtown",
        A(
            building="THE OLD RECTORY",
            street="CHURCH LANE",
            locality="LITTLE BRAMLEY",
            town="OLDTOWN",
        ),
    ),
    (
        "The Willows, Little Bramley, Oldtown",
        A(building="THE WILLOWS", locality="LITTLE BRAMLEY", town="OLDTOWN"),
    ),
    ("Ivy House Farm, Mill Lane", A(building="IVY HOUSE FARM", street="MILL LANE")),
    ("Keeper's Cottage, Mill Lane", A(building="KEEPERS COTTAGE", street="MILL LANE")),
    ("Meadow View, Church Lane", A(building="MEADOW VIEW", street="CHURCH LANE")),
    (
        "St Anne's, Church Lane, Oldtown",
        A(building="SAINT ANNES", street="CHURCH LANE", town="OLDTOWN"),
    ),
    ("Old Mill House, Mill Lane", A(building="OLD MILL HOUSE", street="MILL LANE")),
    ("The Red Lion, 12 High Street", A(building="THE RED LION", pao="12", street="HIGH STREET")),
    ("Post Office, 12 High Street", A(building="POST OFFICE", pao="12", street="HIGH STREET")),
    # --- real forms (tests/data/real/README.md) --------------------------------------------------
    (
        "64, THE HAWTHORNS, PANT, MERTHYR TYDFIL, CF48 2EJ",
        A(
            pao="64",
            street="THE HAWTHORNS",
            locality="PANT",
            town="MERTHYR TYDFIL",
            postcode="CF48 2EJ",
        ),
    ),
    ("10 Y GRAIG, PANT", A(pao="10", street="Y GRAIG", town="PANT")),
    (
        "KENAUD, FAIR VIEW ESTATE, SWANSEA ROAD, MERTHYR TYDFIL",
        A(
            sao_text="KENAUD",
            building="FAIR VIEW ESTATE",
            street="SWANSEA ROAD",
            town="MERTHYR TYDFIL",
        ),
    ),
    (
        "ROSE COTTAGE, THE WYLDS, WARREN ROAD",
        A(sao_text="ROSE COTTAGE", building="THE WYLDS", street="WARREN ROAD"),
    ),
    (
        "SPRINGFIELD, WAUN BANT, MERTHYR TYDFIL",
        A(building="SPRINGFIELD", street="WAUN BANT", town="MERTHYR TYDFIL"),
    ),
    (
        "CARAVAN IN GROUNDS OF 106 HEOLGERRIG, HEOLGERRIG, MERTHYR TYDFIL",
        A(
            sao_text="CARAVAN IN GROUNDS OF",
            pao="106",
            street="HEOLGERRIG",
            locality="HEOLGERRIG",
            town="MERTHYR TYDFIL",
        ),
    ),
    (
        "FLAT AT ANTELOPE HOTEL, CAEHARRIS, DOWLAIS",
        A(sao_text="FLAT AT", building="ANTELOPE HOTEL", street="CAEHARRIS", town="DOWLAIS"),
    ),
    (
        "ANTELOPE HOTEL, CAEHARRIS, DOWLAIS",
        A(building="ANTELOPE HOTEL", street="CAEHARRIS", town="DOWLAIS"),
    ),
    (
        "Annexe At Greenacres, Buildwas Road, Ironbridge, Telford, Shropshire",
        A(
            sao_text="ANNEXE AT",
            building="GREENACRES",
            street="BUILDWAS ROAD",
            locality="IRONBRIDGE",
            town="TELFORD",
        ),
    ),
    # --- business units and organisations ------------------------------------------------------
    (
        "Unit 3, Riverside Business Park, Mill Lane",
        A(sao="3", sao_text="UNIT", building="RIVERSIDE BUSINESS PARK", street="MILL LANE"),
    ),
    (
        "Acme Ltd, Unit 3, Riverside Business Park, Mill Lane",
        A(
            org="ACME LTD",
            sao="3",
            sao_text="UNIT",
            building="RIVERSIDE BUSINESS PARK",
            street="MILL LANE",
        ),
    ),
    (
        "Acme Ltd, Unit 3, Riverside Business Park, Mill Lane, Oldtown, AB1 2CD",
        A(
            org="ACME LTD",
            sao="3",
            sao_text="UNIT",
            building="RIVERSIDE BUSINESS PARK",
            street="MILL LANE",
            town="OLDTOWN",
            postcode="AB1 2CD",
        ),
    ),
    (
        "Unit 3 Riverside Business Park Mill Lane Oldtown",
        A(
            sao="3",
            sao_text="UNIT",
            building="RIVERSIDE BUSINESS PARK",
            street="MILL LANE",
            town="OLDTOWN",
        ),
    ),
    (
        "ACME LTD UNIT 3 RIVERSIDE BUSINESS PARK MILL LANE",
        A(
            org="ACME LTD",
            sao="3",
            sao_text="UNIT",
            building="RIVERSIDE BUSINESS PARK",
            street="MILL LANE",
        ),
    ),
    (
        "Unit 3-4, Riverside Industrial Estate, Station Road",
        A(
            sao="3-4",
            sao_text="UNIT",
            building="RIVERSIDE INDUSTRIAL ESTATE",
            street="STATION ROAD",
        ),
    ),
    (
        "Unit B, Riverside Ind Est, Station Rd",
        A(sao_text="UNIT B", building="RIVERSIDE INDUSTRIAL ESTATE", street="STATION ROAD"),
    ),
    (
        "Hartley Engineering Ltd, Unit 12, Northgate Industrial Estate, Northgate Way",
        A(
            org="HARTLEY ENGINEERING LTD",
            sao="12",
            sao_text="UNIT",
            building="NORTHGATE INDUSTRIAL ESTATE",
            street="NORTHGATE WAY",
        ),
    ),
    (
        "Marsden Signs, Unit 7, Phoenix Works, Brunel Road",
        A(
            org="MARSDEN SIGNS",
            sao="7",
            sao_text="UNIT",
            building="PHOENIX WORKS",
            street="BRUNEL ROAD",
        ),
    ),
    ("Acme Ltd, 14 Mill Lane", A(org="ACME LTD", **MILL_14)),
    ("Fletcher & Sons, 14 High Street", A(org="FLETCHER AND SONS", pao="14", street="HIGH STREET")),
    (
        "Smith & Jones Solicitors, 12 High St",
        A(org="SMITH AND JONES SOLICITORS", pao="12", street="HIGH STREET"),
    ),
    (
        "Acme Ltd, Victoria House, 2 Station Road",
        A(org="ACME LTD", building="VICTORIA HOUSE", pao="2", street="STATION ROAD"),
    ),
    (
        "Suite 5, Victoria House, 2 Station Road",
        A(sao="5", sao_text="SUITE", building="VICTORIA HOUSE", pao="2", street="STATION ROAD"),
    ),
    ("Shop 2, 14 High Street", A(sao="2", sao_text="SHOP", pao="14", street="HIGH STREET")),
    (
        "Hartley Building Society, 3 Market Place, Oldtown",
        A(org="HARTLEY BUILDING SOCIETY", pao="3", street="MARKET PLACE", town="OLDTOWN"),
    ),
    # --- buildings and streets in one segment, and which piece is the street ----------------
    (
        "15, Chandlers Point Church Street, Muchcaster",
        A(sao="15", building="CHANDLERS POINT", street="CHURCH STREET", town="MUCHCASTER"),
    ),
    (
        "1, Sovereign Gate Church St, Drayby",
        A(sao="1", building="SOVEREIGN GATE", street="CHURCH STREET", town="DRAYBY"),
    ),
    (
        "Jasmine Farm Ridge Rd, Hazelbridge",
        A(building="JASMINE FARM", street="RIDGE ROAD", town="HAZELBRIDGE"),
    ),
    (
        "13 Canalside House, Marlborough Court, Elmhurst",
        A(sao="13", building="CANALSIDE HOUSE", street="MARLBOROUGH COURT", town="ELMHURST"),
    ),
    (
        ["4", "Weavers Mansions", "Bluebell Place", "Chadford"],
        A(sao="4", building="WEAVERS MANSIONS", street="BLUEBELL PLACE", town="CHADFORD"),
    ),
    # COURT then PARK: both could be the street; a number stays with the first.
    (
        "4 Swan Court, Worcester Park, Quenminster",
        A(pao="4", street="SWAN COURT", locality="WORCESTER PARK", town="QUENMINSTER"),
    ),
    (
        "Flat 18, Swan Court, Worcester Park, Quenminster",
        A(
            sao="18",
            sao_text="FLAT",
            building="SWAN COURT",
            street="WORCESTER PARK",
            town="QUENMINSTER",
        ),
    ),
    (
        "Rose Court, Abbey Park, Oldtown",
        A(building="ROSE COURT", street="ABBEY PARK", town="OLDTOWN"),
    ),
    (
        "Lark Rise, Kestrel St, Kings Pinchwick",
        A(building="LARK RISE", street="KESTREL STREET", town="KINGS PINCHWICK"),
    ),
    (
        "Harris's Launderette, 6 High Street, Chadford",
        A(org="HARRISS LAUNDERETTE", pao="6", street="HIGH STREET", town="CHADFORD"),
    ),
    (
        "The Old Bakery, 9 Willow Lane, Dunwood",
        A(building="THE OLD BAKERY", pao="9", street="WILLOW LANE", town="DUNWOOD"),
    ),
    ("Bakery Lane, Oldtown", A(street="BAKERY LANE", town="OLDTOWN")),
    (
        "Station Road Motors, 2 Station Road",
        A(org="STATION ROAD MOTORS", pao="2", street="STATION ROAD"),
    ),
    # --- one slip of the keys in a flat word -----------------------------------------------
    (
        "FKAT 3, Canalside House, Marlborough Court, Elmhurst",
        A(
            sao="3",
            sao_text="FLAT",
            building="CANALSIDE HOUSE",
            street="MARLBOROUGH COURT",
            town="ELMHURST",
        ),
    ),
    (
        "Unitt 17, Hillside Business Park, Brunel Way",
        A(sao="17", sao_text="UNIT", building="HILLSIDE BUSINESS PARK", street="BRUNEL WAY"),
    ),
    ("Fla C 35 School Lane", A(sao_text="FLAT C", pao="35", street="SCHOOL LANE")),
    (
        "APRATMENT 8 RIVERSIDE MANSIONS, SCHOOL LANE",
        A(sao="8", sao_text="APARTMENT", building="RIVERSIDE MANSIONS", street="SCHOOL LANE"),
    ),
    (
        "Third Flooor Flat, 20 Otter Close",
        A(sao_text="THIRD FLOOR FLAT", pao="20", street="OTTER CLOSE"),
    ),
    ("Flak Lane, Oldtown", A(street="FLAK LANE", town="OLDTOWN")),
    # --- postcodes -------------------------------------------------------------------------------
    ("14 Mill Lane, Oldtown AB1 2CD", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14 Mill Lane, Oldtown, ab12cd", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14 Mill Lane, Oldtown, aB1  2cD", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14 Mill Lane, Oldtown, AB1 2CD.", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14 Mill Lane, Oldtown, W1A 1AA", A(**MILL_14, town="OLDTOWN", postcode="W1A 1AA")),
    ("14 Mill Lane, Oldtown, EC1A1BB", A(**MILL_14, town="OLDTOWN", postcode="EC1A 1BB")),
    ("14 Mill Lane, Oldtown, M1 1AE", A(**MILL_14, town="OLDTOWN", postcode="M1 1AE")),
    ("14 Mill Lane, Oldtown, B33 8TH", A(**MILL_14, town="OLDTOWN", postcode="B33 8TH")),
    ("14 Mill Lane, Oldtown, DN55 1PT", A(**MILL_14, town="OLDTOWN", postcode="DN55 1PT")),
    ("14 Mill Lane Oldtown DN551PT", A(**MILL_14, town="OLDTOWN", postcode="DN55 1PT")),
    ("14 Mill Lane, Oldtown, GIR 0AA", A(**MILL_14, town="OLDTOWN", postcode="GIR 0AA")),
    ("14 Mill Lane, Oldtown, AB1 2C", A(**MILL_14, town="OLDTOWN", bad_postcode="AB1 2C")),
    ("14 Mill Lane, Oldtown, AB1 ZCD", A(**MILL_14, town="OLDTOWN", bad_postcode="AB1 ZCD")),
    ("14 Mill Lane, Oldtown, AB1", A(**MILL_14, town="OLDTOWN", bad_postcode="AB1")),
    ("14 MILL LANE OLDTOWN AB1 2C", A(**MILL_14, town="OLDTOWN", bad_postcode="AB1 2C")),
    ("14 Mill Lane, Oldtown, ab1 2c", A(**MILL_14, town="OLDTOWN", bad_postcode="AB1 2C")),
    ("AB1 2CD", A(postcode="AB1 2CD")),
    ("ab12cd", A(postcode="AB1 2CD")),
    (["14 Mill Lane", "Oldtown", "AB1 2CD"], A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    (
        ["14 Mill Lane", "Oldtown", "Westshire", "AB1 2CD", ""],
        A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD"),
    ),
    # --- several lines, separators and countries -----------------------------------------------
    (["Flat 2", "14 Mill Lane", "", "Oldtown"], A(**FLAT_2, **MILL_14, town="OLDTOWN")),
    (["14", "Mill Lane", "Oldtown"], A(**MILL_14, town="OLDTOWN")),
    (("14 Mill Lane", "Oldtown"), A(**MILL_14, town="OLDTOWN")),
    (
        ["Rose Cottage", "Mill Lane", "Little Bramley", "Oldtown"],
        A(building="ROSE COTTAGE", street="MILL LANE", locality="LITTLE BRAMLEY", town="OLDTOWN"),
    ),
    (
        ["Acme Ltd", "Unit 3", "Riverside Business Park", "Mill Lane", "Oldtown"],
        A(
            org="ACME LTD",
            sao="3",
            sao_text="UNIT",
            building="RIVERSIDE BUSINESS PARK",
            street="MILL LANE",
            town="OLDTOWN",
        ),
    ),
    (
        ["Flat 2, 14 Mill Lane", "Oldtown, AB1 2CD"],
        A(**FLAT_2, **MILL_14, town="OLDTOWN", postcode="AB1 2CD"),
    ),
    (["", "  ", ""], A()),
    ([], A()),
    ("14 Mill Lane\nOldtown", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill Lane; Oldtown", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill Lane,,, Oldtown,", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill Lane, Oldtown, United Kingdom", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill Lane, Oldtown, U.K.", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill Lane, Oldtown, AB1 2CD, England", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    # --- punctuation, spacing, case ------------------------------------------------------------
    ("  14   Mill   Lane ,  Oldtown  ", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill-Lane", A(**MILL_14)),
    ("%%% 14 Mill Lane ###", A(**MILL_14)),
    ("\u201c14 Mill Lane\u201d", A(**MILL_14)),
    ("14 Queen\u2019s Road", A(pao="14", street="QUEENS ROAD")),
    ("14 Mill Lane, Stratford-upon-Avon", A(**MILL_14, town="STRATFORD UPON AVON")),
    ("14 Mill Lane, Gt. Yarmouth", A(**MILL_14, town="GREAT YARMOUTH")),
    ("FLAT 2, 14 MILL LANE, OLDTOWN", A(**FLAT_2, **MILL_14, town="OLDTOWN")),
    ("Flat 2 , 14 Mill Lane , Oldtown", A(**FLAT_2, **MILL_14, town="OLDTOWN")),
    # --- empty, bare and junk ------------------------------------------------------------------
    ("", A()),
    ("   ", A()),
    ("\t\n", A()),
    (",", A()),
    (",,,", A()),
    ("!!!", A()),
    ("-", A()),
    ("Flat", A(sao_text="FLAT")),
    ("Flat 2", A(**FLAT_2)),
    ("14", A(pao="14")),
    ("2/14", A(sao="2", pao="14")),
    ("Flat 2, 14", A(**FLAT_2, pao="14")),
    ("12345", A(street="12345")),
    ("Mill Lane", A(street="MILL LANE")),
    ("Oldtown", A(street="OLDTOWN")),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[str(text) for text, _ in CASES])
def test_parse_address(text: str | Sequence[str], expected: AddressParts) -> None:
    assert parse_address(text) == expected


GIVEN_POSTCODE = [
    ("14 Mill Lane, Oldtown", "AB1 2CD", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14 Mill Lane, Oldtown", "ab12cd", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14 Mill Lane, Oldtown", " ", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill Lane, Oldtown", "", A(**MILL_14, town="OLDTOWN")),
    ("14 Mill Lane, Oldtown", "AB1 2C", A(**MILL_14, town="OLDTOWN", bad_postcode="AB1 2C")),
    # The column wins over the text, and the text loses its postcode either way.
    ("14 Mill Lane, Oldtown, AB1 2CD", "AB1 2CE", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CE")),
    ("14 Mill Lane, Oldtown, AB1 2C", "AB1 2CD", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    ("14 Mill Lane, Oldtown, AB1 2CD", "", A(**MILL_14, town="OLDTOWN", postcode="AB1 2CD")),
    (["Flat 2", "14 Mill Lane"], "AB1 2CD", A(**FLAT_2, **MILL_14, postcode="AB1 2CD")),
]


@pytest.mark.parametrize(("text", "postcode", "expected"), GIVEN_POSTCODE)
def test_parse_address_with_a_postcode_column(
    text: str | Sequence[str], postcode: str, expected: AddressParts
) -> None:
    assert parse_address(text, postcode) == expected


# --- properties ----------------------------------------------------------------------------------

_LINES = st.text(alphabet=st.characters(codec="utf-8"), max_size=80) | st.from_regex(
    r"[A-Za-z0-9 ,./'&-]{0,60}", fullmatch=True
)


def _check_invariants(parts: AddressParts) -> None:
    for number in (
        parts.sao_start_number,
        parts.sao_end_number,
        parts.pao_start_number,
        parts.pao_end_number,
    ):
        assert number is None or 0 <= number <= 9999
    for suffix in (
        parts.sao_start_suffix,
        parts.sao_end_suffix,
        parts.pao_start_suffix,
        parts.pao_end_suffix,
    ):
        assert suffix is None or (len(suffix) == 1 and "A" <= suffix <= "Z")
    assert parts.sao_start_number is not None or parts.sao_end_number is None
    assert parts.pao_start_number is not None or parts.pao_end_number is None
    for text in (
        parts.organisation,
        parts.sao_text,
        parts.pao_text,
        parts.street,
        parts.locality,
        parts.town,
    ):
        assert text is None or (text and text == " ".join(text.split()) and text == text.upper())
    assert (parts.postcode is None) == (parts.postcode_valid is None)


@settings(max_examples=500)
@given(_LINES)
def test_any_line_parses_within_the_rules(text: str) -> None:
    _check_invariants(parse_address(text))


@settings(max_examples=300)
@given(st.lists(_LINES, max_size=6), st.none() | _LINES)
def test_any_lines_and_postcode_parse_within_the_rules(
    lines: list[str], postcode: str | None
) -> None:
    _check_invariants(parse_address(lines, postcode))


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=99999), st.sampled_from(["", "A", "b"]))
def test_numbers_outside_bs7666_stay_text(number: int, suffix: str) -> None:
    parts = parse_address(f"{number}{suffix} Mill Lane")
    if number <= 9999:
        assert parts.pao_start_number == number
        assert parts.street == "MILL LANE"
    else:
        assert parts.pao_start_number is None
        assert parts.street == f"{number}{suffix} MILL LANE".upper()


_STREETS = ["MILL LANE", "SAINT MARYS ROAD", "HIGH STREET", "THE GREEN", "OAK AVENUE"]
_TOWNS = ["OLDTOWN", "LITTLE BRAMLEY", "SAINT IVES"]
_BUILDINGS = ["ROSE COURT", "VICTORIA HOUSE", "ROSE COTTAGE"]
_numbers_strategy = st.integers(min_value=1, max_value=9999)
_suffix_strategy = st.sampled_from([None, "A", "B"])


@st.composite
def _addresses(draw: st.DrawFn) -> AddressParts:
    """Structured addresses a council could hold, to render and read back."""
    flat = draw(st.booleans())
    postcode = draw(st.sampled_from(["AB1 2CD", "W1A 1AA", None]))
    return AddressParts(
        sao_text="FLAT" if flat else None,
        sao_start_number=draw(_numbers_strategy) if flat else None,
        pao_text=draw(st.sampled_from([None, *_BUILDINGS])),
        pao_start_number=draw(_numbers_strategy),
        pao_start_suffix=draw(_suffix_strategy),
        street=draw(st.sampled_from(_STREETS)),
        locality=draw(st.sampled_from([None, "EASTGATE"])),
        town=draw(st.sampled_from(_TOWNS)),
        postcode=postcode,
        postcode_valid=True if postcode else None,
    )


@settings(max_examples=300)
@given(_addresses(), st.booleans())
def test_a_rendered_address_reads_back(address: AddressParts, run_on: bool) -> None:
    line = single_line(address)
    parts = parse_address(line.replace(",", "") if run_on and not address.locality else line)
    assert parts == address


@pytest.mark.parametrize(
    "hostile",
    [
        # Separators between the letters of a country, then no country: each of these made a
        # pattern with adjacent optional separators backtrack for hours at a mebibyte.
        "G B" + " " * (1 << 20) + "X",
        "12 HIGH STREET, GB" + "." * (1 << 20) + "!",
        "U" + " " * (1 << 20) + "K" + " " * (1 << 20) + "X",
    ],
)
def test_a_mebibyte_of_hostile_text_is_parsed_in_under_a_second(hostile: str) -> None:
    started = time.perf_counter()
    parse_address(hostile)
    assert time.perf_counter() - started < 1.0


def test_a_country_at_the_end_is_still_dropped() -> None:
    for country in ("UK", "U.K.", "G B R", "GB.", "GREAT BRITAIN", "ENGLAND"):
        parts = parse_address(f"12 HIGH STREET, OLDTOWN, {country}")
        assert (parts.street, parts.town) == ("HIGH STREET", "OLDTOWN"), country
