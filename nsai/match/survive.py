"""Survivorship: the national record's fields, chosen per field from the records of one property.

"Best" is the preference order of `nsai.match.uprns.preference`: lower source_priority, then a
council's record for its own area, then logical_status 1, then the smaller record_id. Each field
comes from the best record that has a value for it, with these readings:

- The address parts (organisation, SAO, PAO, street, locality, town) come whole from one record,
  the best one with an address (a PAO, a number or a name, and a street), so a flat number of
  one record never meets the street of another; when no record has one, from the best record.
- The postcode is the best valid one, in its canonical form; when no record has a valid one, the
  best invalid one is kept, flagged invalid (an invalid postcode is never dropped).
- Coordinates come from the record with the lowest RPC, then the best; records without an RPC
  (lists) rank after every record with one.
- The custodian is the council of an own-council record if any, else of the best gazetteer
  record that names one: a list's say does not outrank a gazetteer's.
- The parent UPRN is the best record's with a UPRN of its own, even when that record has no
  parent: only records in a UPRN hierarchy (gazetteers) speak about parents.
- source_count counts distinct sources, not records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nsai.address.parts import LINE_PARTS, AddressParts
from nsai.address.postcode import normalise_postcode
from nsai.address.render import single_line
from nsai.match.records import MatchRecord
from nsai.match.uprns import preference


@dataclass(frozen=True)
class Survivor:
    parts: AddressParts
    single_line: str  # render.single_line(parts)
    classification: str | None
    logical_status: int | None
    custodian_code: int | None
    parent_uprn: int | None  # the source's parent UPRN: the caller maps it to a national one
    usrn: int | None
    x: float | None
    y: float | None
    rpc: int | None
    source_count: int


def survive(members: Sequence[MatchRecord]) -> Survivor:
    """The national record of one property from its source records (at least one)."""
    if not members:
        raise ValueError("survivorship needs at least one record")
    ranked = sorted(members, key=preference)
    address = next((record for record in ranked if _has_address(record)), ranked[0])
    parts = _parts(address, *_postcode(ranked))
    placed = [record for record in ranked if record.x is not None and record.y is not None]
    position = min(
        placed,
        key=lambda record: (record.rpc is None, record.rpc or 0, preference(record)),
        default=None,
    )
    own_council = next((record for record in ranked if record.own_council_record), None)
    custodian = own_council or next(
        (
            record
            for record in ranked
            if record.source_kind == "gazetteer" and record.custodian_code is not None
        ),
        None,
    )
    in_hierarchy = next((record for record in ranked if record.uprn is not None), None)
    return Survivor(
        parts=parts,
        single_line=single_line(parts),
        classification=next(
            (record.classification for record in ranked if record.classification), None
        ),
        logical_status=next(
            (record.logical_status for record in ranked if record.logical_status is not None),
            None,
        ),
        custodian_code=custodian.custodian_code if custodian else None,
        parent_uprn=in_hierarchy.parent_uprn if in_hierarchy else None,
        usrn=next((record.usrn for record in ranked if record.usrn is not None), None),
        x=position.x if position else None,
        y=position.y if position else None,
        rpc=position.rpc if position else None,
        source_count=len({record.source for record in members}),
    )


def _has_address(record: MatchRecord) -> bool:
    has_pao = record.pao_start_number is not None or bool(record.pao_text)
    return has_pao and bool(record.street)


def _postcode(ranked: Sequence[MatchRecord]) -> tuple[str | None, bool | None]:
    """(postcode, valid): the best valid postcode, else the best invalid one, else (None, None)."""
    invalid: str | None = None
    for record in ranked:
        postcode, valid = normalise_postcode(record.postcode)
        if valid:
            return postcode, True
        if invalid is None:
            invalid = postcode
    return invalid, (False if invalid is not None else None)


def _parts(record: MatchRecord, postcode: str | None, postcode_valid: bool | None) -> AddressParts:
    return AddressParts(
        **{name: getattr(record, name) for name in LINE_PARTS},
        postcode=postcode,
        postcode_valid=postcode_valid,
    )
