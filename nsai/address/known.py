"""Reading a one-line address with the names the gazetteers already know.

Without commas or street-type words the parser cannot tell where a street ends and a place
begins: "64 the hawthorns pant cf482ej" reads as the street THE HAWTHORNS PANT. The other
records can: THE HAWTHORNS is a street of postcode sector CF48 2 and PANT a locality. A
`Vocabulary` holds those names (streets by postcode sector, district and town; places), and
`reread` looks in the address's words for a known street followed only by known places, puts
the commas back where they were, and parses the address again with the one parser.

A known street is trusted only from a record that says it plainly: a gazetteer's, or a list's
numbered address whose street stood in a segment of its own ("64, THE HAWTHORNS, PANT"). A place
one slip from a known one counts as that place ("MERTHYR TYDIL"), and a street one slip from a
street of the same postcode sector or district ("23 GLNAMORLAIS PANT"); nothing is read anew
when no known street is found.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol

from rapidfuzz import process
from rapidfuzz.distance import OSA

from nsai.address.normalise import (
    BUILDING_WORDS,
    NUMBER_WORD,
    STREET_ABBREVIATIONS,
    STREET_OR_PLACE_TYPES,
    STREET_TYPES,
    MatchKeys,
    expand_place_words,
    expand_street_words,
    line_segments,
    normalise_street,
    one_slip,
    tokenise,
)
from nsai.address.parse import parse_address
from nsai.address.parts import AddressParts
from nsai.address.postcode import split_trailing_postcode
from nsai.address.render import pao_numbers, sao_numbers

# Words a street's name shares with many others, and whose spelling lists abbreviate.
_TYPE_WORDS: Final = (
    STREET_TYPES | STREET_OR_PLACE_TYPES | BUILDING_WORDS | frozenset(STREET_ABBREVIATIONS.values())
)
LONGEST_PLACE: Final = 4  # words
LONGEST_STREET: Final = 6  # words
SLIP_MIN_LENGTH: Final = 6  # letters: shorter names are too often other names one slip away
NEAR_KEPT: Final = 1_024  # sets of areas whose streets Vocabulary.streets_near keeps
PLACE_SLIP_MIN_LENGTH: Final = 5  # within a postcode district, places are few ("PANTT")
KNOWN_NAME: Final = ("kind", "area", "name", "street")  # a known_name row: `Vocabulary.rows`


class Keyed(Protocol):
    """What `Vocabulary.confirms` reads of an address: its keys (MatchKeys, a MatchRecord)."""

    @property
    def street_key(self) -> str | None: ...
    @property
    def town_key(self) -> str | None: ...
    @property
    def locality_key(self) -> str | None: ...
    @property
    def postcode_key(self) -> str | None: ...
    @property
    def building_key(self) -> str | None: ...


class Read(Keyed, Protocol):
    """A record as loaded, keys and parts (a MatchRecord)."""

    @property
    def sao_key(self) -> str | None: ...
    @property
    def pao_key(self) -> str | None: ...
    @property
    def pao_text(self) -> str | None: ...


@dataclass
class Vocabulary:
    """Street keys by area ("S" + sector, "D" + district, "T" + town key, "" everywhere), and
    place keys (town and locality) by postcode district ("" everywhere)."""

    streets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    places: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Named buildings, sites and terraces ("5, WAUNBANT COURT, SWANSEA ROAD", "KENAUD, FAIR
    # VIEW ESTATE, SWANSEA ROAD"): area -> building key -> the street the building is on.
    buildings: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    # Their numbered units ("2, CYFARTHFA COURT, GWAELODYGARTH LANE"): area -> "BUILDING|2" ->
    # the street. A number alone on a known building's name is a unit only where one is known.
    units: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    # The streets of a few recent sets of areas, by length, for the one-slip search (reread):
    # building their union for every span of words tried was half its cost.
    _near: dict[tuple[str, ...], dict[int, list[str]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add(
        self,
        street_key: str | None,
        postcode_key: str | None,
        town_key: str | None,
        locality_key: str | None,
    ) -> None:
        """Learn a record's names (its keys, as nsai.address.normalise.match_keys makes them)."""
        for place in (town_key, locality_key):
            if place:
                self.places[""].add(place)
                if postcode_key:
                    self.places["D" + postcode_key[:-3]].add(place)
        if not street_key:
            return
        self._near.clear()
        self.streets[""].add(street_key)
        for area in _areas(postcode_key, town_key):
            self.streets[area].add(street_key)
        if locality_key:
            self.streets["T" + locality_key].add(street_key)

    def knows_street(self, street_key: str, postcode_key: str | None, town_key: str | None) -> bool:
        areas = _areas(postcode_key, town_key)
        if not areas:
            return street_key in self.streets[""]
        return any(street_key in self.streets.get(area, ()) for area in areas)

    def streets_near(self, areas: tuple[str, ...], length: int) -> list[str]:
        """The streets known in any of `areas` whose names are `length` letters long, give or
        take one: the only ones a name of that length can be one slip from."""
        near = self._near.get(areas)
        if near is None:
            if len(self._near) >= NEAR_KEPT:
                self._near.clear()
            near = defaultdict(list)
            for street in set().union(*(self.streets.get(area, ()) for area in areas)):
                near[len(street)].append(street)
            self._near[areas] = near
        return [s for n in (length - 1, length, length + 1) for s in near.get(n, ())]

    def add_building(
        self,
        building_key: str,
        street_key: str,
        postcode_key: str | None,
        town_key: str | None,
        unit: str | None = None,
    ) -> None:
        """Learn a named building on its street, and the number of a unit in it if given."""
        for area in _areas(postcode_key, town_key):
            self.buildings[area].setdefault(building_key, street_key)
            if unit:
                self.units[area].setdefault(f"{building_key}|{unit}", street_key)

    def unit_street(
        self, building_key: str, unit: str, postcode_key: str | None, town_key: str | None
    ) -> str | None:
        """The street of a known unit `unit` of a known building of the area, or None."""
        return _in_area(self.units, f"{building_key}|{unit}", postcode_key, town_key)

    def building_street(
        self, building_key: str, postcode_key: str | None, town_key: str | None
    ) -> str | None:
        """The street a known building of the area is on, or None."""
        return _in_area(self.buildings, building_key, postcode_key, town_key)

    def rows(self) -> Iterator[tuple[str, str, str, str | None]]:
        """A row (`KNOWN_NAME`) for each name known: what a run publishes (known_name)."""
        for area, streets in self.streets.items():
            for street in streets:
                yield "street", area, street, None
        for area, places in self.places.items():
            for place in places:
                yield "place", area, place, None
        for area, buildings in self.buildings.items():
            for building, street in buildings.items():
                yield "building", area, building, street
        for area, units in self.units.items():
            for unit, street in units.items():
                yield "unit", area, unit, street

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, str | None]]) -> Vocabulary:
        vocabulary = cls()
        for kind, area, name, street in rows:
            if kind == "street":
                vocabulary.streets[area].add(name)
            elif kind == "place":
                vocabulary.places[area].add(name)
            elif kind == "building" and street is not None:
                vocabulary.buildings[area][name] = street
            elif street is not None:
                vocabulary.units[area][name] = street
        return vocabulary

    def settles(self, record: Read) -> bool:
        """Whether a record needs no reading again: every name of it known, and no known unit
        it could be (read_again would leave it as it is)."""
        could_be_unit = (
            record.sao_key is None
            and record.pao_text is None
            and self.unit_of(
                record.street_key, record.pao_key, record.postcode_key, record.town_key
            )
            is not None
        )
        return not could_be_unit and self.confirms(record)

    def unit_of(
        self,
        street_key: str | None,
        pao_key: str | None,
        postcode_key: str | None,
        town_key: str | None,
    ) -> str | None:
        """The street of the known unit a house numbered `pao_key` on `street_key` could be
        ("5, WAUNBANT CT": unit 5 of WAUNBANT COURT, on SWANSEA ROAD), or None."""
        if not self.units or street_key is None or pao_key is None:
            return None
        # The street's name as a building's key (nsai.address.normalise: no leading THE).
        building = _building(street_key.split(" "))
        return self.unit_street(building, pao_key, postcode_key, town_key)

    def confirms(self, keys: Keyed) -> bool:
        """Whether every name of an address is one the vocabulary knows in its area."""
        street, town, locality = keys.street_key, keys.town_key, keys.locality_key
        places = self.places.get("", set())
        return (
            street is not None
            and self.knows_street(street, keys.postcode_key, town)
            and (town is None or town in places)
            and (locality is None or locality in places)
            and (
                keys.building_key is None
                or self.building_street(keys.building_key, keys.postcode_key, town) is not None
            )
        )


def read_again(
    text: str, parts: AddressParts, keys: MatchKeys, vocabulary: Vocabulary
) -> AddressParts | None:
    """`text`, parsed as `parts` with `keys`, read with the known names; None when its own
    reading stands (every name known) or no other is confirmed."""
    unit = _unit_of_known_building(parts, keys, vocabulary)
    if unit is not None:
        return unit
    if vocabulary.confirms(keys):
        return None
    street = keys.street_key
    if (
        street is not None
        and keys.town_key is None
        and street in vocabulary.places.get("", ())
        and not vocabulary.knows_street(street, keys.postcode_key, None)
        and (keys.pao_key is not None or keys.building_key is not None)
    ):
        # The street left out: "HOLLY HOUSE, 30, EXAMPLETOWN" names a known town, no street.
        return dataclasses.replace(parts, street=None, town=street)
    if street is not None and vocabulary.knows_street(street, keys.postcode_key, keys.town_key):
        # A known street keeps its reading: only its places, and a dwelling's name before a
        # known site, are read again.
        around = _around_known_street(parts, keys, vocabulary)
        return around if around != parts else None
    again = reread(text, parts.postcode, keys.postcode_key, vocabulary)
    # Names move between parts, numbers never go: a reading that lost or made one is wrong.
    return again if again is not None and _numbers(again) == _numbers(parts) else None


def _around_known_street(
    parts: AddressParts, keys: MatchKeys, vocabulary: Vocabulary
) -> AddressParts:
    """`parts` with their places read as known places ("DOWLAIS MERTHYR TYDFIL" as DOWLAIS,
    MERTHYR TYDFIL) and a building named before a known site as a dwelling there ("KENAUD
    FAIR VIEW ESTATE"), where the known names read them so."""
    words = tokenise(" ".join(p for p in (parts.locality, parts.town) if p))
    tails = _place_tails(["", *words], keys.postcode_key, vocabulary)
    if words and 1 in tails:
        places = [place for _, place in tails[1]]
        parts = dataclasses.replace(
            parts, locality=places[0] if len(places) > 1 else None, town=places[-1]
        )
    if parts.pao_text and not parts.sao_text and keys.sao_key is None:
        street = keys.street_key or ""
        named = _named_site(tokenise(parts.pao_text), street, keys.postcode_key, vocabulary)
        if len(named) == 2:
            parts = dataclasses.replace(
                parts, sao_text=named[0], pao_text=normalise_street(named[1])
            )
    return parts


def _numbers(parts: AddressParts) -> list[str]:
    return sorted(n for n in (sao_numbers(parts), pao_numbers(parts)) if n)


def _unit_of_known_building(
    parts: AddressParts, keys: MatchKeys, vocabulary: Vocabulary
) -> AddressParts | None:
    """ "5, WAUNBANT CT" read as unit 5 of WAUNBANT COURT on the street the others put it on
    ("5, WAUNBANT COURT, SWANSEA ROAD"), when that unit of that building is known there."""
    if keys.sao_key is not None or parts.pao_text is not None:
        return None
    street = vocabulary.unit_of(keys.street_key, keys.pao_key, keys.postcode_key, keys.town_key)
    if street is None:
        return None
    return dataclasses.replace(
        parts,
        sao_start_number=parts.pao_start_number,
        sao_start_suffix=parts.pao_start_suffix,
        sao_end_number=parts.pao_end_number,
        sao_end_suffix=parts.pao_end_suffix,
        pao_start_number=None,
        pao_start_suffix=None,
        pao_end_number=None,
        pao_end_suffix=None,
        pao_text=parts.street,
        street=street,
    )


def stated_plainly(
    raw_address: str, street_key: str | None, identified: bool, place_key: str | None = None
) -> bool:
    """Whether a list's record, `identified` by a number or a name, names its street in a
    segment of its own ("14, MILL LANE" or "ROSE COTTAGE, MILL LANE"), or followed only by its
    place (`place_key`: "ROCKY ROAD PENYDARREN"), so its street can teach a `Vocabulary`."""
    if not identified or not street_key:
        return False
    segments = [segment for segment in line_segments(raw_address) if segment.strip()]
    if len(segments) < 2:
        return False  # a line without commas says nothing of where its street ends
    # Only a segment holding the street's most telling word can state it (most hold none).
    telling = max(street_key.split(" "), key=lambda w: (w not in _TYPE_WORDS, len(w)))
    for segment in segments:
        if telling not in _TYPE_WORDS and telling not in segment:
            continue
        named = _segment_street(segment.strip())
        if named == street_key or (place_key and named == f"{street_key} {place_key}"):
            return True
    return False


def _segment_street(segment: str) -> str:
    """A segment as a street key, without the house number opening it ("12 MILL LN")."""
    head, _, rest = segment.partition(" ")
    if rest and head[:1].isdigit() and NUMBER_WORD.fullmatch(head):
        segment = rest
    return _street_key(segment)


@functools.lru_cache(maxsize=1 << 16)
def _street_key(text: str) -> str:
    # Lists repeat a street's segment for every house on it: each is read once.
    words = tokenise(text)
    if words and NUMBER_WORD.fullmatch(words[0]):
        words = words[1:]
    return " ".join(expand_street_words(words))


def _areas(postcode_key: str | None, town_key: str | None) -> list[str]:
    areas = []
    if postcode_key:
        areas += ["S" + postcode_key[:-2], "D" + postcode_key[:-3]]
    if town_key:
        areas.append("T" + town_key)
    return areas


def _in_area(
    known: Mapping[str, Mapping[str, str]],
    name: str,
    postcode_key: str | None,
    town_key: str | None,
) -> str | None:
    """What `known` holds for `name` in the narrowest of a record's areas that knows it."""
    for area in _areas(postcode_key, town_key):
        found = known.get(area, {}).get(name)
        if found is not None:
            return found
    return None


def reread(
    text: str, postcode: str | None, postcode_key: str | None, vocabulary: Vocabulary
) -> AddressParts | None:
    """`text` parsed again with commas where the known names say they go, or None when no
    known street (or known building with its street) followed only by known places is in it.
    A name one slip from exactly one known name is read as that name. `postcode` is a separate
    postcode column (or None); `postcode_key` the address's postcode key, to look names up by
    area."""
    line = " ".join(segment for segment in line_segments(text) if segment.strip())
    rest, found = split_trailing_postcode(line)
    words = tokenise(rest)
    if len(words) < 2:
        return None
    tails = _place_tails(words, postcode_key, vocabulary)
    best = next(
        (
            (start, end, known)
            for start, end, number in _spans(words, tails)
            if (
                known := _street_known(
                    words[start:end], number, postcode_key, tails[end], vocabulary
                )
            )
            is not None
        ),
        None,
    )
    if best is None:
        return None
    start, end, (street, building) = best
    places = [place for _, place in tails[end]]
    before = _named_site(words[:start], street, postcode_key, vocabulary) if start else []
    if building is not None:
        before = [*before, building]
    segments = [*before, street, *places]
    postcode = postcode if postcode else found
    parts = parse_address(segments, postcode)
    if normalise_street(parts.street or "") == street:
        return parts
    if any(NUMBER_WORD.fullmatch(word) for word in words[:start]):
        return None
    # Names alone, which the parser cannot tell from places ("FRESH WINDS, WAUN BANT"): the
    # known names say which is which.
    return AddressParts(
        sao_text=before[0] if len(before) > 1 else None,
        pao_text=normalise_street(before[-1]) if before else None,
        street=street,
        locality=places[0] if len(places) > 1 else None,
        town=places[-1] if places else None,
        postcode=parts.postcode,
        postcode_valid=parts.postcode_valid,
    )


def _spans(
    words: list[str], tails: dict[int, list[tuple[int, str]]]
) -> Iterator[tuple[int, int, str | None]]:
    """Where the street could be (start, end, and the house number before it), best first: the
    house number just before its street reads best; then the longest street, then the fewest
    places after it."""
    ends = sorted(tails, reverse=True)
    numbered = [
        start > 0 and NUMBER_WORD.fullmatch(words[start - 1]) is not None
        for start in range(len(words))
    ]
    for want in (True, False):
        for size in range(LONGEST_STREET, 0, -1):
            for end in ends:
                start = end - size
                if start >= 0 and numbered[start] is want:
                    yield start, end, words[start - 1] if want else None


def _named_site(
    words: list[str], street: str, postcode_key: str | None, vocabulary: Vocabulary
) -> list[str]:
    """The words before `street` as segments: a dwelling's name apart from the site or
    building known on that street that closes them ("KENAUD | FAIR VIEW ESTATE"), else one
    segment; never when the whole name is a building known there ("JASMINE BARN" beside a
    known "THE BARN")."""
    if vocabulary.building_street(_building(words), postcode_key, None) == street:
        return [" ".join(words)]
    for cut in range(1, len(words)):
        site = _building(words[cut:])
        if site and vocabulary.building_street(site, postcode_key, None) == street:
            return [" ".join(words[:cut]), " ".join(words[cut:])]
    return [" ".join(words)]


def _building(words: list[str]) -> str:
    """A building key of `words` (without a leading THE)."""
    return " ".join(expand_street_words(words[1:] if words and words[0] == "THE" else words))


def _place_tails(
    words: list[str], postcode_key: str | None, vocabulary: Vocabulary
) -> dict[int, list[tuple[int, str]]]:
    """For each position that known places (and nothing else) follow to the end, those places
    (where each starts, and its known key), read from the end; position len(words) has none.
    At least one word is left before them."""
    n = len(words)
    tails: dict[int, list[tuple[int, str]]] = {n: []}
    end = n
    while end > 1:
        found = _place_ending(words, end, postcode_key, vocabulary)
        if found is None:
            break
        size, place = found
        tails[end - size] = [(end - size, place), *tails[end]]
        end -= size
    return tails


def _place_ending(
    words: list[str], end: int, postcode_key: str | None, vocabulary: Vocabulary
) -> tuple[int, str] | None:
    """The known place whose words end at `end` (how many, and its key), or None: the longest
    spelt as known, else the shortest one slip from a known one ("OAKWOOD FXWOOD" is OAKWOOD
    and FOXWOOD, whatever a list ran together)."""
    longest = min(LONGEST_PLACE, end - 1)
    for slips, sizes in ((False, range(longest, 0, -1)), (True, range(1, longest + 1))):
        for size in sizes:
            place = _place_known(words[end - size : end], postcode_key, vocabulary, slips)
            if place is not None:
                return size, place
    return None


def _place_known(
    words: list[str], postcode_key: str | None, vocabulary: Vocabulary, slips: bool = True
) -> str | None:
    """The known place `words` name, exactly or (with `slips`) one slip from it (within the
    postcode's district, or anywhere without a postcode); None when none or several fit."""
    key = " ".join(expand_place_words(words))
    if key in vocabulary.places.get("", ()):
        return key
    if not slips or len(key) < (PLACE_SLIP_MIN_LENGTH if postcode_key else SLIP_MIN_LENGTH):
        return None
    area = "D" + postcode_key[:-3] if postcode_key else ""
    return _one_slip_from(key, vocabulary.places.get(area, ()))


_Known = tuple[str, str | None]  # the known street, and the known building on it if named


def _street_known(
    words: list[str],
    number: str | None,
    postcode_key: str | None,
    places: list[tuple[int, str]],
    vocabulary: Vocabulary,
) -> _Known | None:
    """The known street `words` name in the area, or the known building whose unit `number`
    (the number before them) is known, with the street it is on; exactly or, where the
    postcode or a known place gives the area, one slip from exactly one known street."""
    if NUMBER_WORD.fullmatch(words[0]) or NUMBER_WORD.fullmatch(words[-1]):
        return None
    key = normalise_street(" ".join(words))
    areas = _areas(postcode_key, None) + ["T" + place for _, place in places]
    streets = vocabulary.streets
    if not areas:
        return (key, None) if key in streets.get("", ()) else None
    # A known unit of that number in a building of that name says more than a street of the
    # name some lists give.
    building = key.removeprefix("THE ") if key.startswith("THE ") and " " in key else key
    for area in areas:
        street = vocabulary.units.get(area, {}).get(f"{building}|{number}") if number else None
        if street is not None:
            return street, key
    if any(key in streets.get(area, ()) for area in areas):
        return key, None
    if len(key) < SLIP_MIN_LENGTH:
        return None
    slipped = _one_slip_from(key, vocabulary.streets_near(tuple(areas), len(key)))
    return (slipped, None) if slipped is not None else None


def _one_slip_from(key: str, names: Collection[str]) -> str | None:
    """The one name of `names` that `key` is one slip from, or None."""
    fits = [
        name
        for name, _, _ in process.extract(key, names, scorer=OSA.distance, score_cutoff=1, limit=3)
        if one_slip(key, name)
    ]
    return fits[0] if len(fits) == 1 else None
