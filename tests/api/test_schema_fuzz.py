"""Schemathesis against the API's own OpenAPI document: every operation, with requests that fit
the document and requests that do not, sent in process (ASGI) to the app over a published
gazetteer (tests/published.py). No answer may be a 5xx, and every answer must be one the
document declares: its status code, content type, headers and body.

The document depends on no setting and no data, so it is read at collection from an app made
for nothing else (no database, no lifespan: `schemathesis.openapi.from_asgi` would start it, and
it connects), and the requests go through schemathesis's ASGI transport (`app=`) to the app
built like tests/api/conftest.py's; `test_the_document_fuzzed_is_the_one_served` checks that the
two serve the same document. (`schemathesis.pytest.from_fixture`, which would load it from a
fixture instead, fails on pytest 9.2 as of schemathesis 4.32: it reads `Node._nodeid`.)

Bounded and repeatable: a fixed seed, derandomized generation, no example database, at most
MAX_EXAMPLES generated requests per operation on top of schemathesis's coverage cases.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import Phase, settings
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance
from sqlalchemy import create_engine

from api.app import create_app
from nsai import api_keys
from nsai.config import Settings
from nsai.db.engine import to_sqlalchemy_url
from tests.published import Published

MAX_EXAMPLES = 50
SEED = 7_250_001

# Reads are open to anyone (as in tests/api/conftest.py) and nothing is rate limited: a 429
# would be an answer about the test's pace, not about the request.
OPEN = {"anonymous_reads": True, "rate_limit_anonymous": 0, "rate_limit_per_key": 0}

DOCUMENT: dict[str, Any] = create_app(Settings(**OPEN)).openapi()
schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT))
schema.config.seed = SEED
schema.config.generation.update(deterministic=True, database="none")
# Stateful testing follows links between operations; this document declares none.
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])

# Checks left out, and why (each is a property of this app's configuration or of what JSON
# Schema can say, not a failure put up with):
EXCLUDED: list[CheckFunction] = [
    # Reads are open to anonymous users here, by configuration; the document lists the API key
    # schemes as the routes' security all the same (it does not change with the deployment), so
    # this check's premise, "declared security is enforced", is false by design in this app.
    # Keys themselves are tested in tests/api/test_access.py.
    ignored_auth,
]
# Operations with limits JSON Schema cannot express, where a request that fits the document
# may rightly be refused with a 422 naming the parameter, so "schema-valid data is accepted"
# cannot hold: those taking a `cursor` (it must be one the API issued: the document gives its
# shape, not its content), and these. Everywhere else that check runs too.
SEMANTIC_LIMITS = {
    # the postcode grammar: a unit, sector or district
    "GET /v1/postcodes/{postcode}/addresses",
    # a point inside Great Britain
    "GET /v1/nearest",
    # bbox, or point and radius; the point in Great Britain; the box at most 10 km²
    "GET /v1/addresses",
    # a valid polygon (closed rings, no self-intersection) of at most 10 km²
    "POST /v1/addresses/within",
}


def _semantic_limits(operation: schemathesis.APIOperation) -> bool:
    return operation.label in SEMANTIC_LIMITS or any(p.name == "cursor" for p in operation.query)


# Routes needing a scope beyond `read` that only read: the requests carry a key that has it, so
# that they reach the route (schemathesis's own, generated keys are refused with 401 and tell
# nothing more). Routes that write (steward, jobs) get no such key: the published gazetteer is
# shared, read-only, by every test of the session; here they are fuzzed up to their access check.
SCOPED = {"POST /v1/match": ("match",)}


@pytest.fixture(scope="module")
def app(published: Published, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(
        Settings(
            database_url=published.url,
            home=tmp_path_factory.mktemp("fuzz") / ".nsai",
            **OPEN,
        )
    )


@pytest.fixture(scope="module")
def scoped_keys(published: Published) -> dict[str, str]:
    """For each route of SCOPED, an API key with its scopes."""
    engine = create_engine(to_sqlalchemy_url(published.url))
    try:
        return {
            label: api_keys.create(engine, f"fuzz-{secrets.token_hex(3)}", scopes).key
            for label, scopes in SCOPED.items()
        }
    finally:
        engine.dispose()


def _known_requests(published: Published) -> list[tuple[str, int, dict[str, Any]]]:
    """Requests that find something (generated ones seldom do: a UPRN, postcode or point of the
    region is a needle in a haystack), each with the status it must get, so that the bodies of
    every success, JSON and GeoJSON, are checked against the document too."""
    uprn, line, postcode, street, code, x, y = published.query(
        "SELECT uprn, single_line, postcode, street, custodian_code, ST_X(geom), ST_Y(geom) "
        "FROM national_address WHERE status = 'active' AND postcode IS NOT NULL "
        "AND street IS NOT NULL AND custodian_code IS NOT NULL AND geom IS NOT NULL "
        "ORDER BY uprn LIMIT 1"
    )[0]
    merged = published.scalar("SELECT min(uprn) FROM national_address WHERE status = 'merged'")
    lon, lat = published.query(
        "SELECT ST_X(p), ST_Y(p) "
        "FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 27700), 4326) p",
        x,
        y,
    )[0]
    box = [[x - 150, y - 150], [x + 150, y - 150], [x + 150, y + 150], [x - 150, y + 150]]
    square = {"type": "Polygon", "coordinates": [[*box, box[0]]]}
    geojson = {"format": "geojson"}
    return [
        ("GET /v1/addresses/{uprn}", 200, {"path_parameters": {"uprn": uprn}}),
        ("GET /v1/addresses/{uprn}", 200, {"path_parameters": {"uprn": uprn}, "query": geojson}),
        ("GET /v1/addresses/{uprn}", 301, {"path_parameters": {"uprn": merged}}),
        (
            "GET /v1/postcodes/{postcode}/addresses",
            200,
            {"path_parameters": {"postcode": postcode}},
        ),
        (
            "GET /v1/postcodes/{postcode}/addresses",
            200,
            {"path_parameters": {"postcode": postcode.split()[0]}, "query": {"limit": 2} | geojson},
        ),
        ("GET /v1/search", 200, {"query": {"q": street, "limit": 2}}),
        ("GET /v1/search", 200, {"query": {"q": line, "srs": 4326} | geojson}),
        ("GET /v1/autocomplete", 200, {"query": {"q": street[:4]}}),
        ("GET /v1/nearest", 200, {"query": {"point": f"{x},{y}", "limit": 3}}),
        ("GET /v1/nearest", 200, {"query": {"point": f"{lon},{lat}", "srs": 4326} | geojson}),
        ("GET /v1/addresses", 200, {"query": {"bbox": f"{x - 150},{y - 150},{x + 150},{y + 150}"}}),
        ("GET /v1/addresses", 200, {"query": {"point": f"{x},{y}", "radius": 150} | geojson}),
        ("POST /v1/addresses/within", 200, {"body": square, "query": {"limit": 2}}),
        ("GET /v1/changes", 200, {"query": {"limit": 5}}),
        ("GET /v1/custodians/{code}", 200, {"path_parameters": {"code": code}}),
        (
            "POST /v1/match",
            200,
            {"body": {"records": [{"id": "a", "address": line}, {"id": "b", "address": "x"}]}},
        ),
    ]


def test_what_is_found_conforms_too(
    app: FastAPI, published: Published, scoped_keys: dict[str, str]
) -> None:
    requests = _known_requests(published)
    while requests:
        label, status, request = requests.pop(0)
        operation = schema.find_operation_by_label(label)
        assert operation is not None, label
        headers = {"X-API-Key": scoped_keys[label]} if label in scoped_keys else None
        response = operation.Case(**request).call_and_validate(
            app=app, headers=headers, excluded_checks=EXCLUDED
        )
        assert response.status_code == status, (label, request, response.text[:300])
        if status != 200 or "format" in request.get("query", {}):
            continue
        body = response.json()
        assert body.get("data", body.get("results", [None])), (label, request)
        # The next page, with the cursor the API gave.
        if body.get("next_cursor") and "cursor" not in request.get("query", {}):
            query = request["query"] | {"cursor": body["next_cursor"]}
            requests.append((label, 200, request | {"query": query}))
        if body.get("has_more") and "since" not in request.get("query", {}):
            requests.append(
                (label, 200, request | {"query": request["query"] | {"since": body["next"]}})
            )


def test_the_document_fuzzed_is_the_one_served(app: FastAPI) -> None:
    with TestClient(app) as client:
        assert client.get("/openapi.json").json() == DOCUMENT


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    # Each request is a database round trip: its time on a shared 2-core runner says nothing.
    deadline=None,
    # No shrinking: a failure is reported with the request as a curl command, and shrinking it
    # could take minutes of round trips.
    phases=[Phase.explicit, Phase.generate],
)
def test_api(case: schemathesis.Case, app: FastAPI, scoped_keys: dict[str, str]) -> None:
    label = case.operation.label
    semantic = _semantic_limits(case.operation)
    excluded = EXCLUDED + ([positive_data_acceptance] if semantic else [])
    headers = {"X-API-Key": scoped_keys[label]} if label in scoped_keys else None
    case.call_and_validate(app=app, headers=headers, excluded_checks=excluded)
