"""The SAO key matching compares, made in Python (records read again, bulk queries) and in SQL
(records as loaded, the bulk matcher's keys): the two must agree on every key, or a record read
in one and compared with one read in the other would differ by its unit word alone."""

from __future__ import annotations

import psycopg

from nsai.address.normalise import match_keys
from nsai.address.parse import parse_address
from nsai.match.records import sao_identity
from tests.unit.test_parse import CASES

EDGES = ["UNIT 3", "UNIT 3A", "UNIT", "UNITS 3", "UNIT UNIT 3", "FLAT 3", "3", "SHOP 3",
         "COMMUNITY UNIT 3", "UNIT 3-5", "UNIT  3", ""]  # fmt: skip


def test_python_and_sql_read_a_sao_key_alike(db_url: str) -> None:
    keys = sorted({k for text, _ in CASES if (k := match_keys(parse_address(text)).sao_key)})
    keys += EDGES
    assert sum(k.startswith("UNIT ") for k in keys) >= 5  # the rule is exercised
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT k, nsai_sao_identity(k) FROM unnest(%s::text[]) AS k", [keys]
        ).fetchall()
        (null,) = conn.execute("SELECT nsai_sao_identity(NULL)").fetchone() or (1,)
    assert dict(rows) == {k: sao_identity(k) for k in keys}
    assert null is None
    assert sao_identity(None) is None
