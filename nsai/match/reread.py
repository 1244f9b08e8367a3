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
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Final

from rapidfuzz import process
from rapidfuzz.distance import OSA

from nsai.address.known import Vocabulary, read_again, stated_plainly
from nsai.address.normalise import MatchKeys, match_keys, one_slip
from nsai.address.parts import LINE_PARTS, PART_NAMES, AddressParts
from nsai.address.render import number_range
from nsai.match.records import MatchRecord, sao_identity

LIST_SUPPORT: Final = 2  # list records that must state a name before it is known

KEY_NAMES = tuple(field.name for field in dataclasses.fields(MatchKeys))
# A reading as record_reading holds it (sql/011_record_reading.sql), after its record_id: the
# parts and keys but the postcode's, which a reading never moves.
_READ_KEYS: Final = tuple(name for name in KEY_NAMES if name != "postcode_key")
READING_COLUMNS: Final = (*LINE_PARTS, *_READ_KEYS)


def reading_row(record: MatchRecord) -> tuple[Any, ...]:
    """A record read again, as a row of record_reading."""
    return (record.record_id, *(getattr(record, name) for name in READING_COLUMNS))


def as_read(
    records: dict[int, MatchRecord], readings: Iterable[Mapping[str, Any]]
) -> dict[int, MatchRecord]:
    """`records` as the last run read them, from their rows of record_reading."""
    read = dict(records)
    for row in readings:
        if row["record_id"] in read:
            values = {name: row[name] for name in READING_COLUMNS}
            read[row["record_id"]] = dataclasses.replace(read[row["record_id"]], **values)
    return read


def vocabulary_of(records: Mapping[int, MatchRecord], raw: Mapping[int, str]) -> Vocabulary:
    """The names the records state plainly: every gazetteer record's, and a list record's when
    it is numbered or named and its street stands in a segment of its own, once at least two
    list records state that street (a list's slip is rarely made twice: "14, EDWARD SRREET"
    teaches nothing), and its places but those `places_of_lists` leaves out."""
    stated: list[MatchRecord] = []
    for record in records.values():
        text = raw.get(record.record_id)
        identified = record.pao_key is not None or record.building_key is not None
        if record.source_kind == "gazetteer" or (
            text is not None
            and stated_plainly(text, record.street_key, identified, record.locality_key)
        ):
            stated.append(record)
    listed = [r for r in stated if r.source_kind != "gazetteer"]
    support = Counter(r.street_key for r in listed)
    gazetteer_places = {
        place
        for r in stated
        if r.source_kind == "gazetteer"
        for place in (r.town_key, r.locality_key)
        if place
    }
    places = places_of_lists(
        Counter(place for r in listed for place in {r.town_key, r.locality_key} if place),
        gazetteer_places,
    )
    vocabulary = Vocabulary()
    for record in stated:
        if record.source_kind == "gazetteer":
            town, locality = record.town_key, record.locality_key
        elif support[record.street_key] >= LIST_SUPPORT:
            town = record.town_key if record.town_key in places else None
            locality = record.locality_key if record.locality_key in places else None
        else:
            continue
        vocabulary.add(record.street_key, record.postcode_key, town, locality)
        if record.building_key is not None and record.street_key is not None:
            unit = None
            if record.sao_text is None and record.pao_key is None:
                unit = number_range(
                    record.sao_start_number,
                    record.sao_start_suffix or "",
                    record.sao_end_number,
                    record.sao_end_suffix or "",
                )
            vocabulary.add_building(
                record.building_key, record.street_key, record.postcode_key, town, unit
            )
    return vocabulary


def places_of_lists(places: Counter[str], known: set[str]) -> Counter[str]:
    """The places lists name (with how many records name each), without those one slip from a
    place named ten times as often (the slips a list makes in a town every record names,
    "MRTHYR TYDFIL", repeat) and without two known places run together ("OAKWOOD FOXWOOD", a
    locality and its town where a list dropped the comma between them)."""
    names = list(places)
    kept: Counter[str] = Counter()
    for place, count in places.items():
        words = place.split(" ")
        if any(
            _named(" ".join(words[:cut]), places, known)
            and _named(" ".join(words[cut:]), places, known)
            for cut in range(1, len(words))
        ):
            continue
        if not any(
            places[other] >= 10 * count and one_slip(place, other)
            for other, _, _ in process.extract(
                place, names, scorer=OSA.distance, score_cutoff=1, limit=5
            )
        ):
            kept[place] = count
    return kept


def _named(place: str, places: Counter[str], known: set[str]) -> bool:
    return place in known or places[place] >= LIST_SUPPORT


def reread_records(
    records: Mapping[int, MatchRecord], raw: Mapping[int, str], vocabulary: Vocabulary
) -> dict[int, MatchRecord]:
    """The list records (`raw`: record_id -> the address as the list gave it) whose reading
    with the known names differs from their own, read anew."""
    changed: dict[int, MatchRecord] = {}
    for record_id, text in raw.items():
        record = records.get(record_id)
        if record is None or vocabulary.settles(record):
            continue
        parts = AddressParts(**{name: getattr(record, name) for name in PART_NAMES})
        keys = MatchKeys(**{name: getattr(record, name) for name in KEY_NAMES})
        again = read_again(text, parts, keys, vocabulary)
        if again is None:
            continue
        found = match_keys(again)
        # The postcode stays as loaded: a re-reading moves words between parts, never it.
        new = {name: getattr(again, name) for name in LINE_PARTS}
        new |= {name: getattr(found, name) for name in _READ_KEYS}
        new["sao_key"] = sao_identity(found.sao_key)
        read = dataclasses.replace(record, **new)
        if read != record:
            changed[record_id] = read
    return changed
