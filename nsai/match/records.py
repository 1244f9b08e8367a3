"""The view of a source record that matching works on: its parts, keys, place and provenance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from nsai.address.normalise import FLAT_WORDS

COMMERCIAL_UNIT_WORDS: Final = frozenset(("UNIT", "SHOP", "SUITE", "OFFICE", "KIOSK"))


def sao_identity(sao_key: str | None) -> str | None:
    """A SAO key as matching compares it: without a unit's designator ("UNIT 3" is "3", as
    "FLAT 3" is). The twin of SQL's nsai_sao_identity, for keys made in Python."""
    return sao_key.removeprefix("UNIT ") if sao_key is not None else None


# Never changed once made, yet not frozen (so not hashable either): a frozen dataclass sets each
# field through object.__setattr__, and made so MatchRecord took 7.8 µs against 0.8 (bulk
# matching makes one per candidate spelling, reconciliation one per record).
@dataclass(slots=True)
class MatchRecord:
    record_id: int
    source: str  # the source's name
    source_kind: str  # 'gazetteer' (a DTF 7.3 LLPG or county gazetteer) or 'list'
    duplicate_free: bool  # the source lists each property once (an LLPG)
    source_priority: int  # lower is more trusted (survivorship, UPRN keeping)
    source_custodian: int | None  # the council whose gazetteer the source is, if it is one
    custodian_code: int | None  # the council responsible for the property, as the record says
    uprn: int | None  # the source's own UPRN for the property (gazetteers)
    parent_uprn: int | None
    classification: str | None  # e.g. RD04, RD06, PP, CI03
    logical_status: int | None
    rpc: int | None  # representative point code: lower is a better position
    usrn: int | None
    # BS7666 parts as loaded (upper case for parsed lists, as the council wrote them for LLPGs)
    organisation: str | None
    sao_start_number: int | None
    sao_start_suffix: str | None
    sao_end_number: int | None
    sao_end_suffix: str | None
    sao_text: str | None
    pao_start_number: int | None
    pao_start_suffix: str | None
    pao_end_number: int | None
    pao_end_suffix: str | None
    pao_text: str | None
    street: str | None
    locality: str | None
    town: str | None
    postcode: str | None
    # keys from nsai.address.normalise.match_keys (None when absent)
    organisation_key: str | None
    sao_key: str | None
    pao_key: str | None
    building_key: str | None
    street_key: str | None
    locality_key: str | None
    town_key: str | None
    postcode_key: str | None
    # British National Grid point, when the record has one
    x: float | None
    y: float | None

    def __reduce__(self) -> tuple[type[MatchRecord], tuple[Any, ...]]:
        # Pickled as its fields alone (records travel to Dask workers): half the default's time.
        return MatchRecord, tuple(getattr(self, name) for name in self.__slots__)

    @property
    def unit_use(self) -> str | None:
        """'R' for a dwelling, 'C' for a commercial unit, when the record is a unit inside a
        building (has a SAO) and says which: by its classification, else by the word before
        its number ("FLAT 1", "UNIT 1"). The SAO keys of "FLAT 1" and "UNIT 1" are both "1"
        to matching, and this keeps the flat and the shop below it apart."""
        if self.sao_key is None:
            return None
        if self.classification and self.classification[0] in ("R", "C"):
            return self.classification[0]
        words = set((self.sao_text or "").split())
        if words & FLAT_WORDS:
            return "R"
        return "C" if words & COMMERCIAL_UNIT_WORDS else None

    @property
    def own_council_record(self) -> bool:
        """A council's gazetteer record for a property in its own area (the authoritative one)."""
        return (
            self.source_kind == "gazetteer"
            and self.source_custodian is not None
            and self.source_custodian == self.custodian_code
        )
