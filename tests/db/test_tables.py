"""nsai/db/tables.py describes the migrated database exactly: every table, and in each its
columns in order, their types (geometry type and SRID too), nullability, primary key and
identity. Staging tables made from it take the rows the loaders COPY."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import Column, MetaData, Table, create_engine, inspect

from nsai.db import tables
from nsai.db.engine import to_sqlalchemy_url
from tests.conftest import Server


def _described(column: Column[Any]) -> tuple[str, str, bool, bool, bool]:
    return (
        column.name,
        str(column.type.compile(dialect=tables.DIALECT)),
        bool(column.nullable),
        column.primary_key,
        column.identity is not None,
    )


@pytest.fixture(scope="module")
def reflected(server: Server, template_db: str) -> MetaData:
    engine = create_engine(to_sqlalchemy_url(server.url(template_db)))
    try:
        found = MetaData()
        names = [n for n in inspect(engine).get_table_names() if n != "spatial_ref_sys"]
        found.reflect(engine, only=names)
        return found
    finally:
        engine.dispose()


def test_every_table_is_described(reflected: MetaData) -> None:
    assert sorted(tables.schema.tables) == sorted(reflected.tables)


@pytest.mark.parametrize("name", sorted(tables.schema.tables))
def test_a_table_is_described_as_migrated(reflected: MetaData, name: str) -> None:
    described: Table = tables.schema.tables[name]
    migrated = reflected.tables[name]
    assert [_described(c) for c in described.columns] == [_described(c) for c in migrated.columns]


# What each staging table is published into: a column of both has one type.
TARGETS = {
    "stage_record": tables.source_record,
    "stage_street": tables.street,
    "stage_street_type": tables.street,
    "stage_blpu": tables.dtf_blpu,
    "stage_lpi": tables.dtf_lpi,
    "affected": tables.national_address,
    "desired_address": tables.national_address,
    "desired_link": tables.address_link,
    "desired_fate": tables.national_address,
    "desired_review": tables.review_item,
    "desired_alias": tables.uprn_alias,
    "desired_reading": tables.record_reading,
    "desired_known_name": tables.known_name,
    "reread_key": tables.source_record,
}


def test_every_staging_table_but_the_candidate_pairs_fills_a_table() -> None:
    # candidate_pair is read by the job that fills it, and written nowhere.
    assert sorted(TARGETS) == sorted(set(tables.staging.tables) - {"candidate_pair"})


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_staged_column_has_the_type_of_the_column_it_fills(name: str) -> None:
    staged, target = tables.staging.tables[name], TARGETS[name]
    shared = [c.name for c in staged.columns if c.name in target.c]
    assert shared
    assert [_described(staged.c[n])[1] for n in shared] == [
        _described(target.c[n])[1] for n in shared
    ]


def test_staging_tables_take_the_rows_copied_into_them(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        tables.create_staging(conn, *tables.staging.tables.values())
        for table in tables.staging.tables.values():
            names = tables.columns(table)
            with conn.cursor().copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                copy.write_row([None if table.c[n].nullable else 1 for n in names])
            assert conn.execute(f"SELECT count(*) FROM {table.name}").fetchone() == (1,)
        conn.commit()
        # ON COMMIT DROP: nothing of one load is left for the next.
        left = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relpersistence = 't' AND relkind = 'r'"
        ).fetchone()
        assert left == (0,)
