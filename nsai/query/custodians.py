"""The councils responsible for addresses (local custodians), with their address counts."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from nsai.db.queries import execute
from nsai.query.errors import BadInput, NotFound
from nsai.query.models import CustodianCount, Custodians


def custodians(conn: Connection) -> Custodians:
    found = execute(conn, "query/custodians.sql", "custodians", returning=dict)
    return Custodians(data=[CustodianCount.model_validate(dict(row)) for row in found])


def custodian(conn: Connection, code: int) -> CustodianCount:
    if not 1 <= code <= 9999:
        raise BadInput("code", "a local custodian code from 1 to 9999")
    found = execute(conn, "query/custodians.sql", "custodian", returning=dict, code=code)
    if not found:
        raise NotFound(f"no custodian with code {code}")
    return CustodianCount.model_validate(dict(found[0]))
