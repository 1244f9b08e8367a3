"""MatchRecords for the matcher's unit tests, built as a loader would store them."""

from __future__ import annotations

import dataclasses
from typing import Any

from nsai.address.normalise import match_keys
from nsai.address.parts import PART_NAMES, AddressParts
from nsai.match.records import MatchRecord


def match_record(record_id: int, **fields: Any) -> MatchRecord:
    """A list record of its own source unless told otherwise; match keys derived from the given
    parts as a loader derives them, unless given themselves."""
    parts = AddressParts(**{name: fields[name] for name in PART_NAMES if name in fields})
    values: dict[str, Any] = {
        "record_id": record_id,
        "source": f"list-{record_id}",
        "source_kind": "list",
        "duplicate_free": False,
        "source_priority": 5,
        "source_custodian": None,
        "custodian_code": None,
        "uprn": None,
        "parent_uprn": None,
        "classification": None,
        "logical_status": None,
        "rpc": None,
        "usrn": None,
        "x": None,
        "y": None,
    }
    values.update({name: getattr(parts, name) for name in PART_NAMES})
    values.update(dataclasses.asdict(match_keys(parts)))
    values.update(fields)
    return MatchRecord(**values)
