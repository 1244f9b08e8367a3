"""Bulk matching against a gazetteer published by NSAI's own pipeline (tests/published.py)."""

from __future__ import annotations

import csv
import threading
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from nsai.cli import main
from nsai.query import bulk
from nsai.query.bulk import MAX_ADDRESS_LENGTH, MAX_RECORDS, Query, match
from nsai.query.errors import BadInput
from tests.published import Published, published

__all__ = ["published"]

THRESHOLD = 0.9
PLAUSIBLE = 0.5


@pytest.fixture(scope="module")
def conn(published: Published) -> Iterator[Connection]:
    engine = create_engine(published.url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _uprn_of_truth(published: Published, region: Path) -> dict[str, set[int]]:
    """true_id -> the national UPRNs holding that property's source records."""
    with (region / "truth.csv").open() as handle:
        truth = {(r["source"], r["source_ref"]): r["true_id"] for r in csv.DictReader(handle)}
    truth |= published.callers
    national: dict[str, set[int]] = defaultdict(set)
    for uprn, source, ref in published.query(
        "SELECT l.uprn, s.name, r.source_ref FROM address_link l "
        "JOIN source_record r USING (record_id) JOIN source s USING (source_id)"
    ):
        national[truth[(source, ref)]].add(int(uprn))
    return national


def test_the_regions_queries_find_their_property_and_never_another(
    conn: Connection, published: Published, region: Path
) -> None:
    national = _uprn_of_truth(published, region)
    with (region / "queries.csv").open() as handle:
        queries = list(csv.DictReader(handle))
    results = match(conn, [Query(q["id"], q["address"]) for q in queries], THRESHOLD, PLAUSIBLE)
    assert [r.id for r in results] == [q["id"] for q in queries]
    wrong = [
        (q["address"], r.uprn)
        for q, r in zip(queries, results, strict=True)
        if r.uprn is not None and r.uprn not in national.get(q["true_id"], set())
    ]
    assert wrong == []
    answerable = [q for q in queries if q["true_id"]]
    found = sum(1 for q, r in zip(queries, results, strict=True) if q["true_id"] and r.uprn)
    assert found / len(answerable) >= 0.95
    for result in results:
        if result.uprn is not None:
            assert result.address
            assert result.score >= THRESHOLD
            assert result.candidates[0].uprn == result.uprn
            assert result.explanation["pao"]["level"]


def test_an_answer_does_not_depend_on_the_rest_of_the_request(
    conn: Connection, region: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (region / "queries.csv").open() as handle:
        queries = [Query(q["id"], q["address"]) for q in csv.DictReader(handle)]
    whole = match(conn, queries, THRESHOLD, PLAUSIBLE)
    assert sum(1 for r in whole if r.uprn is not None) > 0.8 * len(queries)
    # Asked alone, or in round trips of 7: the same answers (a property's town and postcode
    # are read from the gazetteer, not from the candidates other queries found).
    alone = [match(conn, [q], THRESHOLD, PLAUSIBLE)[0] for q in queries]
    assert alone == whole
    monkeypatch.setattr(bulk, "CHUNK", 7)
    assert match(conn, queries, THRESHOLD, PLAUSIBLE) == whole


def test_a_spelling_without_a_town_is_read_with_its_propertys_town_whatever_else_is_asked(
    published: Published,
) -> None:
    """X and Y: the same number on streets of one name in two towns. One spelling of X gives no
    town nor postcode (a list's row); X's others are on a street spelt otherwise. Asked for the
    number in Y's town, X's bare spelling is read with X's town, so Y is the answer: alone, and
    beside a query that finds X's other spellings."""
    engine = create_engine(published.url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:  # one transaction, rolled back: the gazetteer is shared
        x, y, bare, pao, street, x_town, y_town = conn.exec_driver_sql(
            "SELECT a.uprn, b.uprn, a.record_id, a.pao_key, a.street_key, a.town_key, b.town_key "
            "FROM national_match_key a JOIN national_match_key b ON b.street_key = a.street_key "
            "AND b.pao_key = a.pao_key AND b.town_key <> a.town_key "
            "WHERE a.sao_key IS NULL AND b.sao_key IS NULL AND a.pao_key ~ '^[0-9]+$' "
            "AND b.postcode_key IS NOT NULL "
            "AND (SELECT count(*) FROM national_match_key o WHERE o.uprn = a.uprn) >= 2 "
            "ORDER BY a.uprn, b.uprn LIMIT 1"
        ).one()
        conn.exec_driver_sql(
            "UPDATE national_match_key SET town_key = NULL, postcode_key = NULL, "
            "locality_key = NULL WHERE record_id = %(bare)s",
            {"bare": bare},
        )
        conn.exec_driver_sql(
            "UPDATE national_match_key SET street_key = 'NOWHERE ELSE LANE' "
            "WHERE uprn = %(x)s AND record_id <> %(bare)s",
            {"x": x, "bare": bare},
        )
        asked = Query("y", f"{pao} {street}, {y_town}")
        (alone,) = match(conn, [asked], THRESHOLD, PLAUSIBLE)
        beside = match(
            conn, [asked, Query("x", f"{pao} NOWHERE ELSE LANE, {x_town}")], THRESHOLD, PLAUSIBLE
        )
        conn.rollback()
    engine.dispose()
    assert alone.uprn == y
    assert beside[0] == alone
    assert beside[1].uprn == x


def test_a_failed_statement_stops_the_match_and_runs_nothing_after_it(
    conn: Connection, region: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (region / "queries.csv").open() as handle:
        queries = [Query(q["id"], q["address"]) for q in csv.DictReader(handle)]
    ran: list[str] = []

    def lost(*args: object) -> NoReturn:
        ran.append(threading.current_thread().name)
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(bulk, "CHUNK", 7)
    monkeypatch.setattr(bulk, "_candidates", lost)
    assert len(queries) > 20 * bulk.CHUNK
    with pytest.raises(OperationalError, match="server closed the connection"):
        match(conn, queries, THRESHOLD, PLAUSIBLE)
    assert len(ran) == 1
    assert ran[0].startswith("nsai-bulk-sql")
    assert not [t for t in threading.enumerate() if t.name.startswith("nsai-bulk-sql")]


def test_a_flat_missing_from_the_gazetteer_never_returns_its_building(
    conn: Connection, published: Published
) -> None:
    building, building_uprn, flat, flat_uprn = published.query(
        "SELECT b.single_line, b.uprn, f.single_line, f.uprn FROM national_address f "
        "JOIN national_address b ON b.uprn = f.parent_uprn "
        "WHERE f.status = 'active' AND b.status = 'active' AND f.sao_start_number IS NOT NULL "
        "AND b.postcode IS NOT NULL ORDER BY f.uprn LIMIT 1"
    )[0]
    results = match(
        conn,
        [
            Query("building", building),
            Query("flat", flat),
            Query("missing flat", f"Flat 999, {building}"),
        ],
        THRESHOLD,
        PLAUSIBLE,
    )
    assert [r.uprn for r in results] == [building_uprn, flat_uprn, None]
    assert all(c.uprn != building_uprn for c in results[2].candidates)


def test_a_number_past_the_end_of_the_street_returns_no_neighbour(
    conn: Connection, published: Published
) -> None:
    street, town, last = published.query(
        "SELECT street, town, max(pao_start_number) FROM national_address "
        "WHERE status = 'active' AND sao_start_number IS NULL AND sao_text IS NULL "
        "AND pao_text IS NULL AND pao_start_suffix IS NULL AND pao_end_number IS NULL "
        "AND street IS NOT NULL AND town IS NOT NULL AND pao_start_number IS NOT NULL "
        "GROUP BY street, town ORDER BY count(*) DESC, street LIMIT 1"
    )[0]
    results = match(
        conn,
        [Query("last", f"{last} {street}, {town}"), Query("past", f"{last + 40} {street}, {town}")],
        THRESHOLD,
        PLAUSIBLE,
    )
    assert results[0].uprn is not None
    assert results[1].uprn is None
    assert results[1].candidates == []


def test_typed_slips_are_read_against_the_gazetteer(conn: Connection, published: Published) -> None:
    number, street, town, uprn = published.query(
        "SELECT pao_start_number, street, town, uprn FROM national_address "
        "WHERE status = 'active' AND sao_start_number IS NULL AND sao_text IS NULL "
        "AND pao_text IS NULL AND pao_start_suffix IS NULL AND length(town) > 5 "
        "AND pao_start_number IS NOT NULL ORDER BY uprn LIMIT 1"
    )[0]
    town_slip = town[:-1] + town[-1] * 2  # "KENMINSTERR"
    results = match(
        conn,
        [
            Query("exact", f"{number} {street}, {town}"),
            Query("lower case, no commas", f"{number} {street} {town}".lower()),
            Query("town slip", f"{number} {street}, {town_slip}"),
        ],
        THRESHOLD,
        PLAUSIBLE,
    )
    assert [r.uprn for r in results] == [uprn, uprn, uprn]


def test_a_house_name_with_a_slip_finds_its_house(conn: Connection, published: Published) -> None:
    name, street, town, uprn = published.query(
        "SELECT pao_text, street, town, uprn FROM national_address "
        "WHERE status = 'active' AND pao_text IS NOT NULL AND pao_start_number IS NULL "
        "AND sao_text IS NULL AND sao_start_number IS NULL AND organisation IS NULL "
        "AND street IS NOT NULL AND town IS NOT NULL AND length(pao_text) > 6 "
        "ORDER BY uprn LIMIT 1"
    )[0]
    slipped = name[:-1] + name[-1] * 2  # "ROSE COTTAGEE"
    results = match(
        conn,
        [
            Query("exact", f"{name}, {street}, {town}"),
            Query("slip", f"{slipped}, {street}, {town}"),
        ],
        THRESHOLD,
        PLAUSIBLE,
    )
    assert [r.uprn for r in results] == [uprn, uprn]


def test_a_county_beside_a_postcode_counts_against_nothing(
    conn: Connection, published: Published
) -> None:
    number, street, postcode, uprn = published.query(
        "SELECT pao_start_number, street, postcode, uprn FROM national_address "
        "WHERE status = 'active' AND sao_start_number IS NULL AND sao_text IS NULL "
        "AND pao_text IS NULL AND pao_start_suffix IS NULL AND pao_end_number IS NULL "
        "AND pao_start_number IS NOT NULL AND postcode IS NOT NULL ORDER BY uprn LIMIT 1"
    )[0]
    results = match(
        conn,
        [
            # A county no record names, where the town goes: the postcode says where.
            Query("county", f"{number} {street}, Nowhereshire, {postcode}"),
            # Without the postcode it is a town that names nothing: no answer.
            Query("no postcode", f"{number} {street}, Nowhereshire"),
        ],
        THRESHOLD,
        PLAUSIBLE,
    )
    assert results[0].uprn == uprn
    assert results[1].uprn is None


@pytest.mark.parametrize("line", ["", "   ", "!!!", "\x00", "'; DROP TABLE national_address; --"])
def test_nothing_address_like_matches_nothing(conn: Connection, line: str) -> None:
    (result,) = match(conn, [Query("x", line)], THRESHOLD, PLAUSIBLE)
    assert (result.uprn, result.score, result.candidates) == (None, 0.0, [])


def test_limits_name_the_field(conn: Connection) -> None:
    with pytest.raises(BadInput) as too_many:
        match(conn, [Query(str(i), "1 High Street") for i in range(MAX_RECORDS + 1)], 0.9, 0.5)
    assert too_many.value.field == "records"
    with pytest.raises(BadInput) as too_long:
        match(conn, [Query("a", "1 High St"), Query("b", "x" * (MAX_ADDRESS_LENGTH + 1))], 0.9, 0.5)
    assert too_long.value.field == "records[1].address"


def test_nsai_match_writes_a_uprn_per_row(
    published: Published, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (uprn, line), *_ = published.query(
        "SELECT uprn, single_line FROM national_address WHERE status = 'active' "
        "AND pao_start_number IS NOT NULL ORDER BY uprn LIMIT 1"
    )
    given = tmp_path / "in.csv"
    given.write_text(f'ref,where\nA,"{line}"\nB,1 Nowhere Road\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    args = ["match", str(given), "--out", str(out), "--id-column", "ref"]
    assert main([*args, "--address-column", "where"], published.environ) == 0
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["id"], r["uprn"]) for r in rows] == [("A", str(uprn)), ("B", "")]
    assert "matched 1 of 2 addresses" in capsys.readouterr().out

    assert main(args, published.environ) == 1  # no column "address"
    assert "has no column 'address' (it has ref, where)" in capsys.readouterr().err
