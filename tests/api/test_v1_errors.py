"""Every error is problem JSON; hostile input to every parameter is a 200, 404 or 422, never a
500; the OpenAPI document states the limits."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
HOSTILE = [
    "'",
    '"',
    "%",
    "_",
    "%_%",
    "\\",
    "'; DROP TABLE national_address; --",
    "1 OR 1=1",
    "1' OR '1'='1",
    "%(q)s",
    "$1",
    "\x00",
    "12\x00CHURCH",
    "\x01\x08\x1b[31m\x7f",
    "\r\n\t",
    "\u202e\u200b\ufeff",
    "💥 Ŵ ß",
    "-1",
    "1e999",
    "NaN",
    "99999999999999999999999999",
    "1,2,3,4,5,6,7,8",
    # As long as a URL may be (httpx refuses 64 KiB; uvicorn much less); bodies get 100k below.
    "x" * 60_000,
]
# Each endpoint with valid values for what it needs, and the parameters hostile values go into.
QUERIES: list[tuple[str, dict[str, str], list[str]]] = [
    ("/v1/addresses/200000000001", {}, ["srs", "format"]),
    ("/v1/postcodes/HO1/addresses", {}, ["limit", "offset", "srs", "format"]),
    (
        "/v1/search",
        {"q": "church"},
        [
            "q",
            "classification",
            "custodian",
            "logical_status",
            "postcode_area",
            "limit",
            "cursor",
            "srs",
            "format",
        ],
    ),
    ("/v1/autocomplete", {"q": "church"}, ["q", "limit"]),
    ("/v1/nearest", {"point": "406000,236800"}, ["point", "radius", "limit", "srs", "format"]),
    (
        "/v1/addresses",
        {"bbox": "405900,236700,406100,236900"},
        ["bbox", "limit", "cursor", "srs", "format"],
    ),
    ("/v1/addresses", {"point": "406000,236800", "radius": "50"}, ["point", "radius"]),
    ("/v1/changes", {}, ["since", "limit"]),
]
PATHS = [
    "/v1/addresses/{}",
    "/v1/postcodes/{}/addresses",
    "/v1/custodians/{}",
]
SQUARE = [[405900, 236700], [406100, 236700], [406100, 236900], [405900, 236900], [405900, 236700]]


def _never_a_server_error(response: Any) -> None:
    assert response.status_code in (200, 404, 422), (response.status_code, response.text[:300])
    if response.status_code != 200:
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["status"] == response.status_code
        assert body["detail"]
        assert len(response.text) < 5_000  # the hostile input is not echoed back


@pytest.mark.parametrize(("path", "valid", "names"), QUERIES)
def test_hostile_query_parameters(
    client: TestClient, path: str, valid: dict[str, str], names: list[str]
) -> None:
    for name in names:
        for value in HOSTILE:
            _never_a_server_error(client.get(path, params=valid | {name: value}))


@pytest.mark.parametrize("template", PATHS)
def test_hostile_path_parameters(client: TestClient, template: str) -> None:
    encoded = [quote(value, safe="") for value in [*HOSTILE, "a/b", ".."]]
    # Already percent-encoded: bytes that are not UTF-8, an overlong "/", NUL.
    for raw in [*encoded, "%FF%FE", "%C0%AF", "%00", "a/b"]:
        _never_a_server_error(client.get(template.format(raw)))


def test_non_utf8_query_strings(client: TestClient) -> None:
    for path, valid, names in QUERIES:
        for name in names:
            query = "&".join(f"{k}={v}" for k, v in valid.items() if k != name)
            _never_a_server_error(client.get(f"{path}?{query}&{name}=%FF%FE%C3%28"))


def test_hostile_polygon_bodies_and_parameters(client: TestClient) -> None:
    polygon = {"type": "Polygon", "coordinates": [SQUARE]}
    for name in ("limit", "cursor", "srs", "format"):
        for value in HOSTILE:
            _never_a_server_error(
                client.post("/v1/addresses/within", params={name: value}, json=polygon)
            )
    for value in HOSTILE:
        for body in (
            {"type": value, "coordinates": [SQUARE]},
            {"type": "Polygon", "coordinates": value},
            {"type": "Polygon", "coordinates": [[[value, 1]] * 4]},
            [value],
            value,
        ):
            _never_a_server_error(client.post("/v1/addresses/within", json=body))
    huge = {"type": "Polygon", "coordinates": [SQUARE], "name": "x" * 100_000}
    _never_a_server_error(client.post("/v1/addresses/within", json=huge))
    _never_a_server_error(client.post("/v1/addresses/within", json={"type": "x" * 100_000}))
    many = client.post(
        "/v1/addresses/within", json={"type": "Polygon", "coordinates": [[["x", "y"]] * 5_000]}
    )
    _never_a_server_error(many)
    assert len(many.json()["errors"]) == 20
    assert many.json()["detail"].endswith("(and 9980 more)")
    deep = "[" * 10_000 + "]" * 10_000
    for content in (b"\xff\xfe\xfd", b"\x00", b"{" * 50, deep.encode(), b'{"type": "Polygon"' * 10):
        _never_a_server_error(
            client.post(
                "/v1/addresses/within",
                content=content,
                headers={"Content-Type": "application/json"},
            )
        )


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    assert missing.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no such route; see /docs",
    }
    wrong = client.delete("/v1/custodians")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == PROBLEM
    assert wrong.headers["allow"] == "GET"


def test_the_openapi_document_states_the_limits(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/v1/addresses/{uprn}",
        "/v1/postcodes/{postcode}/addresses",
        "/v1/search",
        "/v1/autocomplete",
        "/v1/nearest",
        "/v1/addresses",
        "/v1/addresses/within",
        "/v1/changes",
        "/v1/custodians",
        "/v1/custodians/{code}",
    ):
        assert path in paths, path

    def parameter(path: str, method: str, name: str) -> dict[str, Any]:
        found = [p for p in paths[path][method]["parameters"] if p["name"] == name]
        return found[0]

    def maximum(param: dict[str, Any]) -> Any:
        schema = param["schema"]
        options = schema.get("anyOf", [schema])
        return next(o["maximum"] for o in options if "maximum" in o)

    assert maximum(parameter("/v1/nearest", "get", "radius")) == 2000
    assert maximum(parameter("/v1/addresses", "get", "radius")) == 2000
    assert maximum(parameter("/v1/addresses", "get", "limit")) == 1000
    assert maximum(parameter("/v1/search", "get", "limit")) == 100
    assert maximum(parameter("/v1/addresses/{uprn}", "get", "uprn")) == 999999999999
    assert "10 km²" in parameter("/v1/addresses", "get", "bbox")["description"]
    body = paths["/v1/addresses/within"]["post"]["requestBody"]["content"]["application/json"]
    assert "10,000 vertices" in body["schema"]["description"]
    problem = paths["/v1/search"]["get"]["responses"]["422"]["content"]
    assert "application/problem+json" in problem
