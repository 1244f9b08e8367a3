"""A national record by UPRN; a merged-away UPRN or an alias resolves to its successor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from nsai.query.errors import BadInput, NotFound
from nsai.query.geometry import locations
from nsai.query.models import Address
from nsai.query.sql import rows

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
    found = rows(conn, "lookup.sql", "address", uprn=check_uprn(uprn))
    if not found:
        successor = rows(conn, "lookup.sql", "successor", uprn=uprn)
        if not successor:
            raise NotFound(f"UPRN {uprn} is not in the gazetteer")
        return Moved(uprn, int(successor[0]["uprn"]))
    record = found[0]["record"]
    x, y = record.pop("x"), record.pop("y")
    record["location"] = None if x is None else locations([x], [y])[0]
    return Address.model_validate(record)


def published(conn: Connection) -> bool:
    """Whether any national record is published (a gazetteer with none is not ready to serve)."""
    return bool(rows(conn, "lookup.sql", "published")[0]["published"])
