"""Where a national record comes from and what happened to it: the source records linked to it
(with the score, decision and explanation of each link) and its change events, newest first."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from nsai.db.queries import execute
from nsai.query import paging
from nsai.query.addresses import located
from nsai.query.errors import NotFound
from nsai.query.lookup import Moved, check_uprn
from nsai.query.models import AddressableObject, ChangeEvent, Location

_CURSOR_KEY: Final = re.compile(r"e([1-9][0-9]{0,17})")
_NO_CURSOR: Final = 2**63 - 1


class Comparison(BaseModel):
    """One comparison of a scored pair: the level the two records agreed at and its weight."""

    level: str = Field(description="How the two records compared (`exact`, `one slip`, ...).")
    bits: float = Field(description="Its contribution to the score, in bits (negative: against).")


class SourceRecord(BaseModel):
    """A source record as loaded, and the link that puts it in the national record."""

    record_id: int
    source: str = Field(description="The source's name (`nsai sources`).")
    source_ref: str = Field(description="The record's key in its source.")
    source_uprn: int | None = Field(description="The UPRN the source gave the record, if any.")
    parent_uprn: int | None
    usrn: int | None
    organisation: str | None
    sao: AddressableObject
    pao: AddressableObject
    street: str | None
    locality: str | None
    town: str | None
    postcode: str | None
    raw_address: str | None = Field(description="The address as one line, where a list gave it.")
    classification: str | None
    logical_status: int | None
    blpu_state: int | None
    rpc: int | None = Field(description="Representative point code of the location.")
    custodian_code: int | None
    location: Location | None
    loaded_at: datetime
    removed: bool = Field(description="A later load of its source no longer holds it.")
    score: float | None = Field(description="The link's score, 0-1 (none for a new record).")
    decision: Literal["matched", "new", "review", "manual"] = Field(
        description="How the record came to this UPRN: matched to another record, the first of "
        "a new one, left apart pending review, or a steward's decision."
    )
    explanation: dict[str, Comparison] = Field(
        description="Each comparison behind the score (empty when there was none)."
    )
    linked_at: datetime


class SourceRecords(BaseModel):
    uprn: int
    data: list[SourceRecord]


class HistoryEvent(ChangeEvent):
    cause: str = Field(description="What made the change (`reconcile`, a steward's operation).")
    actor: str = Field(description="Who: `nsai` for a job, else the API key's name.")


class HistoryPage(BaseModel):
    uprn: int
    data: list[HistoryEvent] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for older events.")


def _resolve(conn: Connection, uprn: int) -> str | Moved:
    """The record's status, or where a UPRN that names no national record resolves (an alias);
    NotFound if it was never published."""
    found = execute(conn, "query/lineage.sql", "status", returning=dict, uprn=check_uprn(uprn))
    if found:
        return str(found[0]["status"])
    successor = execute(conn, "query/lookup.sql", "successor", returning=dict, uprn=uprn)
    if not successor:
        raise NotFound(f"UPRN {uprn} is not in the gazetteer")
    return Moved(uprn, int(successor[0]["uprn"]))


def comparisons(raw: Any) -> dict[str, Comparison]:
    """A link's stored explanation (`{"pao": ["exact", 7.0], ..., "score": 0.98}`) as
    comparisons; the overall score, and anything not a comparison, left out."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, Comparison] = {}
    for name, value in raw.items():
        if isinstance(value, list | tuple) and len(value) == 2:
            level, bits = value
            if isinstance(level, str) and isinstance(bits, int | float):
                out[name] = Comparison(level=level, bits=float(bits))
        elif isinstance(value, dict) and {"level", "bits"} <= value.keys():
            out[name] = Comparison.model_validate(value)
    return out


def sources(conn: Connection, uprn: int) -> SourceRecords | Moved:
    """The source records linked to `uprn`, most trusted source first; a merged-away UPRN or an
    alias resolves (Moved) to the record that holds its links now."""
    status = _resolve(conn, uprn)
    if isinstance(status, Moved):
        return status
    if status == "merged":
        successor = execute(conn, "query/lookup.sql", "successor", returning=dict, uprn=uprn)
        if successor:
            return Moved(uprn, int(successor[0]["uprn"]))
    found = execute(conn, "query/lineage.sql", "sources", returning=dict, uprn=uprn)

    data = [
        SourceRecord.model_validate(
            {
                key: row[key]
                for key in SourceRecord.model_fields
                if key not in ("sao", "pao", "location", "explanation")
            }
            | {
                "sao": AddressableObject.of(row, "sao"),
                "pao": AddressableObject.of(row, "pao"),
                "location": point,
                "explanation": comparisons(row["explanation"]),
            }
        )
        for row, point in zip(found, located(found), strict=True)
    ]
    return SourceRecords(uprn=uprn, data=data)


def _before(field: str, token: str | None) -> int:
    """The event a history page's cursor stops at (the largest id when None)."""
    if token is None:
        return _NO_CURSOR
    return int(paging.decode_key(field, token, _CURSOR_KEY)[1])


def history(conn: Connection, uprn: int, limit: int, cursor: str | None) -> HistoryPage | Moved:
    """The change events of `uprn` (its own, and those naming it as the related record), newest
    first. A merged-away or retired UPRN has a history of its own; an alias resolves (Moved)."""
    before = _before("cursor", cursor)
    status = _resolve(conn, uprn)
    if isinstance(status, Moved):
        return status
    found = execute(
        conn,
        "query/lineage.sql",
        "history",
        returning=dict,
        uprn=uprn,
        before=before,
        limit=limit + 1,
    )
    events = [HistoryEvent.model_validate(dict(row)) for row in found[:limit]]
    more = len(found) > limit
    return HistoryPage(
        uprn=uprn,
        data=events,
        next_cursor=paging.encode_key(f"e{events[-1].event_id}") if more and events else None,
    )
