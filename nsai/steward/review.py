"""The review queue: listing uncertain pairs with both records side by side, and a steward's
decision on one, which applies at once: accept merges the two national records, reject keeps
them apart for ever, defer puts the item aside."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal

import psycopg
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from nsai.db.engine import driver_connection
from nsai.db.queries import execute
from nsai.query.addresses import located
from nsai.query.errors import BadInput, NotFound
from nsai.query.lineage import Comparison, comparisons
from nsai.query.models import AddressableObject, Location
from nsai.steward.corrections import Done, merge_into
from nsai.steward.work import Conflict, Work, best_first, members, work

REVIEW: Final = "steward/review.sql"
MAX_PAGE: Final = 200
Decision = Literal["accept", "reject", "defer"]
STATUS_OF: Final = {"accept": "accepted", "reject": "rejected", "defer": "deferred"}


class ReviewRecord(BaseModel):
    record_id: int
    source: str
    source_ref: str
    uprn: int | None = Field(description="The national record it is linked to.")
    organisation: str | None
    sao: AddressableObject
    pao: AddressableObject
    street: str | None
    locality: str | None
    town: str | None
    postcode: str | None
    classification: str | None
    logical_status: int | None
    location: Location | None


class ReviewPair(BaseModel):
    record_a: int
    record_b: int
    score: float


class ReviewItem(BaseModel):
    review_id: int
    score: float
    status: str
    version: int
    distance_m: float | None = Field(description="Between the two records' points, if both.")
    explanation: dict[str, Comparison]
    decided_by: str | None
    record_a: ReviewRecord
    record_b: ReviewRecord
    pairs: list[ReviewPair] = Field(
        description="Every uncertain pair of source records between the same two national "
        "records, the one shown first: a decision on the item is a decision on all of them."
    )


class ReviewPage(BaseModel):
    data: list[ReviewItem]
    counts: dict[str, int]
    next_cursor: str | None


def queue(
    engine: Engine,
    *,
    status: Sequence[str] = ("open", "deferred"),
    source: str | None = None,
    custodian: int | None = None,
    postcode_area: str | None = None,
    min_score: float = 0.0,
    max_score: float = 1.0,
    limit: int = 50,
    cursor: str | None = None,
) -> ReviewPage:
    if not 1 <= limit <= MAX_PAGE:
        raise BadInput("limit", f"1 to {MAX_PAGE}")
    unknown = set(status) - {"open", "deferred", "accepted", "rejected", "closed"}
    if unknown or not status:
        raise BadInput("status", "open, deferred, accepted, rejected or closed")
    if not 0 <= min_score <= max_score <= 1:
        raise BadInput("min_score", "0 <= min_score <= max_score <= 1")
    area = postcode_area.strip().upper() if postcode_area else None
    if area is not None and not (area.isalpha() and 1 <= len(area) <= 2):
        raise BadInput("postcode_area", "the letters of a postcode area, like OX or B")
    after = None
    if cursor is not None:
        if not cursor.isdigit() or len(cursor) > 18:
            raise BadInput("cursor", "the next_cursor of the previous page")
        after = int(cursor)
    with driver_connection(engine) as conn:
        ids = [
            int(r)
            for (r,) in execute(
                conn,
                REVIEW,
                "items",
                statuses=list(status),
                after=after,
                source=source,
                custodian=custodian,
                area=area,
                min_score=min_score,
                max_score=max_score,
                limit=limit + 1,
            )
        ]
        items = _items(conn, ids[:limit])
        opened, deferred = execute(conn, REVIEW, "counts")[0]
        conn.rollback()
    more = len(ids) > limit
    return ReviewPage(
        data=items,
        counts={"open": int(opened), "deferred": int(deferred)},
        next_cursor=str(ids[limit - 1]) if more else None,
    )


def item(engine: Engine, review_id: int) -> ReviewItem:
    with driver_connection(engine) as conn:
        found = _items(conn, [review_id])
        conn.rollback()
    if not found:
        raise NotFound(f"there is no review item {review_id}")
    return found[0]


def _items(conn: psycopg.Connection[Any], ids: list[int]) -> list[ReviewItem]:
    if not ids:
        return []
    rows = execute(conn, REVIEW, "item", dict, ids=ids)
    wanted = sorted({row[side] for row in rows for side in ("record_a", "record_b")})
    found = execute(conn, REVIEW, "records", dict, ids=wanted)
    records = {
        row["record_id"]: _record(row, point)
        for row, point in zip(found, located(found), strict=True)
    }
    return [
        ReviewItem(
            review_id=row["review_id"],
            score=round(row["score"], 4),
            status=row["status"],
            version=row["version"],
            distance_m=None if row["distance_m"] is None else round(row["distance_m"], 1),
            explanation=comparisons(row["explanation"]),
            decided_by=row["decided_by"],
            record_a=records[row["record_a"]],
            record_b=records[row["record_b"]],
            pairs=_pairs(row["record_a"], row["record_b"], row["score"], row["pairs"]),
        )
        for row in rows
    ]


def _pairs(a: int, b: int, score: float, stored: list[list[Any]]) -> list[ReviewPair]:
    """The item's pairs as the run stored them; an item opened before runs stored them holds
    its own pair alone."""
    pairs = [ReviewPair(record_a=int(x), record_b=int(y), score=float(s)) for x, y, s in stored]
    return pairs or [ReviewPair(record_a=a, record_b=b, score=round(score, 4))]


def _record(row: dict[str, Any], location: Location | None) -> ReviewRecord:
    fields = ReviewRecord.model_fields.keys() - {"sao", "pao", "location"}
    return ReviewRecord(
        **{name: row[name] for name in fields},
        sao=AddressableObject.of(row, "sao"),
        pao=AddressableObject.of(row, "pao"),
        location=location,
    )


def decide(
    engine: Engine,
    review_id: int,
    decision: Decision,
    version: int | None,
    actor: str,
    reason: str | None,
) -> Done:
    """A steward's decision on a review item, applied at once. `version` (the item's, as read)
    guards against deciding what someone else decided meanwhile: None takes it as it is."""
    if decision not in STATUS_OF:
        raise BadInput("decision", "accept, reject or defer")
    with work(engine, decision, actor, reason) as w:
        found = execute(w.conn, REVIEW, "for_update", review=review_id)
        if not found:
            raise NotFound(f"there is no review item {review_id}")
        _, a, b, status, current, decided_by, pairs = found[0]
        if status not in ("open", "deferred"):
            raise Conflict(f"review item {review_id} was {status} already, by {decided_by}")
        if version is not None and version != current:
            raise Conflict(
                f"review item {review_id} is at version {current}, not {version}: someone "
                "changed it since you read it; read it again"
            )
        w.reviews.add(review_id)
        others = [(int(x), int(y)) for x, y, _ in pairs if (int(x), int(y)) != (a, b)]
        _apply(w, review_id, decision, int(a), int(b), others)
        execute(w.conn, REVIEW, "decide", status=STATUS_OF[decision], actor=actor, review=review_id)
        w.finish({"review_id": review_id, "decision": decision, "records": [a, b]})
    return Done(
        w.operation_id,
        decision,
        sorted(w.uprns),
        f"review item {review_id} {STATUS_OF[decision]}",
    )


def _apply(
    w: Work, review_id: int, decision: str, a: int, b: int, others: list[tuple[int, int]]
) -> None:
    """The decision on the item's pair (a, b); a rejection is one of `others` too, the item's
    other pairs between the same national records, so that no run asks about them again."""
    national = {int(r): int(u) for r, u in execute(w.conn, REVIEW, "national_of", ids=[a, b])}
    ua, ub = national.get(a), national.get(b)
    if decision == "accept" and ua is not None and ub is not None and ua != ub:
        w.query("national_for_update", uprns=sorted((ua, ub)))
        survivor, other = _survivor(w, ua, ub)
        w.records |= {a, b}
        merge_into(w, other, survivor)  # records the accepted pair among the rest
        w.decide_pair(a, b, "accept")
        w.query("link", uprn=survivor, records=[a, b])
        return
    touched = {a, b} | ({r for pair in others for r in pair} if decision == "reject" else set())
    w.begin([u for u in (ua, ub) if u is not None], sorted(touched), [review_id])
    if decision != "defer":
        w.decide_pair(a, b, decision)
    if decision == "reject":
        for x, y in others:
            w.decide_pair(x, y, decision)


def _survivor(w: Work, ua: int, ub: int) -> tuple[int, int]:
    """(survivor, merged away): the national record with more records keeps its UPRN, ties
    to the one holding the better record, as a run would keep it."""
    linked = members(w.conn, [ua, ub])
    if len(linked[ua]) != len(linked[ub]):
        return (ua, ub) if len(linked[ua]) > len(linked[ub]) else (ub, ua)
    best = best_first(w.conn, linked[ua] + linked[ub])[0]
    return (ua, ub) if best in linked[ua] else (ub, ua)
