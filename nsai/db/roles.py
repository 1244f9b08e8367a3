"""The API's database role: reads and writes data, changes no schema (sql/013_api_role.sql)."""

from __future__ import annotations

from typing import Any, Final

import psycopg

API_ROLE: Final = "nsai_api"


def grant_api_role(conn: psycopg.Connection[Any]) -> bool:
    """Give the API's role its rights on what is there now, if the role exists (idempotent);
    whether it exists."""
    from nsai.db.queries import execute  # which reads sql/ as nsai.db.migrate finds it

    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (API_ROLE,)).fetchone() is None:
        return False
    execute(conn, "access/api_role.sql", "grants")
    return True
