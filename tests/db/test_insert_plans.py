"""The bulk inserts of loading and publishing keep their speed on tables analyzed while empty.

After a VACUUM ANALYZE of a new database the planner knows the national tables and
source_record as empty, and an insert that skipped existing rows with NOT EXISTS on its own table
was planned as a nested loop scanning that table for every row: the table grows as the statement
inserts, and a first run on 300k records spent minutes in one statement. An insert must never
plan a scan of the table it writes inside an anti-join."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from nsai.db import tables
from nsai.db.queries import statements
from nsai.db.tables import create_staging

INSERTS = [
    ("match/publish.sql", "create"),
    ("match/publish.sql", "links"),
    ("match/publish.sql", "readings"),
    ("match/publish.sql", "match_keys"),
    ("match/publish.sql", "reviews"),
    ("load/merge.sql", "insert_records"),
]
PARAMS = {"run": 1, "cause": "reconcile", "actor": "nsai", "operation": None, "source": 1,
          "batch": 1, "full": True}  # fmt: skip


def _anti_join_scans(plan: dict[str, Any], table: str) -> Iterator[str]:
    """Anti-joins of `plan` whose inner side scans `table` in full."""
    children = plan.get("Plans", [])
    if plan.get("Join Type") == "Anti" and plan["Node Type"] == "Nested Loop":
        inner = children[1]
        if inner["Node Type"] == "Seq Scan" and inner.get("Relation Name") == table:
            yield f"Nested Loop Anti Join over Seq Scan on {table}"
    for child in children:
        yield from _anti_join_scans(child, table)


@pytest.mark.parametrize(("relative", "section"), INSERTS)
def test_an_insert_never_rescans_its_own_table(db_url: str, relative: str, section: str) -> None:
    with psycopg.connect(db_url) as conn:
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")  # every table known empty
        conn.autocommit = False
        create_staging(conn, *tables.staging.tables.values())
        inserts = [s for s in statements(relative)[section] if "INSERT INTO" in s]
        assert inserts
        for statement in inserts:
            (table,) = re.findall(r"INSERT INTO (\w+)", statement)
            cursor = psycopg.ClientCursor(conn)
            cursor.execute(("EXPLAIN (FORMAT JSON) " + statement).encode(), PARAMS)
            ((plan,),) = cursor.fetchall()
            assert list(_anti_join_scans(plan[0]["Plan"], table)) == [], statement
