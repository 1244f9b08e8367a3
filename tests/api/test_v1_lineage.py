"""GET /v1/addresses/{uprn}/sources and /history over a published region."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from nsai.config import Settings
from tests.published import Published

PROBLEM = "application/problem+json"
PARTS = ("start_number", "start_suffix", "end_number", "end_suffix", "text")


def _most_linked(published: Published) -> int:
    return int(
        published.scalar(
            "SELECT l.uprn FROM address_link l JOIN national_address n USING (uprn) "
            "WHERE n.status = 'active' GROUP BY l.uprn "
            "HAVING count(*) FILTER (WHERE l.decision = 'matched') >= 2 "
            "ORDER BY count(*) DESC, l.uprn LIMIT 1"
        )
    )


def test_the_sources_of_a_record_are_its_linked_records_as_loaded(
    client: TestClient, published: Published
) -> None:
    uprn = _most_linked(published)
    response = client.get(f"/v1/addresses/{uprn}/sources")
    assert response.status_code == 200
    body = response.json()
    assert body["uprn"] == uprn
    expected = published.query(
        "SELECT r.record_id, s.name, r.source_ref, l.decision, l.score, r.organisation, "
        "r.pao_start_number, r.pao_text, r.street, r.town, r.postcode, r.classification, "
        "r.logical_status, ST_X(r.geom), ST_Y(r.geom) "
        "FROM address_link l JOIN source_record r USING (record_id) "
        "JOIN source s USING (source_id) WHERE l.uprn = %s",
        uprn,
    )
    by_id = {row[0]: row for row in expected}
    records = body["data"]
    assert sorted(r["record_id"] for r in records) == sorted(by_id)
    assert client.get(f"/v1/addresses/{uprn}").json()["source_count"] == len(records)
    for record in records:
        row = by_id[record["record_id"]]
        _, source, ref, decision, score, org, pao, pao_text, street, town, postcode = row[:11]
        cls, ls, x, y = row[11:]
        assert (record["source"], record["source_ref"], record["decision"]) == (
            source,
            ref,
            decision,
        )
        assert record["score"] == (None if score is None else pytest.approx(score, abs=1e-6))
        assert record["organisation"] == org
        assert record["pao"]["start_number"] == pao
        assert record["pao"]["text"] == pao_text
        assert set(record["sao"]) == set(PARTS)
        assert (record["street"], record["town"], record["postcode"]) == (street, town, postcode)
        assert (record["classification"], record["logical_status"]) == (cls, ls)
        if x is None:
            assert record["location"] is None
        else:
            assert record["location"]["x"] == pytest.approx(x, abs=0.01)
            assert record["location"]["y"] == pytest.approx(y, abs=0.01)
            assert -6.5 < record["location"]["lon"] < 2.0
            assert 49.8 < record["location"]["lat"] < 56.0
        assert record["removed"] is False
    matched = [r for r in records if r["decision"] == "matched"]
    assert matched
    for record in matched:
        explanation: dict[str, Any] = record["explanation"]
        assert "score" not in explanation  # the link's score is given once, as `score`
        assert {"pao", "street"} <= explanation.keys()
        for comparison in explanation.values():
            assert set(comparison) == {"level", "bits"}
            assert isinstance(comparison["level"], str)
    assert any(c["bits"] > 0 for r in matched for c in r["explanation"].values())
    # Most trusted source first.
    priorities = dict(published.query("SELECT name, priority FROM source"))
    order = [(priorities[r["source"]], r["source"]) for r in records]
    assert order == sorted(order)


def test_the_sources_of_a_merged_uprn_or_an_alias_redirect(
    client: TestClient, published: Published
) -> None:
    merged, successor = published.query(
        "SELECT uprn, successor_uprn FROM national_address WHERE status = 'merged' LIMIT 1"
    )[0]
    response = client.get(f"/v1/addresses/{merged}/sources?x=1")
    assert response.status_code == 301
    assert response.headers["location"] == f"/v1/addresses/{successor}/sources?x=1"
    assert response.json() == {"uprn": merged, "resolves_to": successor}
    followed = client.get(response.headers["location"]).json()
    assert followed["uprn"] == successor
    assert len(followed["data"]) >= 2

    alias, national = published.query("SELECT uprn, national_uprn FROM uprn_alias LIMIT 1")[0]
    response = client.get(f"/v1/addresses/{alias}/sources")
    assert response.status_code == 301
    assert response.headers["location"] == f"/v1/addresses/{national}/sources"
    history = client.get(f"/v1/addresses/{alias}/history")
    assert history.status_code == 301
    assert history.headers["location"] == f"/v1/addresses/{national}/history"


@pytest.mark.parametrize("route", ["sources", "history"])
@pytest.mark.parametrize(
    ("uprn", "status", "detail"),
    [
        ("5", 404, "UPRN 5 is not in the gazetteer"),
        ("0", 422, "uprn: Input should be greater than or equal to 1"),
        ("1000000000000", 422, "uprn: Input should be less than or equal to 999999999999"),
        ("x", 422, "uprn: Input should be a valid integer"),
    ],
)
def test_an_unknown_or_impossible_uprn_is_a_problem(
    client: TestClient, route: str, uprn: str, status: int, detail: str
) -> None:
    response = client.get(f"/v1/addresses/{uprn}/{route}")
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"].startswith(detail)


def _events(published: Published, uprn: int) -> list[tuple[Any, ...]]:
    return published.query(
        "SELECT event_id, uprn, kind, related_uprn, cause, actor FROM change_event "
        "WHERE uprn = %s OR related_uprn = %s ORDER BY event_id DESC",
        uprn,
        uprn,
    )


def test_history_is_newest_first_and_holds_the_merges_into_a_record(
    client: TestClient, published: Published
) -> None:
    merged, successor = published.query(
        "SELECT uprn, successor_uprn FROM national_address WHERE status = 'merged' LIMIT 1"
    )[0]
    response = client.get(f"/v1/addresses/{successor}/history")
    assert response.status_code == 200
    page = response.json()
    assert page["uprn"] == successor
    assert page["next_cursor"] is None
    events = page["data"]
    assert [
        (e["event_id"], e["uprn"], e["kind"], e["related_uprn"], e["cause"], e["actor"])
        for e in events
    ] == [tuple(row) for row in _events(published, successor)]
    assert any(e["kind"] == "merged" and e["uprn"] == merged for e in events)
    assert events[-1]["kind"] == "created"
    assert events[-1]["state"]["uprn"] == successor
    assert all(e["occurred_at"] and e["cause"] and e["actor"] for e in events)

    # The merged-away UPRN keeps its own history (no redirect): created, then merged.
    own = client.get(f"/v1/addresses/{merged}/history")
    assert own.status_code == 200
    kinds = [e["kind"] for e in own.json()["data"]]
    assert kinds[0] == "merged"
    assert kinds[-1] == "created"


def test_history_pages_with_a_cursor(client: TestClient, published: Published) -> None:
    uprn = published.scalar(
        "SELECT u FROM (SELECT uprn AS u FROM change_event UNION ALL "
        "SELECT related_uprn FROM change_event WHERE related_uprn IS NOT NULL) e "
        "GROUP BY u ORDER BY count(*) DESC, u LIMIT 1"
    )
    expected = [row[0] for row in _events(published, uprn)]
    assert len(expected) >= 2
    seen: list[int] = []
    cursor = None
    for _ in range(len(expected) + 1):
        params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"/v1/addresses/{uprn}/history", params=params).json()
        seen += [e["event_id"] for e in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "nonsense"}, "cursor"),
        ({"cursor": "ZTA"}, "cursor"),  # "e0"
        ({"cursor": "'; DROP TABLE change_event; --"}, "cursor"),
        ({"cursor": "x" * 65}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
    ],
)
def test_bad_history_parameters_are_422(
    client: TestClient, published: Published, params: dict[str, Any], field: str
) -> None:
    uprn = published.scalar("SELECT min(uprn) FROM national_address WHERE status = 'active'")
    response = client.get(f"/v1/addresses/{uprn}/history", params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_lineage_needs_the_read_scope(published: Published, tmp_path: Path) -> None:
    settings = Settings(database_url=published.url, home=tmp_path / ".nsai")
    uprn = published.scalar("SELECT min(uprn) FROM national_address WHERE status = 'active'")
    with TestClient(create_app(settings)) as closed:
        for route in ("sources", "history"):
            response = closed.get(f"/v1/addresses/{uprn}/{route}")
            assert response.status_code == 401
            assert response.headers["content-type"] == PROBLEM
