"""The fictional region: councils, the county over some of them, settlements and where they lie.

Planning the region is cheap (a few hundred settlements at a million properties) and happens
up front; streets and properties are made later, one settlement at a time.

Councils sit side by side in rows of at most four, from a south-west origin near x 400000,
y 230000 (British National Grid metres, the English Midlands; a million properties in three
councils reach about x 500000, y 265000). Each council packs its settlements into shelves; one
settlement of each pair of neighbours in a row straddles their boundary, half in each. The first
councils (two of three by default) are districts under a county (two-tier); the rest are
unitary.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from nsai.synth import names

# Gross area a property takes in a settlement's street layout (about 4.5 m of frontage on rows
# 80 m apart): sizes the footprint a settlement is packed into.
AREA_PER_PROPERTY = 360.0
TOWN_GAP = 1200.0  # countryside between settlements (m)
MAX_TOWN = 60_000  # properties in one settlement; keeps street names unique within a town
LOCALITY_SIZE = 6_000  # a town gets one named locality (suburb) per this many properties
MAX_DISTRICTS = 99  # postcode districts per area (AB1 … AB99)


@dataclass(frozen=True, slots=True)
class Council:
    index: int
    code: int  # four-digit local custodian code
    name: str  # "Ashford District Council"
    area_name: str  # "Ashford"
    in_county: bool
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class County:
    code: int
    name: str  # "Wexshire County Council"
    area_name: str  # "Wexshire"


@dataclass(frozen=True, slots=True)
class Locality:
    name: str
    share: float  # fraction of the settlement's properties
    outward: str  # the locality's own postcode district


@dataclass(slots=True)
class Settlement:
    index: int
    name: str
    kind: str  # "town" or "village"
    size: int  # properties: BLPUs, parent shells and flats included
    council: Council
    x: float  # south-west corner of the street layout
    y: float
    width: float  # length of a row of streets
    angle: float  # rotation of the layout about its centre, radians
    # Straddling settlements: streets east of boundary_x belong to `neighbour`.
    neighbour: Council | None = None
    boundary_x: float = 0.0
    outward: str = ""  # postcode district; a village shares its post town's
    post_town: str = ""
    localities: tuple[Locality, ...] = ()


@dataclass(frozen=True, slots=True)
class Region:
    councils: tuple[Council, ...]
    county: County
    settlements: tuple[Settlement, ...]


def footprint(size: int) -> float:
    """Side of the square a settlement of `size` properties is packed into (m)."""
    return math.sqrt(size * AREA_PER_PROPERTY)


def _log_uniform(rng: random.Random, lo: float, hi: float) -> int:
    return round(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _sizes(rng: random.Random, budget: int) -> list[tuple[str, int]]:
    """Settlement kinds and sizes for a council: a main town, other towns, villages.

    The sizes sum to `budget` exactly; none exceeds MAX_TOWN.
    """
    if budget < 400:
        return [("town", budget)]
    main = min(MAX_TOWN, budget * 3 // 10)
    villages = budget // 5
    towns = budget - main - villages
    out = [("town", main)]
    lo = max(150, budget // 100)
    hi = max(lo + 1, min(MAX_TOWN, budget // 4))
    while towns >= lo:
        size = min(towns, _log_uniform(rng, lo, hi))
        out.append(("town", size))
        towns -= size
    village_hi = max(41, min(800, villages))
    while villages >= 40:
        size = min(villages, _log_uniform(rng, 40, village_hi))
        out.append(("village", size))
        villages -= size
    leftover = towns + villages
    for i, (kind, size) in enumerate(out):
        if kind == "town" and size + leftover <= MAX_TOWN:
            out[i] = (kind, size + leftover)
            break
    else:
        out.append(("town", leftover))
    return out


class _Namer:
    """Draws settlement names that are unique across the region."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def name(self, kind: str) -> str:
        rng = self._rng
        for _ in range(1000):
            prefix = rng.choice(names.VILLAGE_PREFIXES) if kind == "village" else ""
            name = prefix + rng.choice(names.TOWN_STEMS) + rng.choice(names.TOWN_ENDINGS)
            if name not in self._used:
                break
        else:
            # Only absurd sizes exhaust the pools; a counter keeps the name unique.
            name = f"{name} {len(self._used)}"
        self._used.add(name)
        return name


def _area_codes(rng: random.Random) -> list[str]:
    """Two-letter postcode areas of valid format (no Q, V, X first; no I, J, Z second)."""
    codes = [a + b for a in "ABCDEFGHIJKLMNOPRSTUWYZ" for b in "ABCDEFGHKLMNOPQRSTUVWXY"]
    rng.shuffle(codes)
    return codes


def _shelf_pack(sizes: list[int], width: float) -> tuple[list[tuple[float, float]], float]:
    """Positions (south-west corners, relative) for footprints of `sizes`, and the height used.

    Largest first, left to right in shelves as wide as the council.
    """
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    positions: list[tuple[float, float]] = [(0.0, 0.0)] * len(sizes)
    x = y = TOWN_GAP / 2
    shelf = 0.0
    for i in order:
        side = footprint(sizes[i])
        if x + side + TOWN_GAP / 2 > width and x > TOWN_GAP / 2:
            x = TOWN_GAP / 2
            y += shelf + TOWN_GAP
            shelf = 0.0
        positions[i] = (x, y)
        x += side + TOWN_GAP
        shelf = max(shelf, side)
    return positions, y + shelf


def plan_region(councils: int, properties: int, seed: int) -> Region:
    """Lay out `councils` councils holding exactly `properties` properties between them."""
    rng = random.Random(f"nsai-synth/{seed}/region")
    codes = rng.sample(range(1005, 9996, 5), councils + 1)
    namer = _Namer(rng)
    per_row = min(councils, 4)
    two_tier = max(1, councils - max(1, councils // 3)) if councils > 1 else 1
    # One straddling town for each pair of neighbours in a row, taken from the west one.
    straddles = {i for i in range(councils - 1) if (i + 1) % per_row}

    plans: list[list[tuple[str, int, str]]] = []
    for i in range(councils):
        budget = properties // councils + (i < properties % councils)
        straddle = min(MAX_TOWN // 4, max(30, budget // 12), budget // 2) if i in straddles else 0
        plan = [(kind, size, namer.name(kind)) for kind, size in _sizes(rng, budget - straddle)]
        if straddle:
            plan.append(("straddle", straddle, namer.name("town")))
        plans.append(plan)

    # Every council has the same width: enough for its own settlements and half of each
    # straddling town on its edges.
    width = 0.0
    for plan in plans:
        sides = [footprint(size) for _, size, _ in plan]
        width = max(
            width, max(sides) + TOWN_GAP, 1.15 * math.sqrt(sum((s + TOWN_GAP) ** 2 for s in sides))
        )
    for i in straddles:
        west = footprint(plans[i][-1][1])
        east = footprint(plans[i + 1][-1][1]) if i + 1 in straddles else 0.0
        width = max(width, (west + east) / 2 + 2 * TOWN_GAP)

    packed = [_shelf_pack([s for k, s, _ in plan if k != "straddle"], width) for plan in plans]
    origin_x = 400_000.0 + rng.randrange(0, 10_000, 100)
    origin_y = 230_000.0 + rng.randrange(0, 10_000, 100)

    council_list: list[Council] = []
    bands: list[float] = []  # where each council's straddling towns sit (relative y)
    row_y = origin_y
    for row_start in range(0, councils, per_row):
        row = range(row_start, min(councils, row_start + per_row))
        band = max(packed[i][1] for i in row) + TOWN_GAP
        straddle_side = max(
            (footprint(s) for i in row for k, s, _ in plans[i] if k == "straddle"), default=0.0
        )
        height = band + straddle_side + TOWN_GAP / 2
        for i in row:
            x0 = origin_x + (i - row_start) * width
            main = plans[i][0][2]
            in_county = i < two_tier
            council_list.append(
                Council(
                    index=i,
                    code=codes[i],
                    name=f"{main} {'District' if in_county else 'Borough'} Council",
                    area_name=main,
                    in_county=in_county,
                    x0=x0,
                    y0=row_y,
                    x1=x0 + width,
                    y1=row_y + height,
                )
            )
            bands.append(band)
        row_y += height

    settlements: list[Settlement] = []
    for i, council in enumerate(council_list):
        positions = iter(packed[i][0])
        for kind, size, name in plans[i]:
            if kind == "straddle":
                side = footprint(size)
                settlement = Settlement(
                    index=len(settlements),
                    name=name,
                    kind="town",
                    size=size,
                    council=council,
                    x=council.x1 - side / 2,
                    y=council.y0 + bands[i],
                    width=side,
                    angle=0.0,  # keeps streets parallel to the boundary they must not cross
                    neighbour=council_list[i + 1],
                    boundary_x=council.x1,
                )
            else:
                px, py = next(positions)
                settlement = Settlement(
                    index=len(settlements),
                    name=name,
                    kind=kind,
                    size=size,
                    council=council,
                    x=council.x0 + px,
                    y=council.y0 + py,
                    width=footprint(size),
                    angle=rng.uniform(-0.5, 0.5),
                )
            settlements.append(settlement)

    county_stem = rng.choice(names.COUNTY_STEMS)
    county = County(
        code=codes[-1], name=f"{county_stem}shire County Council", area_name=f"{county_stem}shire"
    )
    _assign_postcode_districts(rng, council_list, settlements)
    return Region(councils=tuple(council_list), county=county, settlements=tuple(settlements))


def _assign_postcode_districts(
    rng: random.Random, councils: list[Council], settlements: list[Settlement]
) -> None:
    """An outward code per town and per locality; villages take their nearest town's.

    Each council gets its own postcode area, and a further area once it has used 99 districts.
    """
    areas = iter(_area_codes(rng))
    for council in councils:
        area = next(areas)
        district = 0

        def outward() -> str:
            nonlocal area, district
            if district == MAX_DISTRICTS:
                area, district = next(areas), 0
            district += 1
            return f"{area}{district}"

        own = [s for s in settlements if s.council is council]
        towns = [s for s in own if s.kind == "town"]
        for town in towns:
            town.outward = outward()
            town.post_town = town.name
            count = town.size // LOCALITY_SIZE - 1
            if count > 0:
                suburbs = rng.sample(names.SUBURB_NAMES, min(count, len(names.SUBURB_NAMES)))
                # The centre (no locality) keeps 30% of the town, suburbs share the rest.
                share = 0.7 / len(suburbs)
                town.localities = tuple(Locality(n, share, outward()) for n in suburbs)
        for village in (s for s in own if s.kind == "village"):
            nearest = min(towns, key=lambda t: math.dist((t.x, t.y), (village.x, village.y)))
            village.outward = nearest.outward
            village.post_town = nearest.post_town
