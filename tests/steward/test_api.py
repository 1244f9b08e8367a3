"""The steward routes over HTTP (the real app, a real PostGIS): scopes, the review queue,
corrections with their audit entries, conflicts, and reconciliation jobs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from nsai import api_keys
from nsai.match.job import LOCK_KEY
from tests.loaders.conftest import scalar
from tests.steward.conftest import Gazetteer


@pytest.fixture
def api(gazetteer: Gazetteer) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    made = {
        "anna": api_keys.create(gazetteer.engine, "anna", ("read", "steward")).key,
        "reader": api_keys.create(gazetteer.engine, "reader", ("read",)).key,
    }
    headers = {name: {"X-API-Key": key} for name, key in made.items()}
    settings = gazetteer.settings.model_copy(update={"rate_limit_per_key": 0})
    with TestClient(create_app(settings)) as client:
        yield client, headers


def _problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["detail"])


def test_steward_routes_need_the_steward_scope(api: Any) -> None:
    client, headers = api
    assert client.get("/v1/review").status_code == 401
    assert "lacks scope 'steward'" in _problem(
        client.get("/v1/review", headers=headers["reader"]), 403
    )
    assert (
        client.post(
            "/v1/steward/retire", json={"uprn": 100005}, headers=headers["reader"]
        ).status_code
        == 403
    )


def test_ids_beyond_any_row_are_invalid_not_errors(api: Any) -> None:
    client, headers = api
    anna = headers["anna"]
    beyond = str(2**63)  # one past bigint: the database would fail on it
    for method, path in [
        ("GET", f"/v1/review/{beyond}"),
        ("POST", f"/v1/review/{beyond}/decision"),
        ("GET", f"/v1/steward/operations/{beyond}"),
        ("GET", f"/v1/jobs/{beyond}"),
        ("POST", f"/v1/jobs/{beyond}/cancel"),
    ]:
        body = {"decision": "accept", "reason": "x"} if method == "POST" else None
        response = client.request(method, path, json=body, headers=anna)
        assert _problem(response, 422), path
    undo = {"operation_id": 2**63, "reason": "x"}
    _problem(client.post("/v1/steward/undo", json=undo, headers=anna), 422)
    # The largest id there can be is a plain "not found".
    _problem(client.get(f"/v1/review/{2**63 - 1}", headers=anna), 404)


def test_a_review_decision_over_http(api: Any, gazetteer: Gazetteer) -> None:
    client, headers = api
    page = client.get("/v1/review", headers=headers["anna"]).json()
    assert page["counts"] == {"open": 1, "deferred": 0}
    (item,) = page["data"]
    shown = client.get(f"/v1/review/{item['review_id']}", headers=headers["anna"]).json()
    assert shown["explanation"]["building"] == {"level": "fuzzy >= 90", "bits": 3.0}
    # The two records as loaded, side by side: the list's has no point, so no distance.
    by_source = {shown[side]["source"]: shown[side] for side in ("record_a", "record_b")}
    council, listed = by_source["llpg-1505"], by_source["l"]
    assert (council["uprn"], council["pao"]["text"], council["street"]) == (
        100001,
        "ROSE COTTAGE",
        "MILL LANE",
    )
    assert council["sao"] == dict.fromkeys(council["sao"])  # no SAO: every part null
    assert council["location"]["x"] == 530000.0
    assert 49 < council["location"]["lat"] < 56
    assert (listed["source_ref"], listed["location"], shown["distance_m"]) == ("L1", None, None)
    assert shown["pairs"] == [
        {"record_a": item["record_a"]["record_id"], "record_b": item["record_b"]["record_id"],
         "score": item["score"]}
    ]  # fmt: skip
    body = {"decision": "accept", "version": item["version"], "reason": "same cottage"}
    url = f"/v1/review/{item['review_id']}/decision"
    decided = client.post(url, json=body, headers=headers["anna"])
    assert decided.status_code == 200
    assert decided.json()["review"]["status"] == "accepted"
    assert gazetteer.uprn_of("L1") == 100001
    again = client.post(url, json=body, headers=headers["anna"])
    assert "accepted already, by anna" in _problem(again, 409)
    assert "no review item 999" in _problem(
        client.get("/v1/review/999", headers=headers["anna"]), 404
    )
    bad = client.post(url, json={"decision": "maybe"}, headers=headers["anna"])
    assert bad.status_code == 422
    # The change feed tells downstream systems at once.
    feed = client.get("/v1/changes", headers=headers["anna"]).json()["data"]
    assert {"merged", "updated"} <= {
        e["kind"] for e in feed if e["uprn"] in (100001,) or e.get("related_uprn") == 100001
    }


def test_corrections_and_their_audit_over_http(api: Any, gazetteer: Gazetteer) -> None:
    client, headers = api
    steward = headers["anna"]
    ivy = gazetteer.uprn_of("L2")
    merged = client.post(
        "/v1/steward/merge", json={"uprn": ivy, "into": 100002, "reason": "same"}, headers=steward
    )
    assert merged.status_code == 200, merged.text
    operation_id = merged.json()["operation_id"]
    moved = client.get(f"/v1/addresses/{ivy}", headers=steward, follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"].endswith("/v1/addresses/100002")
    log = client.get("/v1/steward/operations", params={"uprn": 100002}, headers=steward).json()
    assert [(o["kind"], o["actor"], o["reason"]) for o in log["data"]] == [
        ("merge", "anna", "same")
    ]
    refused = client.post(
        "/v1/steward/merge", json={"uprn": 100002, "into": 100001}, headers=steward
    )
    assert "lists each property once" in _problem(refused, 409)
    edit = {"uprn": 100002, "field": "postcode", "value": "not a postcode", "reason": "x"}
    assert "not a valid postcode" in str(
        client.post("/v1/steward/edit", json=edit, headers=steward).json()
    )
    undone = client.post("/v1/steward/undo", json={"operation_id": operation_id}, headers=steward)
    assert undone.status_code == 200
    assert client.get(f"/v1/addresses/{ivy}", headers=steward).json()["status"] == "active"
    retired = client.post("/v1/steward/retire", json={"uprn": 100005}, headers=steward)
    assert retired.json()["uprns"] == [100005]
    assert client.get("/v1/addresses/100005", headers=steward).json()["status"] == "retired"
    split = client.post(
        "/v1/steward/split", json={"source": "l", "source_ref": "L3"}, headers=steward
    )
    assert split.status_code == 200
    assert gazetteer.uprn_of("L3") in split.json()["uprns"]


def test_a_job_starts_runs_and_reports(api: Any) -> None:
    client, headers = api
    started = client.post("/v1/jobs", json={"workers": 1}, headers=headers["anna"])
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["started_by"] == "anna"
    deadline = time.monotonic() + 60
    while run["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        run = client.get(f"/v1/jobs/{run['run_id']}", headers=headers["anna"]).json()
    assert run["status"] == "done"
    assert "nothing to cancel" in _problem(
        client.post(f"/v1/jobs/{run['run_id']}/cancel", headers=headers["anna"]), 409
    )
    listed = client.get("/v1/jobs", headers=headers["anna"]).json()["data"]
    assert listed[0]["run_id"] == run["run_id"]


def test_a_second_job_is_refused_naming_the_running_one(api: Any, gazetteer: Gazetteer) -> None:
    client, headers = api
    # A run in progress: its row, and the job's lock held by its session.
    with psycopg.connect(gazetteer.url, autocommit=True) as running:
        running.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        run_id = running.execute(
            "INSERT INTO reconcile_run (workers, started_by, stage, backend_pid) "
            "VALUES (2, 'ben', 'score', pg_backend_pid()) RETURNING run_id"
        ).fetchone()[0]  # type: ignore[index]
        refused = client.post("/v1/jobs", json={"workers": 1}, headers=headers["anna"])
        detail = _problem(refused, 409)
        assert f"run {run_id}" in detail
        assert "by ben, now at score" in detail
        cancelled = client.post(f"/v1/jobs/{run_id}/cancel", headers=headers["anna"])
        assert cancelled.status_code == 202
    assert scalar(
        gazetteer.url, "SELECT cancel_requested FROM reconcile_run WHERE run_id = %s", run_id
    )
