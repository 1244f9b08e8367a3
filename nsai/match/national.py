"""A national record's published fields from its source records: survivorship, then the fields
a steward set by hand (field_override), which survivorship never overrides."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, get_args

from nsai.address.parts import PART_NAMES
from nsai.address.render import single_line
from nsai.db import tables
from nsai.match.records import MatchRecord
from nsai.match.survive import survive

DESIRED_COLUMNS: Final = tables.columns(tables.desired_address)  # what `desired_row` gives
FATE: Final = ("uprn", "fate", "related_uprn")  # a desired_fate row: a UPRN no longer active
# Fields a steward may set (sql/006_steward.sql field_override); `location` is {"x", "y"} in
# EPSG:27700, or null. The type names them for the API's schema, the set for the checks.
EditableField = Literal[
    "organisation",
    "sao_text",
    "pao_text",
    "street",
    "locality",
    "town",
    "postcode",
    "classification",
    "logical_status",
    "location",
]
EDITABLE: Final = frozenset(get_args(EditableField))


def desired_row(
    uprn: int,
    parent: int | None,
    members: Sequence[MatchRecord],
    overrides: Mapping[str, Any] | None = None,
) -> tuple[Any, ...]:
    """The desired_address row of the national record `uprn` holding `members`."""
    s = survive(sorted(members, key=lambda r: r.record_id))
    parts = s.parts
    values: dict[str, Any] = {
        "uprn": uprn,
        "parent_uprn": parent,
        "usrn": s.usrn,
        **{name: getattr(parts, name) for name in PART_NAMES},
        "single_line": s.single_line,
        "classification": s.classification,
        "logical_status": s.logical_status,
        "custodian_code": s.custodian_code,
        "rpc": s.rpc,
        "x": s.x,
        "y": s.y,
        "source_count": len(members),  # source records, as the API reports them
    }
    if overrides:
        for field, value in overrides.items():
            if field == "location":
                values["x"], values["y"] = (value["x"], value["y"]) if value else (None, None)
            else:
                values[field] = value
        # The single line follows the parts a steward set.
        rendered = overrides.keys() & set(PART_NAMES)
        if rendered:
            parts = dataclasses.replace(parts, **{name: overrides[name] for name in rendered})
            values["single_line"] = single_line(parts)
    return tuple(values[name] for name in DESIRED_COLUMNS)
