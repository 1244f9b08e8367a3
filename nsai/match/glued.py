"""House names glued to their street: "WOODLANDS TANYARD CLOSE" from a list that dropped the
comma between "Woodlands" and "Tanyard Close".

The parser cannot split such a line by itself ("CHURCH FARM LANE" is a street), but the other
sources can: when another record in the same town (or postcode) names a house WOODLANDS on
TANYARD CLOSE, a record with no house name or number whose street is "WOODLANDS TANYARD CLOSE"
is read as that house name on that street. Only the split that another record confirms is
taken, and never when the whole line is itself a street that some record names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from nsai.address.normalise import match_keys
from nsai.address.parts import AddressParts
from nsai.match.records import MatchRecord

Place = tuple[str, str]  # ("town", town key) or ("postcode", postcode key)


def split_glued_names(records: Mapping[int, MatchRecord]) -> dict[int, MatchRecord]:
    """The records read anew (by record_id): only those whose street was a house name glued
    to a street that other records confirm."""
    named: set[tuple[Place, str, str]] = set()  # (place, street key, building key)
    streets: set[tuple[Place, str]] = set()
    for record in records.values():
        if record.street_key is None:
            continue
        for place in _places(record):
            if record.building_key is not None or record.pao_key is not None:
                streets.add((place, record.street_key))
            if record.building_key is not None:
                named.add((place, record.street_key, record.building_key))
    split: dict[int, MatchRecord] = {}
    for record_id, record in records.items():
        if record.building_key is not None or record.pao_key is not None:
            continue
        if record.street_key is None or " " not in record.street_key:
            continue
        places = list(_places(record))
        if any((place, record.street_key) in streets for place in places):
            continue  # the whole line is a street some record names
        found = _split(record, places, named)
        if found is not None:
            split[record_id] = found
    return split


def _places(record: MatchRecord) -> Iterable[Place]:
    if record.town_key is not None:
        yield ("town", record.town_key)
    if record.postcode_key is not None:
        yield ("postcode", record.postcode_key)


def _split(
    record: MatchRecord, places: list[Place], named: set[tuple[Place, str, str]]
) -> MatchRecord | None:
    assert record.street_key is not None
    words = record.street_key.split(" ")
    for cut in range(1, len(words)):
        name = " ".join(words[:cut])
        street = " ".join(words[cut:])
        building = match_keys(AddressParts(pao_text=name)).building_key
        if building is None or not any((p, street, building) in named for p in places):
            continue
        # The parts as written, where the street's words match its key's one for one.
        written = (record.street or "").split()
        if len(written) == len(words):
            name, street_text = " ".join(written[:cut]), " ".join(written[cut:])
        else:
            street_text = street
        return dataclasses.replace(
            record,
            pao_text=name,
            street=street_text,
            building_key=building,
            street_key=street,
        )
    return None
