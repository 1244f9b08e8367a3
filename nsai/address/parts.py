"""The BS7666 parts of one address, as the parser returns them and the loaders store them.

SAO is the secondary addressable object (a flat, unit or floor within a building), PAO the
primary one (the building: a number, a range, a name, or a name and a number). A number is
0-9999, a suffix one upper-case letter, and an end number needs a start number: the constructor
refuses anything else with a ValueError, so a loader can quarantine a bad record instead of
storing it.

`postcode_valid` is None when there is no postcode, else whether `postcode` has a UK format.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

MAX_NUMBER: Final = 9999
SUFFIX_LETTERS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


# Never changed once made; not frozen (nor hashable), as a frozen dataclass is several times
# slower to make (nsai/match/records.py, MatchRecord).
@dataclass(slots=True)
class AddressParts:
    organisation: str | None = None
    sao_start_number: int | None = None
    sao_start_suffix: str | None = None
    sao_end_number: int | None = None
    sao_end_suffix: str | None = None
    sao_text: str | None = None
    pao_start_number: int | None = None
    pao_start_suffix: str | None = None
    pao_end_number: int | None = None
    pao_end_suffix: str | None = None
    pao_text: str | None = None
    street: str | None = None
    locality: str | None = None
    town: str | None = None
    postcode: str | None = None
    postcode_valid: bool | None = None

    def __post_init__(self) -> None:
        check_numbers(
            "SAO",
            self.sao_start_number,
            self.sao_start_suffix,
            self.sao_end_number,
            self.sao_end_suffix,
        )
        check_numbers(
            "PAO",
            self.pao_start_number,
            self.pao_start_suffix,
            self.pao_end_number,
            self.pao_end_suffix,
        )


def check_numbers(
    label: str,
    start: int | None,
    start_suffix: str | None,
    end: int | None,
    end_suffix: str | None,
) -> None:
    """Raises ValueError unless the numbers and suffixes of one object are BS7666-valid."""
    for number in (start, end):
        if number is not None and not 0 <= number <= MAX_NUMBER:
            raise ValueError(f"{label} number {number} is outside 0-{MAX_NUMBER}")
    for suffix in (start_suffix, end_suffix):
        if suffix is not None and suffix not in SUFFIX_LETTERS:
            raise ValueError(f"{label} suffix {suffix!r} is not one upper-case letter")
    if start is None and (end is not None or start_suffix is not None):
        raise ValueError(f"{label} end number or suffix without a start number")
    if end is None and end_suffix is not None:
        raise ValueError(f"{label} end suffix without an end number")


# The parts themselves, in BS7666 order (the stored columns of the same names).
PART_NAMES: Final = tuple(f.name for f in fields(AddressParts) if f.name != "postcode_valid")
# All but the postcode: what reading an address again may move, and survivorship takes whole
# from one record (the postcode it chooses on its own).
LINE_PARTS: Final = tuple(name for name in PART_NAMES if name != "postcode")
