"""GET /v1/search and GET /v1/autocomplete over a published region."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from nsai.query import search
from nsai.query.text import search_text
from tests.published import Published


def _pages(client: TestClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every hit of a search, following next_cursor to the end."""
    hits: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = client.get("/v1/search", params=params | ({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.json()
        page = response.json()
        hits += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            return hits


def _house(published: Published) -> tuple[int, str, str]:
    """A numbered house with flats nowhere in it: (uprn, single line, street)."""
    row = published.query(
        "SELECT uprn, single_line, street FROM national_address WHERE status = 'active' "
        "AND pao_start_number IS NOT NULL AND sao_text IS NULL AND sao_start_number IS NULL "
        "AND pao_text IS NULL AND organisation IS NULL AND postcode IS NOT NULL "
        "ORDER BY uprn LIMIT 1"
    )[0]
    return int(row[0]), str(row[1]), str(row[2])


def test_an_exact_address_ranks_first_with_score_one(
    client: TestClient, published: Published
) -> None:
    uprn, line, _ = _house(published)
    page = client.get("/v1/search", params={"q": line.lower()}).json()
    top = page["data"][0]
    assert top["uprn"] == uprn
    assert top["single_line"] == line
    assert top["score"] == 1.0
    assert top["match"] == page["query"]
    scores = [hit["score"] for hit in page["data"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)


def test_slips_and_abbreviations_still_find_the_address(
    client: TestClient, published: Published
) -> None:
    uprn, line, street = _house(published)
    number = line.split(" ")[0]
    words = street.split()
    typed = f"{number} {words[0][:-1]} {words[-1][:2]}"  # "4 CHURC ST"
    page = client.get("/v1/search", params={"q": typed, "limit": 100}).json()
    hits = [hit for hit in page["data"] if hit["single_line"].startswith(f"{number} {street},")]
    assert uprn in [hit["uprn"] for hit in hits]
    best = page["data"][0]
    assert best["single_line"].startswith(f"{number} ")
    assert f"{words[0][:-1]}~{words[0]}" in best["match"]
    # A house number counts only whole: 4 never finds 14 first.
    assert all(h["single_line"].split(" ")[0] == number for h in page["data"][: len(hits)])
    # No address holds a word with two letters swapped: the addresses like the query answer.
    swapped = words[0][0] + words[0][2] + words[0][1] + words[0][3:]
    typed = f"{number} {swapped} {' '.join(words[1:])}"
    fuzzy = client.get("/v1/search", params={"q": typed, "limit": 100}).json()["data"]
    assert fuzzy[0]["single_line"].startswith(f"{number} {street},")
    assert uprn in [hit["uprn"] for hit in fuzzy]


def test_cursor_paging_returns_every_hit_exactly_once(
    client: TestClient, published: Published
) -> None:
    _, _, street = _house(published)
    paged = _pages(client, {"q": street, "limit": 7})
    # Every address holding every word of the street (as a word or inside one).
    candidates = published.scalar(
        "SELECT count(*) FROM national_address WHERE status = 'active' "
        "AND nsai_search_text(single_line) LIKE ALL (%s)",
        [f"%{word}%" for word in street.split()],
    )
    assert len(paged) == candidates > 100
    assert len({h["uprn"] for h in paged}) == len(paged)
    assert [(-h["score"], h["uprn"]) for h in paged] == sorted(
        (-h["score"], h["uprn"]) for h in paged
    )
    assert paged == _pages(client, {"q": street, "limit": 100})


def test_a_query_many_addresses_answer_ranks_a_bounded_number_of_them(
    client: TestClient, published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, street = _house(published)
    monkeypatch.setattr(search, "MAX_CANDIDATES", 5)
    paged = _pages(client, {"q": street, "limit": 2})
    assert len(paged) == 5
    assert all(street in hit["single_line"] for hit in paged)


@pytest.mark.parametrize(
    ("params", "column", "check"),
    [
        ({"classification": "rd*"}, "classification", lambda v: v.startswith("RD")),
        ({"classification": "RD06"}, "classification", lambda v: v == "RD06"),
        ({"logical_status": 1}, "logical_status", lambda v: v == 1),
    ],
)
def test_filters_narrow_the_hits(
    client: TestClient, published: Published, params: dict[str, Any], column: str, check: Any
) -> None:
    _, _, street = _house(published)
    hits = _pages(client, {"q": street, "limit": 50} | params)
    assert hits
    assert all(check(hit[column]) for hit in hits)


def test_custodian_and_postcode_area_filters(client: TestClient, published: Published) -> None:
    _, _, street = _house(published)
    everything = _pages(client, {"q": street, "limit": 100})
    code = everything[0]["custodian_code"]
    narrowed = _pages(client, {"q": street, "custodian": code, "limit": 100})
    assert narrowed == [h for h in everything if h["custodian_code"] == code]
    area = "".join(c for c in everything[0]["postcode"].split(" ")[0] if c.isalpha())
    in_area = _pages(client, {"q": street, "postcode_area": area.lower(), "limit": 100})
    assert in_area
    assert all(h["postcode"].startswith(area) for h in in_area)
    assert _pages(client, {"q": street, "postcode_area": "ZZ"}) == []


def test_search_as_geojson(client: TestClient, published: Published) -> None:
    _, line, _ = _house(published)
    response = client.get("/v1/search", params={"q": line, "format": "geojson", "srs": 4326})
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert collection["query"]
    top = collection["features"][0]
    assert top["properties"]["score"] == 1.0
    assert top["geometry"]["type"] == "Point"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "  ,.'  "}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "st"}, "q"),  # no word of three characters: every address would be read
        ({"q": "12 a b"}, "q"),
        ({"q": "mill", "classification": "RD_%"}, "classification"),
        ({"q": "mill", "classification": "TOOLONG1"}, "classification"),
        ({"q": "mill", "custodian": 0}, "custodian"),
        ({"q": "mill", "custodian": "abc"}, "custodian"),
        ({"q": "mill", "logical_status": 2}, "logical_status"),
        ({"q": "mill", "postcode_area": "O1"}, "postcode_area"),
        ({"q": "mill", "limit": 101}, "limit"),
        ({"q": "mill", "cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
        ({"q": "mill", "cursor": "MjAwMDAwMDAzODk5"}, "cursor"),  # a listing's cursor
        ({"q": "mill", "srs": 3857}, "srs"),
        ({"q": "mill", "format": "xml"}, "format"),
    ],
)
def test_bad_search_parameters_are_422_naming_the_field(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.get("/v1/search", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_search_needs_q(client: TestClient) -> None:
    response = client.get("/v1/search")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "q", "message": "Field required"}]


def test_autocomplete_suggests_from_a_few_characters(
    client: TestClient, published: Published
) -> None:
    _, line, street = _house(published)
    number = line.split(" ")[0]
    typed = f"{number} {street[:4].lower()}"
    suggestions = client.get("/v1/autocomplete", params={"q": typed}).json()["data"]
    assert 0 < len(suggestions) <= 10
    assert all(s["single_line"].startswith(f"{number} {street[:4]}") for s in suggestions[:1])
    assert all(number in s["single_line"] for s in suggestions)
    assert line in [
        s["single_line"]
        for s in client.get("/v1/autocomplete", params={"q": typed, "limit": 20}).json()["data"]
    ]
    # Typed from the middle (no address starts with a street's name): the addresses holding
    # the words in the order typed.
    middle = client.get("/v1/autocomplete", params={"q": street.lower()[:-1]}).json()["data"]
    assert middle
    assert all(f" {street[:-1]}" in search_text(s["single_line"]) for s in middle)
    assert not any(search_text(s["single_line"]).startswith(street[:-1]) for s in middle)
    few = client.get("/v1/autocomplete", params={"q": "12 ch"})
    assert few.status_code == 422
    assert few.json()["errors"][0]["field"] == "q"
    assert client.get("/v1/autocomplete", params={"q": "mill", "limit": 21}).status_code == 422
