"""GET /v1/addresses/{uprn} and GET /v1/postcodes/{postcode}/addresses over a published region."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.published import Published

PROBLEM = "application/problem+json"


def _england(location: dict[str, float]) -> None:
    assert -6.5 < location["lon"] < 2.0
    assert 49.8 < location["lat"] < 56.0


def test_a_uprn_gives_its_national_record(client: TestClient, published: Published) -> None:
    uprn, line, postcode, code, name, sources, x, y = published.query(
        "SELECT n.uprn, n.single_line, n.postcode, n.custodian_code, c.name, "
        "(SELECT count(*) FROM address_link l WHERE l.uprn = n.uprn), ST_X(n.geom), ST_Y(n.geom) "
        "FROM national_address n JOIN custodian c USING (custodian_code) "
        "WHERE n.status = 'active' AND n.pao_start_number IS NOT NULL AND n.geom IS NOT NULL "
        "ORDER BY n.uprn LIMIT 1"
    )[0]
    response = client.get(f"/v1/addresses/{uprn}")
    assert response.status_code == 200
    record = response.json()
    assert record["uprn"] == uprn
    assert record["status"] == "active"
    assert record["single_line"] == line
    assert record["postcode"] == postcode
    assert record["custodian"] == {"code": code, "name": name}
    assert record["source_count"] == sources
    assert str(record["pao"]["start_number"]) in line
    assert record["location"]["x"] == pytest.approx(x, abs=0.01)
    assert record["location"]["y"] == pytest.approx(y, abs=0.01)
    _england(record["location"])
    assert re.match(r"\d{4}-\d\d-\d\dT", record["last_changed"])
    assert record["classification"]
    assert record["logical_status"] == 1


def test_a_merged_away_uprn_and_an_alias_redirect_to_the_successor(
    client: TestClient, published: Published
) -> None:
    merged, successor = published.query(
        "SELECT uprn, successor_uprn FROM national_address WHERE status = 'merged' LIMIT 1"
    )[0]
    response = client.get(f"/v1/addresses/{merged}?srs=4326&format=geojson")
    assert response.status_code == 301
    assert response.headers["location"] == f"/v1/addresses/{successor}?srs=4326&format=geojson"
    assert response.json() == {"uprn": merged, "resolves_to": successor}
    assert client.get(response.headers["location"]).json()["id"] == successor

    alias, national = published.query("SELECT uprn, national_uprn FROM uprn_alias LIMIT 1")[0]
    response = client.get(f"/v1/addresses/{alias}")
    assert response.status_code == 301
    assert response.headers["location"] == f"/v1/addresses/{national}"


@pytest.mark.parametrize(
    ("uprn", "status", "detail"),
    [
        ("5", 404, "UPRN 5 is not in the gazetteer"),
        ("0", 422, "uprn: Input should be greater than or equal to 1"),
        ("1000000000000", 422, "uprn: Input should be less than or equal to 999999999999"),
        ("-3", 422, "uprn: Input should be greater than or equal to 1"),
        ("12a", 422, "uprn: Input should be a valid integer"),
    ],
)
def test_an_unknown_or_impossible_uprn_is_a_problem(
    client: TestClient, uprn: str, status: int, detail: str
) -> None:
    response = client.get(f"/v1/addresses/{uprn}")
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == status
    assert response.json()["detail"].startswith(detail)
    if status == 422:
        assert response.json()["errors"][0]["field"] == "uprn"


def test_a_record_as_geojson(client: TestClient, published: Published) -> None:
    uprn = published.scalar(
        "SELECT min(uprn) FROM national_address WHERE status = 'active' AND geom IS NOT NULL"
    )
    grid = client.get(f"/v1/addresses/{uprn}", headers={"Accept": "application/geo+json"})
    assert grid.headers["content-type"] == "application/geo+json"
    feature = grid.json()
    assert feature["type"] == "Feature"
    assert feature["id"] == uprn
    assert feature["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::27700"
    x, y = feature["geometry"]["coordinates"]
    assert 0 < x < 700_000
    assert 0 < y < 1_300_000
    assert feature["properties"]["uprn"] == uprn
    assert "location" not in feature["properties"]
    wgs84 = client.get(f"/v1/addresses/{uprn}?format=geojson&srs=4326").json()
    assert "crs" not in wgs84
    lon, lat = wgs84["geometry"]["coordinates"]
    _england({"lon": lon, "lat": lat})
    # format=json wins over the Accept header.
    plain = client.get(
        f"/v1/addresses/{uprn}?format=json", headers={"Accept": "application/geo+json"}
    )
    assert plain.headers["content-type"] == "application/json"


def _natural(text: str | None) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text or ""))


def _expected_order(published: Published, pattern: str) -> list[int]:
    """The natural order computed here: street, house number, suffix, range, name, flat."""
    rows = published.query(
        "SELECT uprn, street, town, pao_start_number, pao_start_suffix, pao_end_number, pao_text, "
        "sao_start_number, sao_start_suffix, sao_text FROM national_address "
        "WHERE status = 'active' AND postcode LIKE %s",
        pattern,
    )

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        uprn, street, town, pao, pao_suffix, pao_end, pao_text, sao, sao_suffix, sao_text = row
        return (
            _natural(street),
            _natural(town),
            (pao is None, pao or 0),
            (pao_suffix is not None, pao_suffix or ""),
            (pao_end is not None, pao_end or 0),
            (pao_text is not None, _natural(pao_text)),
            (sao is not None, sao or 0),
            (sao_suffix is not None, sao_suffix or ""),
            (sao_text is not None, _natural(sao_text)),
            uprn,
        )

    return [row[0] for row in sorted(rows, key=key)]


def test_a_postcode_in_any_spacing_and_case_in_natural_order(
    client: TestClient, published: Published
) -> None:
    # The postcode with the most addresses, flats among them if there are any.
    postcode = published.scalar(
        "SELECT postcode FROM national_address WHERE status = 'active' AND postcode IS NOT NULL "
        "GROUP BY postcode ORDER BY count(sao_start_number) DESC, count(*) DESC LIMIT 1"
    )
    expected = _expected_order(published, postcode)
    for written in (
        postcode,
        postcode.lower().replace(" ", ""),
        "  " + postcode.replace(" ", "   "),
    ):
        page = client.get(f"/v1/postcodes/{written}/addresses").json()
        assert page["postcode"] == postcode
        assert page["scope"] == "unit"
        assert page["total"] == len(expected)
        assert [a["uprn"] for a in page["data"]] == expected
        assert {a["postcode"] for a in page["data"]} == {postcode}


def test_a_sector_and_a_district_page_through_every_address_once(
    client: TestClient, published: Published
) -> None:
    postcode = published.scalar(
        "SELECT postcode FROM national_address WHERE status = 'active' AND postcode IS NOT NULL "
        "ORDER BY uprn LIMIT 1"
    )
    district, inward = postcode.split(" ")
    sector = f"{district} {inward[0]}"
    for written, scope, pattern in (
        (sector.lower(), "sector", sector + "__"),
        (district, "district", district + " %"),
    ):
        expected = _expected_order(published, pattern)
        seen: list[int] = []
        offset = 0
        while True:
            response = client.get(
                f"/v1/postcodes/{written}/addresses", params={"limit": 7, "offset": offset}
            )
            assert response.status_code == 200, response.json()
            page = response.json()
            assert page["scope"] == scope
            assert page["total"] == len(expected)
            if not page["data"]:
                break
            seen += [a["uprn"] for a in page["data"]]
            offset += 7
        assert seen == expected


def test_postcode_errors(client: TestClient) -> None:
    empty = client.get("/v1/postcodes/ZZ9 9ZZ/addresses")
    assert empty.status_code == 404
    assert empty.json()["detail"] == "no addresses in unit ZZ9 9ZZ"
    for bad in ("12345", "AB1 2CDE", "HELLO", "AB1 ZZ", "x" * 40):
        response = client.get(f"/v1/postcodes/{bad}/addresses")
        assert response.status_code == 422, bad
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"][0]["field"] == "postcode"
    assert client.get("/v1/postcodes/HO1/addresses?limit=0").json()["errors"][0]["field"] == (
        "limit"
    )
    assert client.get("/v1/postcodes/HO1/addresses?limit=1001").status_code == 422
    assert client.get("/v1/postcodes/HO1/addresses?offset=-1").status_code == 422


def test_a_postcode_as_geojson(client: TestClient, published: Published) -> None:
    postcode = published.scalar(
        "SELECT postcode FROM national_address WHERE status = 'active' AND postcode IS NOT NULL "
        "ORDER BY uprn LIMIT 1"
    )
    response = client.get(f"/v1/postcodes/{postcode}/addresses?format=geojson&srs=4326")
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert collection["total"] == len(collection["features"]) > 0
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["properties"]["postcode"] == postcode
        if feature["geometry"] is not None:
            lon, lat = feature["geometry"]["coordinates"]
            _england({"lon": lon, "lat": lat})
