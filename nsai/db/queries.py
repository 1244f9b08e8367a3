"""Named SQL kept in files under sql/ (beside, not among, the migrations).

`-- name: NAME` opens a section; a section holds one or more statements, each ending with `;`
at the end of a line (so no statement may hold such a semicolon inside a string).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import psycopg
from psycopg import sql

from nsai.db.migrate import sql_dir
from nsai.errors import NsaiError

_NAME = re.compile(r"^-- name: ([a-z_]+)\s*$", re.MULTILINE)
_END = re.compile(r";\s*$", re.MULTILINE)


@cache
def statements(relative: str) -> dict[str, tuple[str, ...]]:
    """The sections of sql/RELATIVE by name, each as its statements in order."""
    text = (sql_dir() / relative).read_text(encoding="utf-8")
    parts = _NAME.split(text)
    sections = {
        name: tuple(s.strip() for s in _END.split(body) if _has_code(s))
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }
    if not sections:
        raise NsaiError(f"sql/{relative} holds no `-- name:` sections")
    return sections


def _has_code(chunk: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in chunk.splitlines())


def execute(
    conn: psycopg.Connection[Any], relative: str, section: str, **params: Any
) -> list[tuple[Any, ...]]:
    """Run a section of sql/RELATIVE on a psycopg connection; the last statement's rows."""
    rows: list[tuple[Any, ...]] = []
    for statement in statements(relative)[section]:
        cursor = conn.execute(statement.encode(), params)
        rows = cursor.fetchall() if cursor.description else []
    return rows


def copy_rows(conn: psycopg.Connection[Any], table: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` into `table` (a temp table the statements made)."""
    with conn.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))) as copy:
        for row in rows:
            copy.write_row(row)
