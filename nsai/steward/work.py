"""The frame of every steward operation: its transaction and lock, the rows it touches before
and after, its audit row, and republishing the national records it changed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import psycopg
from sqlalchemy.engine import Engine

from nsai.db import tables
from nsai.db.engine import driver_connection
from nsai.db.queries import copy_rows, execute
from nsai.errors import NsaiError
from nsai.match.cluster import Edge, apart, cluster
from nsai.match.job import PUBLISH_LOCK_KEY, PUBLISH_SQL, RECORDS_SQL, match_records
from nsai.match.national import DESIRED_COLUMNS, FATE, desired_row
from nsai.match.records import MatchRecord
from nsai.match.reread import as_read
from nsai.match.uprns import preference

OPERATIONS: Final = "steward/operations.sql"


class Conflict(NsaiError):
    """The operation does not fit the state it found (a stale version, a decided item, records
    that cannot be one property, a later change in the way of an undo): HTTP 409."""


Fate = tuple[str, int | None]  # ("active", None), ("merged", successor) or ("retired", None)


# What undo compares of the rows an operation left: who belongs where, and what was decided.
# A later run that only rewrote a link's score or a record's fields does not stand in the way.
ESSENCE: Final = {
    "national_address": ("uprn", "status", "successor_uprn"),
    "address_link": ("record_id", "uprn"),
    "review_item": ("review_id", "status"),
    "match_decision": ("record_a", "record_b", "decision"),
    "steward_hold": ("source_id", "source_ref", "uprn"),
    "field_override": ("uprn", "field", "value"),
    "uprn_alias": ("uprn", "national_uprn"),
}


def essence(snapshot: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: sorted(tuple(json.dumps(row[c]) for c in columns) for row in snapshot[table])
        for table, columns in ESSENCE.items()
    }


@dataclass
class Work:
    conn: psycopg.Connection[Any]
    kind: str
    actor: str
    reason: str | None
    operation_id: int
    uprns: set[int] = field(default_factory=set)
    records: set[int] = field(default_factory=set)
    reviews: set[int] = field(default_factory=set)
    before: str = "{}"

    def query(self, section: str, **params: Any) -> list[tuple[Any, ...]]:
        return execute(self.conn, OPERATIONS, section, **params)

    def decide_pair(self, a: int, b: int, decision: str) -> None:
        """A pair decision of this operation's, which every later run respects."""
        self.query(
            "decide_pair",
            a=a,
            b=b,
            decision=decision,
            actor=self.actor,
            reason=self.reason,
            operation=self.operation_id,
        )

    def begin(
        self, uprns: Iterable[int], records: Iterable[int] = (), reviews: Iterable[int] = ()
    ) -> None:
        """Name what the operation will touch; the rows as they are now become `before`."""
        self.uprns |= set(uprns)
        self.records |= set(records)
        self.reviews |= set(reviews)
        self.before = self._snapshot()

    def touch(self, uprns: Iterable[int]) -> None:
        """National records the operation made: in `after` only."""
        self.uprns |= set(uprns)

    def publish(self, fates: dict[int, Fate]) -> None:
        """Republish these national records from their links, as a run would."""
        republish(self.conn, fates, f"steward {self.kind}", self.actor, self.operation_id)

    def finish(self, params: dict[str, Any], undoes: int | None = None) -> None:
        params = params | {
            "uprns": sorted(str(u) for u in self.uprns),
            "records": sorted(str(r) for r in self.records),
            "reviews": sorted(str(r) for r in self.reviews),
        }
        self.query(
            "record_operation",
            operation=self.operation_id,
            kind=self.kind,
            actor=self.actor,
            reason=self.reason,
            params=json.dumps(params),
            before=self.before,
            after=self._snapshot(),
            undoes=undoes,
        )

    def _snapshot(self) -> str:
        (text,) = self.query(
            "snapshot",
            uprns=sorted(self.uprns),
            records=sorted(self.records),
            reviews=sorted(self.reviews),
        )[0]
        return str(text)


@contextmanager
def work(engine: Engine, kind: str, actor: str, reason: str | None) -> Iterator[Work]:
    """One operation: a transaction holding the publishing lock, committed when the block ends."""
    if not actor:
        raise NsaiError("an operation needs the name of who does it")
    with driver_connection(engine) as conn, conn.transaction():
        execute(conn, OPERATIONS, "lock", key=PUBLISH_LOCK_KEY)
        (operation_id,) = execute(conn, OPERATIONS, "next_operation")[0]
        yield Work(conn, kind, actor, reason or None, int(operation_id))


def members(conn: psycopg.Connection[Any], uprns: Iterable[int]) -> dict[int, list[int]]:
    """The record_ids linked to each of `uprns`."""
    found: dict[int, list[int]] = {u: [] for u in uprns}
    for uprn, record_id, _, _ in execute(conn, OPERATIONS, "links", uprns=sorted(found)):
        found[int(uprn)].append(int(record_id))
    return found


def records_of(conn: psycopg.Connection[Any], ids: Iterable[int]) -> dict[int, MatchRecord]:
    """The records as the last run read them (a list record it read again, as it read it)."""
    wanted = sorted(set(ids))
    records = {r.record_id: r for r in match_records(conn, wanted)}
    return as_read(records, execute(conn, RECORDS_SQL, "readings", dict, ids=wanted))


def why_apart(conn: psycopg.Connection[Any], groups: list[list[int]]) -> str | None:
    """Why the records of these national records (one list of record_ids each) cannot be one
    property under reconciliation's constraints, or None when they can. Reconcile would undo a
    merge it cannot keep, so such a merge is refused instead."""
    ids = [r for group in groups for r in group]
    records = records_of(conn, ids)
    rejected = [
        (int(a), int(b)) for a, b in execute(conn, OPERATIONS, "rejected_among", records=ids)
    ]
    # Each group is one property already; the first records of the groups are joined first.
    edges = [Edge(g[i], g[i + 1], 1.0) for g in groups for i in range(len(g) - 1)]
    accepted = [(groups[0][0], g[0]) for g in groups[1:]]
    if len(cluster(records, edges, accepted=accepted, rejected=rejected)) == 1:
        return None
    refused = set(rejected)
    for i, group in enumerate(groups):
        for other in groups[i + 1 :]:
            for a in group:
                for b in other:
                    if (min(a, b), max(a, b)) in refused:
                        return f"a steward decided records {a} and {b} are different properties"
                    reason = apart(records[a], records[b])
                    if reason:
                        return f"records {a} and {b}: {reason}"
    return "their records cannot be one property"


def best_first(conn: psycopg.Connection[Any], ids: Iterable[int]) -> list[int]:
    """Record ids in the preference order of UPRNs and survivorship (best first)."""
    records = records_of(conn, ids)
    return [r.record_id for r in sorted(records.values(), key=preference)]


def republish(
    conn: psycopg.Connection[Any],
    fates: dict[int, Fate],
    cause: str,
    actor: str,
    operation: int | None,
) -> None:
    """The national records `fates` names, made to agree with their links: the active ones'
    fields by survivorship and stewards' overrides, the others merged or retired; each change
    an event, and the bulk matcher's keys in step."""
    tables.create_staging(conn, *tables.DESIRED)
    active = sorted(u for u, (fate, _) in fates.items() if fate == "active")
    linked = members(conn, active)
    ids = [r for group in linked.values() for r in group]
    records = records_of(conn, ids)
    parents = {int(r): int(u) for r, u in execute(conn, OPERATIONS, "parents", records=ids)}
    overrides: dict[int, dict[str, Any]] = {}
    for uprn, name, value in execute(conn, OPERATIONS, "overrides", uprns=active):
        overrides.setdefault(int(uprn), {})[name] = value
    rows = []
    for uprn in active:
        group = [records[r] for r in linked[uprn]]
        if not group:
            raise Conflict(f"UPRN {uprn} would hold no source record")
        parent = next(
            (
                parents[r.record_id]
                for r in sorted(group, key=preference)
                if parents.get(r.record_id) not in (None, uprn)
            ),
            None,
        )
        rows.append(desired_row(uprn, parent, group, overrides.get(uprn)))
    copy_rows(conn, tables.desired_address, DESIRED_COLUMNS, rows)
    copy_rows(
        conn,
        tables.desired_fate,
        FATE,
        [(u, fate, related) for u, (fate, related) in sorted(fates.items()) if fate != "active"],
    )
    events: dict[str, Any] = {"run": None, "cause": cause, "actor": actor, "operation": operation}
    execute(conn, PUBLISH_SQL, "custodians")
    for section in ("create", "update", "announce_created", "fates"):
        execute(conn, PUBLISH_SQL, section, **events)
    execute(conn, OPERATIONS, "match_keys", uprns=sorted(fates), records=ids)
