"""Spatial queries over a published region: nearest, bbox, radius and polygon, in both systems."""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer

from tests.published import Published

TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


def _points(published: Published) -> dict[int, tuple[float, float]]:
    rows = published.query(
        "SELECT uprn, ST_X(geom), ST_Y(geom) FROM national_address "
        "WHERE status = 'active' AND geom IS NOT NULL"
    )
    return {int(u): (float(x), float(y)) for u, x, y in rows}


def _centre(published: Published) -> tuple[float, float]:
    """A real address point in the middle of the region."""
    points = sorted(_points(published).values())
    return points[len(points) // 2]


def _all_pages(client: TestClient, method: str, path: str, **kwargs: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params = dict(kwargs.pop("params", {}))
    while True:
        response = client.request(method, path, params=params, **kwargs)
        assert response.status_code == 200, response.json()
        page = response.json()
        found += page["data"]
        if page["next_cursor"] is None:
            return found
        params["cursor"] = page["next_cursor"]


def test_nearest_is_nearest_first_within_the_radius(
    client: TestClient, published: Published
) -> None:
    x, y = _centre(published)
    page = client.get("/v1/nearest", params={"point": f"{x},{y}", "radius": 60, "limit": 100})
    found = page.json()["data"]
    within = {u for u, (px, py) in _points(published).items() if math.dist((x, y), (px, py)) <= 60}
    assert {a["uprn"] for a in found} == within
    assert found
    distances = [a["distance_m"] for a in found]
    assert distances == sorted(distances)
    assert distances[0] == 0
    for address in found:
        here = (address["location"]["x"], address["location"]["y"])
        assert address["distance_m"] == pytest.approx(math.dist((x, y), here), abs=0.02)
    assert (
        len(client.get("/v1/nearest", params={"point": f"{x},{y}", "limit": 3}).json()["data"]) == 3
    )


def test_nearest_takes_lon_lat_with_srs_4326(client: TestClient, published: Published) -> None:
    x, y = _centre(published)
    lon, lat = TO_WGS84.transform(x, y)
    found = client.get(
        "/v1/nearest", params={"point": f"{lon},{lat}", "srs": 4326, "limit": 1}
    ).json()["data"]
    assert found[0]["distance_m"] < 0.01
    assert found[0]["location"]["lon"] == pytest.approx(lon, abs=1e-6)
    geo = client.get(
        "/v1/nearest",
        params={"point": f"{lon},{lat}", "srs": 4326, "limit": 2},
        headers={"Accept": "application/geo+json"},
    ).json()
    assert geo["type"] == "FeatureCollection"
    assert geo["features"][0]["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)


def test_a_bbox_in_the_grid_holds_exactly_the_points_inside_it(
    client: TestClient, published: Published
) -> None:
    x, y = _centre(published)
    box = (x - 150, y - 100, x + 150, y + 100)
    found = _all_pages(
        client, "GET", "/v1/addresses", params={"bbox": ",".join(map(str, box)), "limit": 9}
    )
    inside = {
        u
        for u, (px, py) in _points(published).items()
        if box[0] <= px <= box[2] and box[1] <= py <= box[3]
    }
    assert len(inside) > 9  # more than one page
    assert [a["uprn"] for a in found] == sorted(inside)


def test_a_bbox_in_degrees_holds_exactly_the_points_inside_it(
    client: TestClient, published: Published
) -> None:
    x, y = _centre(published)
    lon, lat = TO_WGS84.transform(x, y)
    box = (lon - 0.002, lat - 0.001, lon + 0.002, lat + 0.001)
    found = _all_pages(
        client,
        "GET",
        "/v1/addresses",
        params={"bbox": ",".join(map(str, box)), "srs": 4326, "limit": 1000},
    )
    inside = set()
    for uprn, (px, py) in _points(published).items():
        plon, plat = TO_WGS84.transform(px, py)
        if box[0] <= plon <= box[2] and box[1] <= plat <= box[3]:
            inside.add(uprn)
    assert inside
    assert {a["uprn"] for a in found} == inside
    for address in found:
        assert box[0] <= address["location"]["lon"] <= box[2]
        assert box[1] <= address["location"]["lat"] <= box[3]


def test_a_point_and_radius_listing_pages_through_the_circle(
    client: TestClient, published: Published
) -> None:
    x, y = _centre(published)
    found = _all_pages(
        client, "GET", "/v1/addresses", params={"point": f"{x},{y}", "radius": 80, "limit": 5}
    )
    within = {u for u, p in _points(published).items() if math.dist((x, y), p) <= 80}
    assert len(within) > 5
    assert [a["uprn"] for a in found] == sorted(within)
    geo = client.get(
        "/v1/addresses", params={"point": f"{x},{y}", "radius": 80, "format": "geojson"}
    ).json()
    assert len(geo["features"]) == len(within)
    assert geo["next_cursor"] is None


def test_a_polygon_and_a_multipolygon(client: TestClient, published: Published) -> None:
    x, y = _centre(published)
    # A triangle; a point is inside when it is on the inner side of all three edges.
    triangle = [(x - 200, y - 150), (x + 200, y - 150), (x, y + 150)]

    def inside(p: tuple[float, float]) -> bool:
        signs = []
        for (ax, ay), (bx, by) in zip(triangle, triangle[1:] + triangle[:1], strict=True):
            signs.append((bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax))
        return all(s >= 0 for s in signs) or all(s <= 0 for s in signs)

    ring = [list(p) for p in [*triangle, triangle[0]]]
    found = _all_pages(
        client,
        "POST",
        "/v1/addresses/within",
        json={"type": "Polygon", "coordinates": [ring]},
        params={"limit": 10},
    )
    expected = sorted(u for u, p in _points(published).items() if inside(p))
    assert len(expected) > 10
    assert [a["uprn"] for a in found] == expected
    # The same triangle in degrees, and twice over as two parts of a MultiPolygon.
    degrees = [list(TO_WGS84.transform(px, py)) for px, py in ring]
    far = [[lon + 0.05, lat] for lon, lat in degrees]
    multi = client.post(
        "/v1/addresses/within",
        params={"srs": 4326, "limit": 1000, "format": "geojson"},
        json={"type": "MultiPolygon", "coordinates": [[degrees], [far]]},
    )
    assert multi.headers["content-type"] == "application/geo+json"
    assert {f["id"] for f in multi.json()["features"]} >= set(expected[1:-1])


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"point": "1,2,3"}, "point", "give x,y"),
        ({"point": "abc"}, "point", "give x,y"),
        ({"point": "nan,5"}, "point", "finite"),
        ({"point": "1e400,5"}, "point", "finite"),
        (
            {"point": "-2,52"},
            "point",
            "outside Great Britain in EPSG:27700 (for lon,lat give srs=4326)",
        ),
        ({"point": "200,100", "srs": 4326}, "point", "longitude must be within"),
        ({"point": "2.35,48.85", "srs": 4326}, "point", "outside Great Britain"),
        ({"point": "400000,200000", "radius": 2001}, "radius", "less than or equal to 2000"),
        ({"point": "400000,200000", "radius": 0}, "radius", "greater than 0"),
        ({"point": "400000,200000", "radius": "inf"}, "radius", "finite"),
        ({"point": "400000,200000", "limit": 101}, "limit", "less than or equal to 100"),
    ],
)
def test_bad_nearest_parameters(
    client: TestClient, params: dict[str, Any], field: str, message: str
) -> None:
    response = client.get("/v1/nearest", params=params)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == field
    assert message in error["message"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "bbox", "give bbox, or point and radius"),
        ({"bbox": "1,2,3"}, "bbox", "minx,miny,maxx,maxy"),
        ({"bbox": "400100,200000,400000,200100"}, "bbox", "minx must be below maxx"),
        ({"bbox": "400000,200000,404000,204000"}, "bbox", "covers 16.0 km²; at most 10 km²"),
        ({"bbox": "-1.9,52,-1.8,52.1", "srs": 4326}, "bbox", "at most 10 km²"),
        ({"bbox": "-1,-1,-0.5,-0.5"}, "bbox", "outside Great Britain"),
        ({"bbox": "400000,200000,400100,200100", "point": "400000,200000"}, "bbox", "not both"),
        ({"point": "400000,200000"}, "radius", "give the radius"),
        ({"point": "400000,200000", "radius": 5000}, "radius", "less than or equal to 2000"),
        ({"bbox": "400000,200000,400100,200100", "limit": 1001}, "limit", "1000"),
        ({"bbox": "400000,200000,400100,200100", "cursor": "!!"}, "cursor", "not a cursor"),
        (
            {"bbox": "400000,200000,400100,200100", "cursor": "MC42ODM2Ojg1MzUwMDAwMzI0Ng"},
            "cursor",
            "belongs to a search",
        ),
    ],
)
def test_bad_listing_parameters(
    client: TestClient, params: dict[str, Any], field: str, message: str
) -> None:
    response = client.get("/v1/addresses", params=params)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == field, error
    assert message in error["message"], error


def _square(x: float, y: float, side: float) -> list[list[float]]:
    return [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]


@pytest.mark.parametrize(
    ("body", "params", "field", "message"),
    [
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [400000, 200000],
                        [400100, 200100],
                        [400100, 200000],
                        [400000, 200100],
                        [400000, 200000],
                    ]
                ],
            },
            {},
            "body",
            "invalid polygon: Self-intersection",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[*_square(400000, 200000, 100)[:-1], [400001, 200000]]],
            },
            {},
            "body",
            "not closed",
        ),
        (
            {"type": "Polygon", "coordinates": [_square(400000, 200000, 100)[:3]]},
            {},
            "body.Polygon.coordinates.0",
            "at least 4 items",
        ),
        (
            {"type": "Polygon", "coordinates": [_square(400000, 200000, 5000)]},
            {},
            "body",
            "at most 10 km²",
        ),
        (
            {
                "type": "MultiPolygon",
                "coordinates": [[_square(400000, 200000, 100)], [_square(400050, 200050, 100)]],
            },
            {},
            "body",
            "invalid polygon",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[400000 + i % 2, 200000 + i] for i in range(10_000)] + [[400000, 200000]]
                ],
            },
            {},
            "body",
            "10,001 vertices; at most 10,000",
        ),
        (
            {"type": "Polygon", "coordinates": [_square(-1.9, 52, 0.001)]},
            {},
            "body",
            "outside Great Britain in EPSG:27700 (for lon,lat give srs=4326)",
        ),
        (
            {"type": "Polygon", "coordinates": [_square(400000, 200000, 100)]},
            {"srs": 4326},
            "body",
            "longitude must be within",
        ),
        ({"type": "Point", "coordinates": [400000, 200000]}, {}, "body", "Polygon"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1e308, 0], [1e308, 1e308], [0, 0]]]},
            {},
            "body",
            "no finite area",
        ),
        (
            {"type": "Polygon", "coordinates": [_square(-180, -80, 170)]},
            {"srs": 4326},
            "body",
            "reaches too far from Great Britain",
        ),
        ({"type": "Polygon", "coordinates": [[["a", 1]] * 4]}, {}, "body.Polygon", "number"),
        ({"type": "Polygon"}, {}, "body.Polygon.coordinates", "Field required"),
    ],
)
def test_bad_polygons_are_422(
    client: TestClient, body: dict[str, Any], params: dict[str, Any], field: str, message: str
) -> None:
    response = client.post("/v1/addresses/within", json=body, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert error["field"].startswith(field), error
    assert message in error["message"], error


def test_a_polygon_body_that_is_not_json(client: TestClient) -> None:
    for content in (b"\xff\xfe\x00{", b'{"type": ', b"", b"[]", b"null"):
        response = client.post(
            "/v1/addresses/within", content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, content
        assert response.json()["errors"][0]["field"].startswith("body")
