"""Postcodes, points, boxes, polygons and cursors as users give them (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import shapely

from nsai.query import paging
from nsai.query.errors import BadInput
from nsai.query.geometry import locations, parse_bbox, parse_point, parse_polygon
from nsai.query.models import PolygonGeometry, Srs
from nsai.query.postcodes import parse_postcode
from nsai.query.search import describe, filters


@pytest.mark.parametrize(
    ("raw", "label", "scope", "pattern"),
    [
        ("ab12cd", "AB1 2CD", "unit", "AB1 2CD"),
        (" Ab1   2cD ", "AB1 2CD", "unit", "AB1 2CD"),
        ("EC1A1BB", "EC1A 1BB", "unit", "EC1A 1BB"),
        ("ab1 2", "AB1 2", "sector", "AB1 2__"),
        ("AB123", "AB12 3", "sector", "AB12 3__"),
        ("ab1", "AB1", "district", "AB1 %"),
        ("AB12", "AB12", "district", "AB12 %"),
        ("w1a", "W1A", "district", "W1A %"),
    ],
)
def test_postcodes_sectors_and_districts(raw: str, label: str, scope: str, pattern: str) -> None:
    parsed = parse_postcode(raw)
    assert (parsed.label, parsed.scope, parsed.pattern) == (label, scope, pattern)


@pytest.mark.parametrize("raw", ["", "12", "ABCD", "AB1 2C", "AB1 2CDE", "AB1%", "A_1", "x" * 99])
def test_malformed_postcodes(raw: str) -> None:
    with pytest.raises(BadInput, match="postcode: not a postcode"):
        parse_postcode(raw)


def test_points_in_either_system() -> None:
    assert parse_point("point", "406000.5,236800", Srs.BNG) == (406000.5, 236800.0)
    x, y = parse_point("point", "-1.9145,52.03", Srs.WGS84)
    assert abs(x - 405958) < 20
    assert abs(y - 236847) < 20
    back = locations([x], [y])[0]
    assert abs(back.lon + 1.9145) < 1e-6
    assert abs(back.lat - 52.03) < 1e-6
    with pytest.raises(BadInput, match="outside Great Britain in EPSG:27700"):
        parse_point("point", "800000,100", Srs.BNG)


def test_a_box_in_degrees_follows_its_curved_edges() -> None:
    wkt = parse_bbox("bbox", "-1.92,52.02,-1.90,52.03", Srs.WGS84)
    area = shapely.from_wkt(wkt)
    assert len(shapely.get_coordinates(area)) > 20  # densified, not four corners
    assert 1_000_000 < area.area < 2_000_000


def test_polygons_are_checked() -> None:
    square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
    shifted = [[x + 400000, y + 200000] for x, y in square]
    geometry = PolygonGeometry(type="Polygon", coordinates=[shifted])
    assert shapely.from_wkt(parse_polygon("body", geometry, Srs.BNG)).area == 100
    hole = PolygonGeometry(type="Polygon", coordinates=[shifted, shifted])
    with pytest.raises(BadInput, match="invalid polygon"):
        parse_polygon("body", hole, Srs.BNG)


def test_cursors_round_trip_and_refuse_forgeries() -> None:
    assert paging.after_uprn("cursor", paging.encode(123)) == 123
    assert paging.after_hit("cursor", paging.encode(9, Decimal("0.7500"))) == (Decimal("0.7500"), 9)
    assert paging.after_hit("cursor", None) == (None, None)
    for forged in ("", "=", "a" * 65, paging.encode(1)[:-1] + "!", "MS4yOjM"):
        with pytest.raises(BadInput, match="cursor"):
            paging.after_uprn("cursor", forged)


def test_filters_and_descriptions() -> None:
    assert filters("rd*", 2000, 1, "ox").classification == "RD%"
    for bad in (
        {"classification": "R%"},
        {"custodian": 0},
        {"logical_status": 3},
        {"postcode_area": "O1"},
    ):
        with pytest.raises(BadInput):
            filters(**bad)
    line = "12 CHURCH STREET ASHWELL HO1 0AA"
    assert describe(["12", "CHURCH", "ST", "ASHWEL", "OXFORD"], line) == (
        "12 CHURCH; ST~STREET ASHWEL~ASHWELL; no OXFORD"
    )
    assert describe(["1", "CHURCH"], line) == "CHURCH; no 1"
