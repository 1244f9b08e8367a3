"""POST /v1/match over a gazetteer published by the pipeline (tests/published.py)."""

from __future__ import annotations

import json
import logging
import secrets
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from api.app import create_app
from api.v1.match import MatchResponse
from nsai import api_keys
from nsai.config import Settings
from nsai.db.engine import to_sqlalchemy_url
from nsai.query.bulk import MAX_RECORDS
from tests.published import Published
from tests.served import served


@pytest.fixture(scope="module")
def headers(published: Published) -> dict[str, str]:
    engine = create_engine(to_sqlalchemy_url(published.url))
    try:
        made = api_keys.create(engine, f"matcher-{secrets.token_hex(3)}", ("match",))
        reader = api_keys.create(engine, f"reader-{secrets.token_hex(3)}", ("read",))
    finally:
        engine.dispose()
    return {"match": made.key, "read": reader.key}


def _post(client: TestClient, key: str | None, body: Any) -> Any:
    return client.post("/v1/match", json=body, headers={"X-API-Key": key} if key else {})


def test_addresses_are_matched_in_request_order(
    client: TestClient, published: Published, headers: dict[str, str]
) -> None:
    known = published.query(
        "SELECT uprn, single_line FROM national_address WHERE status = 'active' "
        "AND pao_start_number IS NOT NULL ORDER BY uprn LIMIT 3"
    )
    records = [{"id": f"r{i}", "address": line} for i, (_, line) in enumerate(known)]
    records.insert(1, {"id": "nowhere", "address": "1 Nonexistent Road, Atlantis"})
    response = _post(client, headers["match"], {"records": records})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == ["r0", "nowhere", "r1", "r2"]
    assert [r["uprn"] for r in results] == [known[0][0], None, known[1][0], known[2][0]]
    first = results[0]
    assert first["address"] == known[0][1]
    assert first["score"] >= 0.9
    assert first["candidates"][0] == {"uprn": known[0][0], "score": first["score"]}
    assert first["explanation"]["pao"] == {"level": "exact", "bits": 7.0}
    # The body is written without building the documented model: it must be that model's JSON,
    # every field there and nothing else.
    assert MatchResponse.model_validate_json(response.content).model_dump_json().encode() == (
        response.content
    )


def test_matching_needs_the_match_scope(client: TestClient, headers: dict[str, str]) -> None:
    body = {"records": [{"id": "a", "address": "1 High Street"}]}
    # Reads are open to anyone in this app; matching never is.
    assert _post(client, None, body).status_code == 401
    refused = _post(client, headers["read"], body)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"records": []}, "body.records"),
        ({"records": [{"id": "a", "address": "x"}] * (MAX_RECORDS + 1)}, "body.records"),
        ({"records": [{"id": "", "address": "1 High Street"}]}, "body.records.0.id"),
        ({"records": [{"id": "a", "address": "x" * 501}]}, "body.records.0.address"),
        ({"records": [{"id": "a"}]}, "body.records.0.address"),
        ({"records": [{"id": "a", "address": 12}]}, "body.records.0.address"),
        ({"rows": []}, "body.records"),
    ],
)
def test_bad_requests_are_422_naming_the_field(
    client: TestClient, headers: dict[str, str], body: Any, field: str
) -> None:
    response = _post(client, headers["match"], body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    "line",
    ["", "\x00\x01", "'; DROP TABLE national_address; --", "%_%", "Flat 1 " * 70, "\udcff"],
)
def test_hostile_addresses_are_answered_not_failed(
    client: TestClient, headers: dict[str, str], line: str
) -> None:
    body = '{"records": [{"id": "h", "address": ' + json.dumps(line) + "}]}"
    response = client.post(
        "/v1/match",
        content=body.encode("utf-8", "surrogatepass"),
        headers={"X-API-Key": headers["match"], "Content-Type": "application/json"},
    )
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["results"][0]["uprn"] is None


def test_an_oversized_body_is_413_declared_or_streamed(
    client: TestClient, headers: dict[str, str]
) -> None:
    big = b'{"records": [' + b" " * (9 * 1024 * 1024) + b"]}"
    declared = client.post(
        "/v1/match",
        content=big,
        headers={"X-API-Key": headers["match"], "Content-Type": "application/json"},
    )
    assert declared.status_code == 413
    assert declared.headers["content-type"] == "application/problem+json"

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 1024 * 1024):
            yield big[start : start + 1024 * 1024]

    streamed = client.post(
        "/v1/match",
        content=chunks(),
        headers={"X-API-Key": headers["match"], "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413


def test_a_client_that_goes_away_stops_its_match(
    published: Published,
    headers: dict[str, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="api.v1.match")
    settings = Settings(database_url=published.url, home=tmp_path, match_records_per_minute=0)
    lines = [line for (line,) in published.query("SELECT single_line FROM national_address")]
    body = json.dumps(
        {"records": [{"id": str(n), "address": lines[n % len(lines)]} for n in range(MAX_RECORDS)]}
    ).encode()
    with served(create_app(settings)) as (host, port):
        with socket.create_connection((host, port)) as conn:
            conn.sendall(
                f"POST /v1/match HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {headers['match']}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            time.sleep(0.3)  # the match has begun
        deadline = time.monotonic() + 10
        while "stopped: the client went away" not in caplog.text:
            assert time.monotonic() < deadline, "the match went on without its client"
            time.sleep(0.05)
    assert f"bulk match of {MAX_RECORDS} addresses stopped" in caplog.text
