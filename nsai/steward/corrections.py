"""Corrections of national records: merge two, split a source record out of one, retire one,
edit a field; and undo any operation. Each applies at once and lasts (see nsai/steward)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.engine import Engine

from nsai.address.postcode import normalise_postcode
from nsai.match.national import EDITABLE
from nsai.query.errors import BadInput, NotFound
from nsai.steward.work import (
    Conflict,
    Fate,
    Work,
    best_first,
    essence,
    members,
    why_apart,
    work,
)

MAX_TEXT: Final = 200
CLASSIFICATION: Final = re.compile(r"^[A-Z]{1,2}([0-9]{2}[A-Z]{0,2})?$")
LOGICAL_STATUSES: Final = frozenset((1, 5, 6, 7, 8, 9))
# Great Britain in EPSG:27700, as the loaders check points.
BNG_X: Final = (0.0, 700_000.0)
BNG_Y: Final = (0.0, 1_300_000.0)


@dataclass(frozen=True)
class Done:
    operation_id: int
    kind: str
    uprns: list[int]  # the national records it changed
    message: str  # one line, for the CLI and the API


def _active(w: Work, uprns: list[int], versions: dict[int, int] | None = None) -> None:
    """Lock the national records; each must exist, be active and (if given) at its version."""
    found = {
        int(u): (status, version)
        for u, status, _, version in w.query("national_for_update", uprns=uprns)
    }
    for uprn in uprns:
        if uprn not in found:
            raise NotFound(f"UPRN {uprn} is not in the gazetteer")
        status, version = found[uprn]
        if status != "active":
            raise Conflict(f"UPRN {uprn} is {status}, not active")
        if versions and uprn in versions and versions[uprn] != version:
            raise Conflict(
                f"UPRN {uprn} is at version {version}, not {versions[uprn]}: someone changed it "
                "since you read it; read it again"
            )


def merge_into(w: Work, uprn: int, into: int) -> None:
    """Inside an operation: `uprn`'s records join `into`, which `uprn` resolves to for ever."""
    linked = members(w.conn, [uprn, into])
    reason = why_apart(w.conn, [linked[into], linked[uprn]])
    if reason:
        raise Conflict(f"UPRN {uprn} and UPRN {into} cannot be one property: {reason}")
    w.begin([uprn, into], linked[uprn] + linked[into], w.reviews)
    # One accepted pair joins the two in every later run; the rest follow by their matches.
    a, b = best_first(w.conn, linked[uprn])[0], best_first(w.conn, linked[into])[0]
    w.decide_pair(a, b, "accept")
    w.query("move_links", uprn=uprn, into=into)
    w.query("link", uprn=into, records=[a, b])
    w.query("move_aliases", uprn=uprn, into=into)
    w.publish({into: ("active", None), uprn: ("merged", into)})


def merge(
    engine: Engine,
    uprn: int,
    into: int,
    actor: str,
    reason: str | None,
    versions: dict[int, int] | None = None,
) -> Done:
    if uprn == into:
        raise BadInput("into", "a UPRN cannot be merged into itself")
    with work(engine, "merge", actor, reason) as w:
        _active(w, sorted((uprn, into)), versions)
        merge_into(w, uprn, into)
        w.finish({"uprn": uprn, "into": into})
    return Done(w.operation_id, "merge", [into, uprn], f"UPRN {uprn} merged into UPRN {into}")


def split(
    engine: Engine,
    source: str,
    source_ref: str,
    actor: str,
    reason: str | None,
    to: int | None = None,
) -> Done:
    """The current record `source_ref` of `source` out of its national record: to a new UPRN, or
    to the national record `to`."""
    with work(engine, "split", actor, reason) as w:
        found = w.query("record", source=source, ref=source_ref)
        if not found or found[0][1] is None:
            raise NotFound(f"{source} has no current record {source_ref!r} linked to a UPRN")
        record_id, uprn = int(found[0][0]), int(found[0][1])
        if to == uprn:
            raise BadInput("to", f"record {source}:{source_ref} is in UPRN {uprn} already")
        both = [uprn] if to is None else [uprn, to]
        _active(w, sorted(both))
        linked = members(w.conn, both)
        others = [r for r in linked[uprn] if r != record_id]
        if not others:
            instead = f": merge UPRN {uprn} into UPRN {to} instead" if to is not None else ""
            raise Conflict(
                f"record {source}:{source_ref} is the only record of UPRN {uprn}: nothing to "
                f"split it from{instead}"
            )
        if to is not None:
            why = why_apart(w.conn, [linked[to], [record_id]])
            if why:
                raise Conflict(f"record {source}:{source_ref} cannot join UPRN {to}: {why}")
        w.begin(both, [r for u in both for r in linked[u]])
        # Kept apart from every record it leaves, in every later run.
        for other in others:
            w.decide_pair(record_id, other, "reject")
        if to is None:
            (target,) = w.query("allocate")[0]
            target = int(target)
            # A row for the link to point at; publishing fills it in and announces it created.
            w.query("placeholder", uprn=target)
        else:
            target = to
            anchor = best_first(w.conn, linked[to])[0]
            w.decide_pair(record_id, anchor, "accept")
        w.query("link", uprn=target, records=[record_id])
        w.touch([target])
        w.publish({uprn: ("active", None), target: ("active", None)})
        w.finish({"source": source, "source_ref": source_ref, "from": uprn, "to": target})
    where = "a new UPRN" if to is None else "UPRN"
    return Done(
        w.operation_id,
        "split",
        [uprn, target],
        f"record {source}:{source_ref} split out of UPRN {uprn} into {where} {target}",
    )


def retire(engine: Engine, uprn: int, actor: str, reason: str | None) -> Done:
    """The national record retired; its records stay linked to it and out of matching."""
    with work(engine, "retire", actor, reason) as w:
        _active(w, [uprn])
        linked = members(w.conn, [uprn])
        w.begin([uprn], linked[uprn])
        w.query("hold", uprn=uprn, operation=w.operation_id)
        w.publish({uprn: ("retired", None)})
        w.finish({"uprn": uprn})
    return Done(w.operation_id, "retire", [uprn], f"UPRN {uprn} retired")


def edit(
    engine: Engine,
    uprn: int,
    name: str,
    value: Any,
    actor: str,
    reason: str | None,
    version: int | None = None,
) -> Done:
    """Set one field of a national record by hand: no later run overrides it."""
    if not reason:
        raise BadInput("reason", "an edit needs a reason")
    checked = check_field(name, value)
    with work(engine, "edit", actor, reason) as w:
        _active(w, [uprn], {uprn: version} if version is not None else None)
        linked = members(w.conn, [uprn])
        w.begin([uprn], linked[uprn])
        w.query(
            "override", uprn=uprn, field=name, value=json.dumps(checked), operation=w.operation_id
        )
        w.publish({uprn: ("active", None)})
        w.finish({"uprn": uprn, "field": name, "value": checked})
    return Done(w.operation_id, "edit", [uprn], f"UPRN {uprn}: {name} set to {checked!r}")


def check_field(name: str, value: Any) -> Any:
    """The value as stored, or BadInput naming the field."""
    if name not in EDITABLE:
        raise BadInput("field", f"one of {', '.join(sorted(EDITABLE))}")
    if value is None:
        return None
    if name == "location":
        if not isinstance(value, dict) or set(value) != {"x", "y"}:
            raise BadInput("value", 'a location is {"x": EASTING, "y": NORTHING} in EPSG:27700')
        x, y = value["x"], value["y"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y)):
            raise BadInput("value", "easting and northing are numbers")
        if not (BNG_X[0] <= x <= BNG_X[1] and BNG_Y[0] <= y <= BNG_Y[1]):
            raise BadInput("value", "the point is outside Great Britain's national grid")
        return {"x": float(x), "y": float(y)}
    if name == "logical_status":
        if not isinstance(value, int) or isinstance(value, bool) or value not in LOGICAL_STATUSES:
            raise BadInput("value", "a logical status is 1, 5, 6, 7, 8 or 9")
        return value
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise BadInput("value", f"text of 1 to {MAX_TEXT} characters, or null")
    text = " ".join(value.split()).upper()
    if name == "postcode":
        postcode, valid = normalise_postcode(text)
        if not valid:
            raise BadInput("value", f"{value!r} is not a valid postcode")
        return postcode
    if name == "classification" and not CLASSIFICATION.match(text):
        raise BadInput("value", f"{value!r} is not a classification code (RD04, CR, ...)")
    return text


def undo(engine: Engine, operation_id: int, actor: str, reason: str | None) -> Done:
    """Put back what operation `operation_id` changed, and republish. Refused while a later
    operation that touched the same records stands, or when a run or load changed them since."""
    with work(engine, "undo", actor, reason) as w:
        found = w.query("operation", operation=operation_id)
        if not found:
            raise NotFound(f"there is no operation {operation_id}")
        _, kind, _, _, params, before, after, _, _, undone_by = found[0]
        if kind == "undo":
            raise Conflict(f"operation {operation_id} is an undo: do the operation again instead")
        if undone_by is not None:
            raise Conflict(f"operation {operation_id} was undone already, by {undone_by}")
        later = w.query(
            "later_operations",
            operation=operation_id,
            uprns=params["uprns"],
            records=params["records"],
            reviews=params["reviews"],
        )
        if later:
            number, later_kind, by, _ = later[0]
            raise Conflict(
                f"operation {number} ({later_kind} by {by}) changed the same records after "
                f"operation {operation_id}: undo it first"
            )
        uprns = [int(u) for u in params["uprns"]]
        w.query("national_for_update", uprns=uprns)
        w.begin(uprns, [int(r) for r in params["records"]], [int(r) for r in params["reviews"]])
        if essence(json.loads(w.before)) != essence(after):
            raise Conflict(f"{_changed_since(w, operation_id, uprns)}: it cannot be undone")
        w.query(
            "restore",
            before=json.dumps(before),
            uprns=uprns,
            records=sorted(w.records),
            reviews=sorted(w.reviews),
        )
        w.publish(_fates_after_undo(w, before, after))
        w.finish({"undone": operation_id, "kind": kind}, undoes=operation_id)
    return Done(w.operation_id, "undo", uprns, f"operation {operation_id} ({kind}) undone")


def _changed_since(w: Work, operation_id: int, uprns: list[int]) -> str:
    found = w.query("changed_since", operation=operation_id, uprns=uprns)
    if not found:
        return f"the records operation {operation_id} touched changed since (a load?)"
    uprn, cause, actor, run, operation, _ = found[0]
    by = f"run {run}" if run else f"operation {operation} by {actor}" if operation else cause
    return f"UPRN {uprn} changed after operation {operation_id}, by {by}"


def _fates_after_undo(w: Work, before: dict[str, Any], after: dict[str, Any]) -> dict[int, Fate]:
    """Each national record as it was before the operation; one it created merges into the
    record its source records went back to (it was published: it must resolve for ever)."""
    fates: dict[int, Fate] = {
        int(row["uprn"]): (row["status"], row["successor_uprn"])
        for row in before["national_address"]
    }
    existed = set(fates)
    links = {int(row["record_id"]): int(row["uprn"]) for row in before["address_link"]}
    for row in after["national_address"]:
        uprn = int(row["uprn"])
        if uprn in existed:
            continue
        back = {
            links[int(r["record_id"])]
            for r in after["address_link"]
            if int(r["uprn"]) == uprn and int(r["record_id"]) in links
        }
        fates[uprn] = ("merged", min(back)) if back else ("retired", None)
    return fates
