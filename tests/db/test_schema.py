"""The first schema holds what it promises: BNG geometry, identifier ranges, balanced batches."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(db_url, autocommit=True) as connection:
        connection.execute("INSERT INTO custodian VALUES (1505, 'Fictional District Council')")
        connection.execute("INSERT INTO source (name, custodian_code) VALUES ('llpg-1505', 1505)")
        connection.execute(
            "INSERT INTO load_batch (source_id, file_name, file_format, content_sha256) "
            "VALUES (1, 'f.csv', 'dtf73', repeat('a', 64))"
        )
        yield connection


def _record(conn: psycopg.Connection[tuple[object, ...]], **columns: object) -> None:
    values = {"source_id": 1, "source_ref": "100", "batch_id": 1} | columns
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    conn.execute(f"INSERT INTO source_record ({names}) VALUES ({marks})", list(values.values()))


def test_geometry_is_british_national_grid(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    _record(conn, geom="SRID=27700;POINT(530000 180000)")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="SRID"):
        _record(conn, source_ref="101", geom="SRID=4326;POINT(-0.1 51.5)")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("uprn", 0),
        ("uprn", 1_000_000_000_000),
        ("usrn", 100_000_000),
        ("pao_start_number", 10_000),
        ("pao_start_suffix", "a"),
        ("logical_status", 2),
        ("rpc", 0),
    ],
)
def test_out_of_range_identifiers_are_refused(
    conn: psycopg.Connection[tuple[object, ...]], column: str, value: object
) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        _record(conn, **{column: value})


def test_an_end_number_needs_a_start_number(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    _record(conn, pao_start_number=10, pao_end_number=12)
    with pytest.raises(psycopg.errors.CheckViolation):
        _record(conn, source_ref="101", pao_end_number=12)


def test_one_current_record_per_source_ref(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    _record(conn)
    with pytest.raises(psycopg.errors.UniqueViolation):
        _record(conn)
    conn.execute("UPDATE source_record SET removed_batch_id = 1")
    _record(conn)  # a removed record is kept for lineage; its ref may come back


def test_a_loaded_batch_must_account_for_every_row(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    with pytest.raises(psycopg.errors.CheckViolation, match="load_batch_rows_balance"):
        conn.execute(
            "UPDATE load_batch SET status = 'loaded', rows_read = 10, rows_loaded = 8, "
            "rows_quarantined = 1"
        )
    conn.execute(
        "UPDATE load_batch SET status = 'loaded', rows_read = 10, rows_loaded = 8, "
        "rows_quarantined = 1, rows_skipped = 1"
    )


def test_a_merged_address_has_a_successor_other_than_itself(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    conn.execute("INSERT INTO national_address (uprn, single_line) VALUES (1, 'A'), (2, 'B')")
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE national_address SET status = 'merged' WHERE uprn = 2")
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "UPDATE national_address SET status = 'merged', successor_uprn = 2 WHERE uprn = 2"
        )
    conn.execute("UPDATE national_address SET status = 'merged', successor_uprn = 1 WHERE uprn = 2")


def test_api_key_scopes_are_known_ones(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute(
        "INSERT INTO api_key (name, prefix, key_hash, scopes) "
        "VALUES ('portal', 'abcdef', 'h', ARRAY['read', 'match'])"
    )
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "INSERT INTO api_key (name, prefix, key_hash, scopes) "
            "VALUES ('x', 'bcdefg', 'h', ARRAY['admin'])"
        )
