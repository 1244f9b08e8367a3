"""List records read again with the names every loaded record knows (nsai.address.known).

A list that dropped its commas ("18 heol tai mawr gellideg merthyr tydfil cf48 1le") was parsed
at load time with nothing but its own words. At reconciliation the other records are known: the
streets that gazetteers and plainly written lists name, by postcode sector, district and town,
and their towns and localities. A list record whose street or place is none of those is read
again from its raw text with them; the new reading is kept only where it names a known street
followed by known places.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from nsai.address.known import Vocabulary, reread, stated_plainly
from nsai.address.normalise import match_keys
from nsai.address.parts import PART_NAMES, AddressParts
from nsai.match.records import MatchRecord, sao_identity


def vocabulary_of(records: Mapping[int, MatchRecord], raw: Mapping[int, str]) -> Vocabulary:
    """The names the records state plainly: every gazetteer record's, and a list record's when
    it is numbered and its street stands in a segment of its own."""
    vocabulary = Vocabulary()
    for record in records.values():
        text = raw.get(record.record_id)
        identified = record.pao_key is not None or record.building_key is not None
        if record.source_kind == "gazetteer" or (
            text is not None and stated_plainly(text, record.street_key, identified)
        ):
            vocabulary.add(
                record.street_key, record.postcode_key, record.town_key, record.locality_key
            )
            if record.building_key is not None and record.street_key is not None:
                vocabulary.add_building(
                    record.building_key, record.street_key, record.postcode_key, record.town_key
                )
    return vocabulary


def reread_records(
    records: Mapping[int, MatchRecord], raw: Mapping[int, str]
) -> dict[int, MatchRecord]:
    """The list records (`raw`: record_id -> the address as the list gave it) whose reading
    with the known names differs from their own, read anew."""
    vocabulary = vocabulary_of(records, raw)
    places = vocabulary.places.get("", set())
    changed: dict[int, MatchRecord] = {}
    for record_id, text in raw.items():
        record = records.get(record_id)
        if record is None:
            continue
        street, town, locality = record.street_key, record.town_key, record.locality_key
        parts = _unit_of_known_building(record, vocabulary)
        if parts is None and (
            street is not None
            and vocabulary.knows_street(street, record.postcode_key, town)
            and (town is None or town in places)
            and (locality is None or locality in places)
            and (
                record.building_key is None
                or vocabulary.building_street(record.building_key, record.postcode_key, town)
            )
        ):
            continue
        if parts is None:
            parts = reread(text, record.postcode, record.postcode_key, vocabulary)
        if parts is None:
            continue
        keys = match_keys(parts)
        # The postcode stays as loaded: a re-reading moves words between parts, never it.
        new = {name: getattr(parts, name) for name in PART_NAMES if name != "postcode"}
        new |= {k: v for k, v in dataclasses.asdict(keys).items() if k != "postcode_key"}
        new["sao_key"] = sao_identity(keys.sao_key)
        again = dataclasses.replace(record, **new)
        if again != record:
            changed[record_id] = again
    return changed


def _unit_of_known_building(record: MatchRecord, vocabulary: Vocabulary) -> AddressParts | None:
    """ "5, WAUNBANT CT" read as unit 5 of WAUNBANT COURT on the street the others put it on
    ("5, WAUNBANT COURT, SWANSEA ROAD"), when the record's street is a known building of its
    area, whose units the others number."""
    if record.street is None or record.pao_start_number is None:
        return None
    if record.sao_key is not None or record.pao_text is not None:
        return None
    building = match_keys(AddressParts(pao_text=record.street)).building_key
    if building is None:
        return None
    street = vocabulary.building_street(building, record.postcode_key, record.town_key)
    if street is None:
        return None
    return AddressParts(
        organisation=record.organisation,
        sao_start_number=record.pao_start_number,
        sao_start_suffix=record.pao_start_suffix,
        sao_end_number=record.pao_end_number,
        sao_end_suffix=record.pao_end_suffix,
        pao_text=record.street,
        street=street,
        locality=record.locality,
        town=record.town,
    )
