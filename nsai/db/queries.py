"""Named SQL kept in files under sql/ (beside, not among, the migrations).

`-- name: NAME` opens a section; a section holds one or more statements, each ending with `;`
at the end of a line (so no statement may hold such a semicolon inside a string).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Sequence
from functools import cache
from typing import Any, TypeVar

import psycopg
from psycopg import sql
from psycopg.rows import BaseRowFactory, RowMaker, dict_row, tuple_row
from sqlalchemy import Table
from sqlalchemy.engine import Connection

from nsai.db import tables
from nsai.db.migrate import sql_dir
from nsai.errors import NsaiError

T = TypeVar("T")

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
    conn: psycopg.Connection[Any] | Connection,
    relative: str,
    section: str,
    returning: type[Any] | None = None,
    **params: Any,
) -> list[Any]:
    """Run a section of sql/RELATIVE (its statements in order, every value bound as a
    parameter); the last statement's rows: tuples, or `returning` made of each (`dict`, or a
    dataclass whose fields the columns are named as, in order: see `dataclass_row`).

    On a SQLAlchemy connection the statements go through SQLAlchemy, so that a connection the
    server dropped is known to its pool as such."""
    if isinstance(conn, Connection):
        return _execute_sqlalchemy(conn, relative, section, returning, params)
    rows: list[Any] = []
    with conn.cursor(row_factory=_factory(returning)) as cursor:
        for statement in statements(relative)[section]:
            cursor.execute(statement.encode(), params)
            rows = cursor.fetchall() if cursor.description else []
    return rows


async def execute_async(
    conn: psycopg.AsyncConnection[Any],
    relative: str,
    section: str,
    returning: type[Any] | None = None,
    **params: Any,
) -> list[Any]:
    """`execute` on a psycopg connection of an event loop."""
    rows: list[Any] = []
    async with conn.cursor(row_factory=_factory(returning)) as cursor:
        for statement in statements(relative)[section]:
            await cursor.execute(statement.encode(), params)
            rows = await cursor.fetchall() if cursor.description else []
    return rows


def _factory(returning: type[Any] | None) -> BaseRowFactory[Any]:
    if returning is None:
        return tuple_row
    if returning is dict:
        return dict_row
    return dataclass_row(returning)


def _execute_sqlalchemy(
    conn: Connection,
    relative: str,
    section: str,
    returning: type[Any] | None,
    params: dict[str, Any],
) -> list[Any]:
    result = None
    for statement in statements(relative)[section]:
        result = conn.exec_driver_sql(statement, params)
    if result is None or not result.returns_rows:
        return []
    if returning is None:
        return [tuple(row) for row in result]
    names = tuple(result.keys())
    if returning is dict:
        return [dict(zip(names, row, strict=True)) for row in result]  # twice as fast as mappings()
    _check_names(returning, names)
    return [returning(*row) for row in result]


def dataclass_row(cls: type[T], shared: Collection[str] = ()) -> BaseRowFactory[T]:
    """A row factory making `cls` (a dataclass) from rows whose columns are named as its fields,
    in their order: the names are checked once per statement, and each row is then made by
    position, as fast as a tuple (psycopg's class_row builds a dict for every row). The values
    of the `shared` columns, which repeat from row to row (a town, a source's name), are one
    object per distinct value for the statement, not one per row."""

    def factory(cursor: Any) -> RowMaker[T]:
        names = tuple(c.name for c in cursor.description or ())
        _check_names(cls, names)
        if not shared:
            return lambda values: cls(*values)
        # One dict per column: 1, 1.0 and True are one key, and must not be one value.
        seen: dict[int, dict[Any, Any]] = {i: {} for i, name in enumerate(names) if name in shared}

        def make(values: Sequence[Any]) -> T:
            row = list(values)
            for i, kept in seen.items():
                row[i] = kept.setdefault(row[i], row[i])
            return cls(*row)

        return make

    return factory


def _check_names(cls: type[Any], names: tuple[str, ...]) -> None:
    fields = tuple(f.name for f in dataclasses.fields(cls))
    if names != fields:
        raise NsaiError(f"the query's columns {names} are not {cls.__name__}'s fields {fields}")


def copy_rows(
    conn: psycopg.Connection[Any],
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """COPY `rows`, their values in the order of `columns`, into `table` (a column not named is
    NULL); a name that is no column of `table` is an error, not a value lost."""
    unknown = set(columns) - set(tables.columns(table))
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor().copy(query) as copy:
        for row in rows:
            copy.write_row(row)
