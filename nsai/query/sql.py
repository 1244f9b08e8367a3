"""Running the named statements of sql/query/ on a connection."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from sqlalchemy import RowMapping
from sqlalchemy.engine import Connection

from nsai.db.queries import statements


def rows(conn: Connection, file: str, section: str, **params: Any) -> list[RowMapping]:
    """The rows of the last statement of sql/query/FILE's SECTION (all run in order), every value
    bound as a parameter."""
    found: list[RowMapping] = []
    for statement in statements(f"query/{file}")[section]:
        result = conn.exec_driver_sql(statement, params)
        found = list(result.mappings()) if result.returns_rows else []
    return found


async def rows_async(
    conn: AsyncConnection[Any], file: str, section: str, **params: Any
) -> list[Any]:
    """`rows` on a psycopg connection of an event loop: the same statements, rows as dicts."""
    found: list[Any] = []
    async with conn.cursor(row_factory=dict_row) as cursor:
        for statement in statements(f"query/{file}")[section]:
            await cursor.execute(statement.encode(), params)
            found = await cursor.fetchall() if cursor.description is not None else []
    return found
