"""British National Grid (EPSG:27700), the coordinate system NSAI stores every point in."""

from __future__ import annotations

from typing import Final

SRID: Final = 27700
# The grid's extent: eastings 0-700 km, northings 0-1300 km. A point outside is not in Great
# Britain (or its coordinates were given in another system).
WEST: Final = 0.0
SOUTH: Final = 0.0
EAST: Final = 700_000.0
NORTH: Final = 1_300_000.0


def inside_great_britain(x: float, y: float) -> bool:
    return WEST < x <= EAST and SOUTH < y <= NORTH
