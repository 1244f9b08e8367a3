"""A national record by UPRN; a merged-away UPRN or an alias resolves to its successor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from nsai.query.addresses import located
from nsai.query.errors import BadInput, NotFound
from nsai.query.models import Address, AddressableObject, Custodian
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
    row = found[0]

    def part(prefix: str) -> AddressableObject:
        return AddressableObject(
            start_number=row[f"{prefix}_start_number"],
            start_suffix=row[f"{prefix}_start_suffix"],
            end_number=row[f"{prefix}_end_number"],
            end_suffix=row[f"{prefix}_end_suffix"],
            text=row[f"{prefix}_text"],
        )

    code = row["custodian_code"]
    return Address(
        uprn=row["uprn"],
        status=row["status"],
        single_line=row["single_line"],
        organisation=row["organisation"],
        sao=part("sao"),
        pao=part("pao"),
        street=row["street"],
        locality=row["locality"],
        town=row["town"],
        postcode=row["postcode"],
        usrn=row["usrn"],
        parent_uprn=row["parent_uprn"],
        classification=row["classification"],
        logical_status=row["logical_status"],
        custodian=None if code is None else Custodian(code=code, name=row["custodian_name"]),
        location=located(found)[0],
        source_count=row["source_count"],
        version=row["version"],
        last_changed=row["updated_at"],
    )


def published(conn: Connection) -> bool:
    """Whether any national record is published (a gazetteer with none is not ready to serve)."""
    return bool(rows(conn, "lookup.sql", "published")[0]["published"])
