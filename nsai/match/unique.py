"""Where each street and number is: a pair that agrees on its number and street and disagrees
on nothing, one record silent on its place, is one property when the street and number are
found in one place only ("72 GWLADYS STREET" with no town is the PANT one, unless PENYDARREN
has a 72 GWLADYS STREET too). What a term-frequency adjustment does for a rare name, for the
one combination that identifies a house."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from nsai.match.compare import PairScore
from nsai.match.records import MatchRecord

Spot = tuple[str, str, str | None]  # street key, PAO key, SAO key
# The levels of a pair that agrees on every identifier and on the street, and on whatever
# place both give.
_AGREEING: Final = {
    "sao": ("exact", "both absent"),
    "pao": ("exact",),
    "street": ("exact",),
    "building": ("exact", "missing"),
    "town": ("exact", "locality", "missing"),
    "locality": ("exact", "one within the other", "missing"),
    "postcode": ("exact", "missing"),
    "distance": ("within 5 m", "within 25 m", "within 100 m", "missing"),
    "usrn": ("exact", "missing"),
    "numbers": ("same",),
    "organisation": ("exact", "fuzzy", "missing"),
    "classification": ("same", "same primary", "missing"),
}


class Places:
    """For each street and number (and flat), the places the records that give one put it in:
    its town or locality, and its postcode sector."""

    def __init__(self, records: Iterable[MatchRecord]) -> None:
        self._where: dict[Spot, set[tuple[str | None, str | None]]] = {}
        for record in records:
            spot = _spot(record)
            if spot is None:
                continue
            place = record.locality_key or record.town_key
            sector = record.postcode_key[:-2] if record.postcode_key else None
            if place is not None or sector is not None:
                self._where.setdefault(spot, set()).add((place, sector))

    def around(self, records: Iterable[MatchRecord]) -> Places:
        """The places of these records' streets and numbers alone, which answer `one_place`
        for them as this does: sent with the records to where their pairs are scored."""
        near = Places(())
        for record in records:
            spot = _spot(record)
            if spot is not None and spot in self._where:
                near._where[spot] = self._where[spot]
        return near

    def one_place(self, record: MatchRecord) -> bool:
        """Whether the record's street and number are found in one place only."""
        spot = _spot(record)
        if spot is None:
            return False
        where = self._where.get(spot, set())
        return len({p for p, _ in where if p}) <= 1 and len({s for _, s in where if s}) <= 1


def _spot(record: MatchRecord) -> Spot | None:
    if record.street_key is None or record.pao_key is None:
        return None
    return record.street_key, record.pao_key, record.sao_key


def silent_on_place(score: PairScore) -> bool:
    """Whether a pair agrees on its identifiers and street and on nothing less, one record being
    silent on the town or the postcode (which is then for `Places` to say)."""
    if score.veto is not None:
        return False
    levels = {name: label for name, (label, _) in score.contributions.items()}
    silent = levels["town"] == "missing" or levels["postcode"] == "missing"
    return silent and all(levels[name] in allowed for name, allowed in _AGREEING.items())
