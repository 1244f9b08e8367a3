"""Rows made into dataclasses by position, with the values of shared columns held once."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
import pytest

from nsai.db.queries import dataclass_row
from nsai.errors import NsaiError

ROWS = "SELECT n AS id, 'MILL ' || 'LANE' AS street FROM generate_series(1, 3) n"


@dataclass
class Row:
    id: int
    street: str


def test_a_shared_column_holds_one_object_per_value_and_the_rest_are_as_read(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        plain = conn.cursor(row_factory=dataclass_row(Row)).execute(ROWS).fetchall()
        shared = conn.cursor(row_factory=dataclass_row(Row, {"street"})).execute(ROWS).fetchall()
    assert plain == shared == [Row(1, "MILL LANE"), Row(2, "MILL LANE"), Row(3, "MILL LANE")]
    assert len({id(r.street) for r in plain}) == 3  # psycopg makes a string per row
    assert len({id(r.street) for r in shared}) == 1


def test_columns_not_named_as_the_fields_are_refused(db_url: str) -> None:
    with psycopg.connect(db_url) as conn, pytest.raises(NsaiError, match="are not Row's fields"):
        conn.cursor(row_factory=dataclass_row(Row)).execute("SELECT 1 AS street, 2 AS id")
