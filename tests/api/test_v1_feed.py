"""GET /v1/changes, GET /v1/custodians[/{code}] and /readyz over a published region."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.published import Published


def test_the_change_feed_pages_through_every_event_once_in_order(
    client: TestClient, published: Published
) -> None:
    events: list[dict[str, Any]] = []
    since = None
    while True:
        response = client.get(
            "/v1/changes", params={"limit": 250} | ({"since": since} if since else {})
        )
        assert response.status_code == 200
        page = response.json()
        events += page["data"]
        since = page["next"]
        if not page["has_more"]:
            break
    expected = published.query("SELECT event_id, uprn, kind FROM change_event ORDER BY event_id")
    assert [(e["event_id"], e["uprn"], e["kind"]) for e in events] == [tuple(r) for r in expected]
    kinds = {e["kind"] for e in events}
    assert {"created", "merged", "updated"} <= kinds
    created = next(e for e in events if e["kind"] == "created")
    assert created["state"]["uprn"] == created["uprn"]
    assert created["state"]["single_line"]
    merged = next(e for e in events if e["kind"] == "merged")
    assert merged["related_uprn"] == published.scalar(
        "SELECT successor_uprn FROM national_address WHERE uprn = %s", merged["uprn"]
    )
    # Nothing new: an empty page that hands the same cursor back, to poll with.
    tail = client.get("/v1/changes", params={"since": since}).json()
    assert tail == {"data": [], "next": since, "has_more": False}


def test_bad_change_cursors(client: TestClient) -> None:
    for since in ("abc", "-1", "1.5", "9" * 19, "'; DROP TABLE change_event; --"):
        response = client.get("/v1/changes", params={"since": since})
        assert response.status_code == 422, since
        assert response.json()["errors"][0]["field"] == "since"
    assert client.get("/v1/changes", params={"limit": 1001}).status_code == 422


def test_custodians_with_their_address_counts(client: TestClient, published: Published) -> None:
    expected = published.query(
        "SELECT c.custodian_code, c.name, count(n.uprn) FROM custodian c "
        "LEFT JOIN national_address n ON n.custodian_code = c.custodian_code "
        "AND n.status = 'active' GROUP BY 1, 2 ORDER BY 1"
    )
    listed = client.get("/v1/custodians").json()["data"]
    assert [(c["code"], c["name"], c["address_count"]) for c in listed] == [
        tuple(r) for r in expected
    ]
    assert sum(c["address_count"] for c in listed) > 0
    code, name, count = expected[0]
    assert client.get(f"/v1/custodians/{code}").json() == {
        "code": code,
        "name": name,
        "address_count": count,
    }
    missing = client.get("/v1/custodians/1")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no custodian with code 1"
    for bad in ("0", "10000", "abc"):
        response = client.get(f"/v1/custodians/{bad}")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "code"


def test_readyz_once_records_are_published(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
