"""Identifiers handed out as the region is generated: UPRNs, USRNs, postcode units.

Each allocator is deterministic given the order of calls, which the generator fixes.
"""

from __future__ import annotations

import random

from nsai.synth.geography import Council

UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters Royal Mail uses in a postcode's unit
UNITS_PER_SECTOR = len(UNIT_LETTERS) ** 2
UNITS_PER_DISTRICT = 10 * UNITS_PER_SECTOR


class UprnAllocator:
    """UPRNs of one custodian: its code, then eight digits of serial (e.g. 798000012345).

    Serials advance by small random steps, as real UPRN blocks have holes in them.
    """

    def __init__(self, code: int, rng: random.Random) -> None:
        self._base = code * 100_000_000
        self._serial = rng.randrange(1, 5000)
        self._rng = rng

    def next(self) -> int:
        self._serial += 1 if self._rng.random() < 0.8 else self._rng.randint(2, 9)
        if self._serial >= 100_000_000:
            raise RuntimeError("UPRN serials exhausted for one custodian")
        return self._base + self._serial


class UsrnAllocator:
    """USRNs (eight digits): a block of 800,000 per council."""

    def __init__(self, council: Council) -> None:
        self._next = 10_000_000 + council.index * 800_000

    def next(self) -> int:
        self._next += 1
        return self._next


class PostcodeUnits:
    """Hands out postcode units (the inward code) in each district, in order along streets."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: dict[str, int] = {}
        self._first_sector: dict[str, int] = {}

    def next(self, outward: str) -> str:
        used = self._used.get(outward, 0)
        if used == UNITS_PER_DISTRICT:
            raise RuntimeError(f"postcode district {outward} is full")
        if outward not in self._first_sector:
            self._first_sector[outward] = self._rng.randrange(10)
        self._used[outward] = used + 1
        sector = (self._first_sector[outward] + used // UNITS_PER_SECTOR) % 10
        unit = used % UNITS_PER_SECTOR
        letters = UNIT_LETTERS[unit // len(UNIT_LETTERS)] + UNIT_LETTERS[unit % len(UNIT_LETTERS)]
        return f"{outward} {sector}{letters}"
