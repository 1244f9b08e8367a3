"""Addresses by postcode: a full unit ("AB1 2CD"), a sector ("AB1 2") or a district ("AB1"), in
any case and spacing, in natural order (street, number, suffix, flat)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from sqlalchemy.engine import Connection

from nsai.address.postcode import normalise_postcode
from nsai.db.queries import execute
from nsai.query.addresses import summaries
from nsai.query.errors import BadInput, NotFound
from nsai.query.models import AddressSummary, PostcodePage

_OUTWARD: Final = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_SECTOR: Final = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])")
_MAX_LENGTH: Final = 16


@dataclass(frozen=True)
class PostcodeQuery:
    label: str
    scope: Literal["unit", "sector", "district"]
    pattern: str  # a LIKE pattern of letters, digits, one blank, _ and %


def parse_postcode(raw: str) -> PostcodeQuery:
    """A unit, sector or district; an outward code alone ("AB12") is a district, never read as
    the sector "AB1 2" (write the blank for that)."""
    if len(raw) <= _MAX_LENGTH:
        unit, valid = normalise_postcode(raw)
        if valid and unit:
            return PostcodeQuery(unit, "unit", unit)
        words = " ".join(raw.upper().split())
        if _OUTWARD.fullmatch(words):
            return PostcodeQuery(words, "district", words + " %")
        sector = _SECTOR.fullmatch(words)
        if sector:
            label = f"{sector[1]} {sector[2]}"
            return PostcodeQuery(label, "sector", label + "__")
    raise BadInput("postcode", "not a postcode, sector or district (e.g. AB1 2CD, AB1 2, AB1)")


def addresses(conn: Connection, raw: str, limit: int, offset: int) -> PostcodePage:
    """One page of the addresses in a postcode; NotFound when it holds none."""
    query = parse_postcode(raw)
    total = int(
        execute(conn, "query/postcodes.sql", "count", returning=dict, pattern=query.pattern)[0][
            "count"
        ]
    )
    if total == 0:
        raise NotFound(f"no addresses in {query.scope} {query.label}")
    found = execute(
        conn,
        "query/postcodes.sql",
        "addresses",
        returning=dict,
        pattern=query.pattern,
        limit=limit,
        offset=offset,
    )
    return PostcodePage(
        postcode=query.label,
        scope=query.scope,
        total=total,
        offset=offset,
        limit=limit,
        data=summaries(found, AddressSummary),
    )
