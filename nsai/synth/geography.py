"""The fictional region: councils, the county over some of them, settlements and where they lie.

Planning the region is cheap (a few hundred settlements at a million properties) and happens
up front; streets and properties are made later, one settlement at a time.

Councils sit side by side in rows (at most four to a row) from a south-west origin near
x 420000, y 240000 in British National Grid metres. Each council packs its settlements into
shelves; a settlement chosen from each pair of neighbours in a row straddles their boundary.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from nsai.synth import names

# Gross area a property takes in a settlement's street layout: ~4.5 m of street frontage on
# rows 80 m apart. Used to size the footprint a settlement is packed into.
AREA_PER_PROPERTY = 360.0
TOWN_GAP = 1200.0  # countryside between settlements (m)
MAX_TOWN = 60_000  # properties; keeps street names unique within a town
LOCALITY_SIZE = 6_000  # a town this many times over has that many named localities
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters Royal Mail uses in a postcode's inward code


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
    outward: str  # postcode district of the locality


@dataclass(slots=True)
class Settlement:
    index: int
    name: str
    kind: str  # "town" or "village"
    size: int  # properties (BLPUs, parent shells and flats included)
    council: Council
    outward: str = ""  # postcode district; a village shares its post town's
    post_town: str = ""
    localities: tuple[Locality, ...] = ()
    # Straddling settlements: the council east of boundary_x (the other side is `council`).
    neighbour: Council | None = None
    boundary_x: float = 0.0
    x: float = 0.0  # south-west corner of the street layout
    y: float = 0.0
    width: float = 0.0  # length of a row of streets
    angle: float = 0.0  # rotation of the layout about (x, y), radians

    @property
    def footprint(self) -> float:
        return math.sqrt(self.size * AREA_PER_PROPERTY)


@dataclass(slots=True)
class Region:
    councils: list[Council]
    county: County
    settlements: list[Settlement]
    area_codes: list[str] = field(default_factory=list)  # postcode areas, first is council 0's


def _log_uniform(rng: random.Random, lo: float, hi: float) -> int:
    return round(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _sizes(rng: random.Random, budget: int) -> list[tuple[str, int]]:
    """Settlement sizes for a council: a main town, other towns, villages; they sum to budget."""
    if budget < 400:
        return [("town", budget)]
    main = min(MAX_TOWN, budget * 3 // 10)
    villages_budget = budget // 5
    towns_budget = budget - main - villages_budget
    out = [("town", main)]
    lo = max(150, budget // 200)
    hi = max(lo + 1, min(MAX_TOWN, budget // 6))
    while towns_budget >= lo:
        size = min(towns_budget, _log_uniform(rng, lo, hi))
        out.append(("town", size))
        towns_budget -= size
    village_hi = max(41, min(800, villages_budget))
    while villages_budget >= 40:
        size = min(villages_budget, _log_uniform(rng, 40, village_hi))
        out.append(("village", size))
        villages_budget -= size
    leftover = towns_budget + villages_budget
    # The leftover goes to the smallest town that stays within MAX_TOWN.
    towns = sorted((size, i) for i, (kind, size) in enumerate(out) if kind == "town")
    for size, i in towns:
        if size + leftover <= MAX_TOWN:
            out[i] = ("town", size + leftover)
            break
    else:
        out.append(("town", leftover))
    return out


class _Names:
    """Draws settlement names that are unique across the region."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def town(self) -> str:
        return self._unique(lambda: "")

    def village(self) -> str:
        return self._unique(lambda: self._rng.choice(names.VILLAGE_PREFIXES))

    def _unique(self, prefix: object) -> str:
        assert callable(prefix)
        for _ in range(10_000):
            stem = self._rng.choice(names.TOWN_STEMS)
            name = prefix() + stem + self._rng.choice(names.TOWN_ENDINGS)
            if name not in self._used:
                self._used.add(name)
                return name
        # Pools are exhausted only by absurd sizes; a numbered name keeps names unique.
        name = f"{stem}ford {len(self._used)}"
        self._used.add(name)
        return name


def _area_codes(rng: random.Random) -> list[str]:
    """Two-letter postcode areas of valid format (no Q, V, X first; no I, J, Z second)."""
    firsts = [c for c in "ABCDEFGHIJKLMNOPRSTUWYZ" if c not in "QVX"]
    seconds = [c for c in "ABCDEFGHKLMNOPQRSTUVWXY"]
    codes = [a + b for a in firsts for b in seconds]
    rng.shuffle(codes)
    return codes


def plan_region(councils: int, properties: int, seed: int) -> Region:
    """Lay out `councils` councils holding `properties` properties in all."""
    rng = random.Random(f"nsai-synth/{seed}/region")
    codes = rng.sample(range(1005, 9996, 5), councils + 1)
    namer = _Names(rng)
    area_codes = _area_codes(rng)
    per_row = min(councils, 4)
    in_county = max(1, councils - max(1, councils // 3)) if councils > 1 else 1

    budgets = [properties // councils + (1 if i < properties % councils else 0) for i in range(councils)]
    # Straddling towns: one for each pair of neighbours in a row, taken from the west one.
    straddles = [i for i in range(councils - 1) if (i + 1) % per_row != 0]
    plans: list[list[tuple[str, int, str]]] = []
    for i in range(councils):
        straddle_size = min(MAX_TOWN // 4, max(30, budgets[i] // 12)) if i in straddles else 0
        straddle_size = min(straddle_size, budgets[i] // 2)
        sizes = _sizes(rng, budgets[i] - straddle_size)
        planned = [(kind, size, namer.town() if kind == "town" else namer.village()) for kind, size in sizes]
        if straddle_size:
            planned.append(("straddle", straddle_size, namer.town()))
        plans.append(planned)

    county_stem = rng.choice(names.COUNTY_STEMS)
    county = County(
        code=codes[-1], name=f"{county_stem}shire County Council", area_name=f"{county_stem}shire"
    )

    width = _council_width(plans)
    origin_x = 420_000.0 + rng.randrange(0, 20_000, 100)
    origin_y = 240_000.0 + rng.randrange(0, 20_000, 100)
    council_list: list[Council] = []
    settlements: list[Settlement] = []
    row_y = origin_y
    for row_start in range(0, councils, per_row):
        row = range(row_start, min(councils, row_start + per_row))
        packed = {i: _shelf_pack(rng, plans[i], width) for i in row}
        band_y = max(height for _, height in packed.values()) + TOWN_GAP
        straddle_height = max(
            (size_footprint(size) for i in row for kind, size, _ in plans[i] if kind == "straddle"),
            default=0.0,
        )
        row_height = band_y + straddle_height + (TOWN_GAP if straddle_height else 0.0)
        for i in row:
            x0 = origin_x + (i - row_start) * width
            main_name = plans[i][0][2]
            two_tier = i < in_county
            council = Council(
                index=i,
                code=codes[i],
                name=f"{main_name} {'District' if two_tier else 'Borough'} Council",
                area_name=main_name,
                in_county=two_tier,
                x0=x0,
                y0=row_y,
                x1=x0 + width,
                y1=row_y + row_height,
            )
            council_list.append(council)
        for i in row:
            council = council_list[i]
            positions, _ = packed[i]
            for (kind, size, name), (px, py) in zip(plans[i], positions, strict=False):
                settlements.append(
                    Settlement(
                        index=len(settlements),
                        name=name,
                        kind=kind,
                        size=size,
                        council=council,
                        x=council.x0 + px,
                        y=council.y0 + py,
                        angle=rng.uniform(-0.5, 0.5),
                    )
                )
            for kind, size, name in plans[i]:
                if kind == "straddle":
                    side = size_footprint(size)
                    neighbour_index = i + 1
                    settlements.append(
                        Settlement(
                            index=len(settlements),
                            name=name,
                            kind="town",
                            size=size,
                            council=council,
                            neighbour=None,  # set below, once the neighbour exists
                            boundary_x=council.x1,
                            x=council.x1 - side / 2,
                            y=council.y0 + band_y,
                            width=side,
                        )
                    )
                    settlements[-1].neighbour = _pending(neighbour_index)
        row_y += row_height
    for settlement in settlements:
        if isinstance(settlement.neighbour, _Pending):
            settlement.neighbour = council_list[settlement.neighbour.index]
    region = Region(councils=council_list, county=county, settlements=settlements)
    _postcode_districts(region, area_codes, rng)
    return region
