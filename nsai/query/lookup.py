"""A national record by UPRN; a merged-away UPRN or an alias resolves to its successor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection
from sqlalchemy.engine import Connection

from nsai.db.queries import execute, execute_async
from nsai.query.errors import BadInput, NotFound
from nsai.query.geometry import locations
from nsai.query.models import Address

MAX_UPRN = 999_999_999_999


@dataclass(frozen=True)
class Moved:
    """The UPRN asked for now lives on as `successor` (merged away, or another source's UPRN)."""

    uprn: int
    successor: int


def check_uprn(uprn: int) -> int:
    if not 1 <= uprn <= MAX_UPRN:
        raise BadInput("uprn", f"a UPRN is a whole number from 1 to {MAX_UPRN}")
    return uprn


def address(conn: Connection, uprn: int) -> Address | Moved:
    """The record of `uprn` (active or retired), or where it moved; NotFound if never published."""
    found = execute(conn, "query/lookup.sql", "address", returning=dict, uprn=check_uprn(uprn))
    if found:
        return _address(found[0]["record"])
    return _moved(uprn, execute(conn, "query/lookup.sql", "successor", returning=dict, uprn=uprn))


async def address_async(conn: AsyncConnection[Any], uprn: int) -> Address | Moved:
    """`address` on a connection of an event loop (the API's lookups, api/database.py)."""
    found = await execute_async(
        conn, "query/lookup.sql", "address", returning=dict, uprn=check_uprn(uprn)
    )
    if found:
        return _address(found[0]["record"])
    return _moved(
        uprn, await execute_async(conn, "query/lookup.sql", "successor", returning=dict, uprn=uprn)
    )


def _address(record: dict[str, Any]) -> Address:
    x, y = record.pop("x"), record.pop("y")
    record["location"] = None if x is None else locations([x], [y])[0]
    return Address.model_validate(record)


def _moved(uprn: int, successor: Sequence[Mapping[Any, Any]]) -> Moved:
    if not successor:
        raise NotFound(f"UPRN {uprn} is not in the gazetteer")
    return Moved(uprn, int(successor[0]["uprn"]))


def published(conn: Connection) -> bool:
    """Whether any national record is published (a gazetteer with none is not ready to serve)."""
    return bool(execute(conn, "query/lookup.sql", "published", returning=dict)[0]["published"])
