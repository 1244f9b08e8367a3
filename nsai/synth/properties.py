"""The truth: streets and the properties along them, made one settlement at a time.

A settlement is planned as a list of streets (name, kind, how many properties, locality); each
street is then filled with properties in number order along both sides (odd numbers on one side,
even on the other), laid out in rows in the settlement's frame, and given UPRNs, coordinates and
postcodes. Only one street's properties exist at a time.

Property kinds and their BS7666 shape (truth text is in mixed case; sources choose their case):

- numbered house: PAO number (RD02 detached, RD03 semi, RD04 terraced); numbering has gaps
- suffixed infill: PAO number + suffix, "12A" beside 12
- range: PAO start-end, "10-12" (12 is then not used again on that side)
- named house: PAO_TEXT alone ("Rose Cottage", mostly in villages), or PAO_TEXT + PAO number
- converted house: a parent shell (PP) with a PAO number and 2-4 flats (RD06, parent the shell)
  numbered (SAO_TEXT "Flat" + SAO number), lettered ("Flat A") or by floor ("Ground Floor Flat")
- purpose-built block: a PP with a building name (and usually a number) and 6-40 flats
- high street: shops and offices (CR08, CR07, CR06, CO01, ...) mostly with an organisation name,
  some over a range of numbers, some with a flat above at the suffixed number ("12A")
- business estate: units (SAO_TEXT "Unit" + SAO number) under the estate's name (PAO_TEXT) on an
  estate road, CI01/CI03/CI04/CO01, many with an organisation name
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from nsai.address.parts import AddressParts
from nsai.address.postcode import normalise_postcode
from nsai.address.render import number_range
from nsai.synth import names
from nsai.synth.geography import Council, Locality, Settlement
from nsai.synth.identifiers import PostcodeUnits, UprnAllocator, UsrnAllocator

ROW_SPACING = 80.0  # between parallel streets of a settlement (m)
JUNCTION = 25.0  # gap between consecutive streets in a row (m)
SETBACK = 12.0  # from a street's centre line to the front of its houses (m)
CENTRE_SHARE = 0.3  # of a town's properties outside its named localities
TYPELESS = 0.06  # of ordinary streets named without a street-type word ("The Hawthorns")

FRONTAGE = {"RD02": 16.0, "RD03": 9.0, "RD04": 5.5, "PP": 8.0, "RD06": 5.0, "BLOCK": 30.0}
SHOP_FRONTAGE = 7.0
UNIT_FRONTAGE = 25.0

SHOP_CLASSES = (("CR08", 55), ("CR07", 12), ("CR06", 5), ("CO01", 15), ("CR01", 5), ("CR02", 8))
UNIT_CLASSES = (("CI03", 55), ("CI04", 20), ("CI01", 10), ("CO01", 15))
PUBS = ("The Red Lion", "The King's Head", "The White Hart", "The Royal Oak", "The Plough")
PROFESSIONS = ("Solicitors", "Accountants", "Associates", "Surveyors", "Dental Practice")
EATERIES = ("Cafe", "Tea Rooms", "Restaurant", "Fish Bar", "Kitchen")


@dataclass(frozen=True, slots=True)
class StreetKind:
    """How the plots of one kind of street are drawn: each chance is per plot."""

    named_only: float  # a named house without a number
    block: float  # a purpose-built block of flats
    converted: float  # a house split into flats
    range_: float  # a house or shop over two numbers
    suffix: float  # an infill "12A" beside 12 (above a shop: a flat)
    named: float  # a numbered house that also has a name
    classes: tuple[tuple[str, int], ...]  # class of a plain plot, weighted
    budget: tuple[int, int]  # properties per street, log-uniform between these


KINDS = {
    "residential": StreetKind(
        0.01, 0.012, 0.05, 0.012, 0.025, 0.06, (("RD04", 45), ("RD03", 40), ("RD02", 15)), (6, 120)
    ),
    "lane": StreetKind(
        0.55, 0.0, 0.02, 0.0, 0.01, 0.15, (("RD02", 55), ("RD03", 35), ("RD04", 10)), (3, 40)
    ),
    "high": StreetKind(0.0, 0.02, 0.0, 0.1, 0.25, 0.0, SHOP_CLASSES, (20, 70)),
    "estate": StreetKind(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, UNIT_CLASSES, (6, 30)),
}


def weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def log_uniform(rng: random.Random, lo: int, hi: int) -> int:
    return round(math.exp(rng.uniform(math.log(lo), math.log(hi))))


@dataclass(slots=True, eq=False)
class Property:
    """One BLPU of the truth. `uprn` is its true id: the UPRN its own council gives it."""

    cls: str
    side: int  # 0: odd numbers, 1: even numbers
    offset: float  # along the street (m)
    pao_text: str = ""
    pao_start: int | None = None
    pao_suffix: str = ""
    pao_end: int | None = None
    sao_text: str = ""  # "Flat", "Apartment", "Unit", "Flat A", "Ground Floor Flat"
    sao_number: int | None = None
    organisation: str = ""
    parent: Property | None = None
    children: list[Property] = field(default_factory=list)
    level: str = ""  # floor of a flat
    provisional: bool = False  # approved but not yet built: logical status 6
    uprn: int = 0
    x: float = 0.0
    y: float = 0.0
    postcode: str = ""

    @property
    def pao_numbers(self) -> str:
        """The PAO numbers as written: 12, 12A, 10-12, or "" when there are none."""
        return number_range(self.pao_start, self.pao_suffix, self.pao_end)

    def address(self, street: Street) -> AddressParts:
        """The property's address as its council records it (in mixed case); None for a part
        it does not have."""
        postcode, valid = normalise_postcode(self.postcode)
        return AddressParts(
            organisation=self.organisation or None,
            sao_text=self.sao_text or None,
            sao_start_number=self.sao_number,
            pao_text=self.pao_text or None,
            pao_start_number=self.pao_start,
            pao_start_suffix=self.pao_suffix or None,
            pao_end_number=self.pao_end,
            street=street.name,
            locality=street.locality or None,
            town=street.town,
            postcode=postcode,
            postcode_valid=valid if postcode is not None else None,
        )


@dataclass(slots=True, eq=False)
class Street:
    usrn: int
    name: str  # "Church Street"
    kind: str  # a key of KINDS
    locality: str
    town: str  # the settlement's name
    post_town: str
    council: Council
    settlement: Settlement
    start: tuple[float, float]
    end: tuple[float, float]
    max_number: int = 0  # highest PAO number on the street (0: none)
    numbers: set[tuple[int, str]] = field(default_factory=set)  # (PAO number, suffix) in use


@dataclass(frozen=True, slots=True)
class StreetPlan:
    name: str
    kind: str
    budget: int  # properties, parent shells and flats included
    locality: Locality | None


@dataclass(frozen=True, slots=True)
class Identifiers:
    """Allocators shared by all settlements; the generator's fixed call order makes them
    reproducible."""

    uprns: dict[int, UprnAllocator]  # by council code
    usrns: dict[int, UsrnAllocator]  # by council code
    postcodes: PostcodeUnits


class SettlementBuilder:
    """Plans a settlement's streets, then yields them one at a time with their properties."""

    def __init__(self, settlement: Settlement, seed: int, ids: Identifiers) -> None:
        self.settlement = settlement
        self._rng = random.Random(f"nsai-synth/{seed}/settlement/{settlement.index}")
        self._ids = ids
        self.plans = self._plan()
        self.street_names = frozenset(plan.name for plan in self.plans)

    def streets(self) -> Iterator[tuple[Street, list[Property]]]:
        layout = _Layout(self.settlement)
        for plan in self.plans:
            properties, length = _StreetFiller(self._rng, plan).fill()
            council, start = layout.place(length)
            street = Street(
                usrn=self._ids.usrns[council.code].next(),
                name=plan.name,
                kind=plan.kind,
                locality=plan.locality.name if plan.locality else "",
                town=self.settlement.name,
                post_town=self.settlement.post_town,
                council=council,
                settlement=self.settlement,
                start=layout.to_grid(*start),
                end=layout.to_grid(start[0] + length, start[1]),
            )
            outward = plan.locality.outward if plan.locality else self.settlement.outward
            self._materialise(street, properties, layout, start, outward)
            yield street, properties

    # -- planning -------------------------------------------------------------------------

    def _plan(self) -> list[StreetPlan]:
        rng = self._rng
        town = self.settlement
        kinds: list[str] = []
        if town.kind == "town" and town.size >= 300:
            kinds.append("high")
        if town.kind == "town" and town.size >= 400:
            kinds.extend("estate" for _ in range(1 + town.size // 8000))
        default = "lane" if town.kind == "village" else "residential"
        budgets: list[tuple[str, int]] = []
        remaining = town.size
        for kind in kinds:
            size = min(remaining, log_uniform(rng, *KINDS[kind].budget))
            budgets.append((kind, size))
            remaining -= size
        while remaining > 0:
            size = min(remaining, log_uniform(rng, *KINDS[default].budget))
            budgets.append((default, size))
            remaining -= size
        rng.shuffle(budgets)

        street_names = self._street_names([kind for kind, _ in budgets])
        plans: list[StreetPlan] = []
        done = 0
        for (kind, budget), name in zip(budgets, street_names, strict=True):
            locality = None
            # Streets fill the centre first, then each locality in turn.
            position = done / town.size - CENTRE_SHARE
            if town.localities and position >= 0:
                index = int(position / town.localities[0].share)
                locality = town.localities[min(index, len(town.localities) - 1)]
            plans.append(StreetPlan(name, kind, budget, locality))
            done += budget
        return plans

    def _street_names(self, kinds: list[str]) -> list[str]:
        """Street names unique within the settlement, one per entry of `kinds`."""
        rng = self._rng
        chosen: set[str] = set()
        common = [name for name, chance in names.COMMON_STREETS if rng.random() < chance]
        types = [name for name, _, _ in names.STREET_TYPES]
        weights = [weight for _, weight, _ in names.STREET_TYPES]

        def estate_road() -> str:
            return f"{rng.choice(names.ESTATE_FIRSTS)} {rng.choice(('Way', 'Road', 'Drive'))}"

        def ordinary() -> str:
            if rng.random() < TYPELESS:
                return rng.choice(names.TYPELESS_STREETS)
            return f"{rng.choice(names.STREET_BASES)} {rng.choices(types, weights)[0]}"

        out: list[str] = []
        for kind in kinds:
            if kind == "high":
                name = _fresh(chosen, lambda: "High Street", ordinary)
            elif kind == "estate":
                name = _fresh(chosen, estate_road, ordinary)
            elif common:
                # The most common names first, so that even a small village has a Church Street.
                name = _fresh(chosen, lambda: common.pop(0), ordinary)
            else:
                name = _fresh(chosen, ordinary, ordinary)
            chosen.add(name)
            out.append(name)
        return out

    # -- placing --------------------------------------------------------------------------

    def _materialise(
        self,
        street: Street,
        properties: list[Property],
        layout: _Layout,
        start: tuple[float, float],
        outward: str,
    ) -> None:
        """UPRNs, coordinates and postcodes for a placed street's properties."""
        rng = self._rng
        uprns = self._ids.uprns[street.council.code]
        sx, sy = start
        for prop in properties:
            prop.uprn = uprns.next()
            parent = prop.parent
            if parent is None:
                across = SETBACK if prop.side == 0 else -SETBACK
                prop.x, prop.y = layout.to_grid(
                    sx + prop.offset + rng.uniform(-1.0, 1.0), sy + across + rng.uniform(-2.0, 2.0)
                )
            else:
                spread = 1.0 if len(parent.children) <= 4 else 8.0
                prop.x = parent.x + rng.uniform(-spread, spread)
                prop.y = parent.y + rng.uniform(-spread, spread)
            if prop.pao_start is not None and prop.parent is None:
                street.numbers.add((prop.pao_start, prop.pao_suffix))
                street.max_number = max(street.max_number, prop.pao_end or prop.pao_start)
        # Postcode units: runs of 8-16 neighbouring delivery points along the street.
        delivery_points = sorted((p for p in properties if p.cls != "PP"), key=lambda p: p.offset)
        left = 0
        postcode = ""
        for prop in delivery_points:
            if left == 0:
                postcode = self._ids.postcodes.next(outward)
                left = rng.randint(8, 16)
            prop.postcode = postcode
            left -= 1
        for prop in properties:
            if prop.cls == "PP":
                prop.postcode = prop.children[0].postcode


def _fresh(chosen: set[str], first: Callable[[], str], then: Callable[[], str]) -> str:
    """`first()` if not yet chosen, else draws from `then` until a name is new."""
    name = first()
    for _ in range(10_000):
        if name not in chosen:
            return name
        name = then()
    raise RuntimeError("street name pool exhausted")


class _Layout:
    """Rows of streets in a settlement's frame, rotated and moved onto the grid.

    In a straddling settlement no street crosses the boundary: a street that would is moved to
    its east side, and belongs to the council there.
    """

    def __init__(self, settlement: Settlement) -> None:
        self._settlement = settlement
        self._x = 0.0
        self._row = 0
        self._cos = math.cos(settlement.angle)
        self._sin = math.sin(settlement.angle)
        self._centre = settlement.width / 2

    def place(self, length: float) -> tuple[Council, tuple[float, float]]:
        settlement = self._settlement
        if self._x > 0 and self._x + length > settlement.width:
            self._x, self._row = 0.0, self._row + 1
        council = settlement.council
        if settlement.neighbour is not None:
            boundary = settlement.boundary_x - settlement.x
            if self._x < boundary < self._x + length:
                self._x = boundary + JUNCTION / 2
            if self._x > boundary:
                council = settlement.neighbour
        start = (self._x, self._row * ROW_SPACING)
        self._x += length + JUNCTION
        return council, start

    def to_grid(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = x - self._centre, y - self._centre
        return (
            self._settlement.x + self._centre + dx * self._cos - dy * self._sin,
            self._settlement.y + self._centre + dx * self._sin + dy * self._cos,
        )


class _StreetFiller:
    """Draws one street's properties in number order, both sides, to exactly its budget."""

    def __init__(self, rng: random.Random, plan: StreetPlan) -> None:
        self._rng = rng
        self._plan = plan
        self._kind = KINDS[plan.kind]
        self._names: set[str] = set()  # building names are unique within a street
        self._next = [1, 2]  # next number on the odd and even sides
        self._ends = [0.0, 0.0]  # frontage used on each side
        self._out: list[Property] = []

    def fill(self) -> tuple[list[Property], float]:
        if self._plan.kind == "estate":
            self._units()
        else:
            left = self._plan.budget
            while left > 0:
                before = len(self._out)
                self._plot(left)
                left -= len(self._out) - before
        return self._out, max(self._ends) + 10.0

    def _units(self) -> None:
        rng = self._rng
        estate = f"{rng.choice(names.ESTATE_FIRSTS)} {rng.choice(names.ESTATE_KINDS)}"
        for number in range(1, self._plan.budget + 1):
            cls = weighted(rng, self._kind.classes)
            side = (number + 1) % 2
            unit = Property(cls, side, self._advance(side, UNIT_FRONTAGE), pao_text=estate)
            unit.sao_text, unit.sao_number = "Unit", number
            if rng.random() < 0.6:
                unit.organisation = _company(rng)
            self._out.append(unit)

    def _plot(self, left: int) -> None:
        rng = self._rng
        kind = self._kind
        side = 0 if self._ends[0] <= self._ends[1] else 1
        r = rng.random()
        if r < kind.named_only:
            cls = weighted(rng, kind.classes)
            house = Property(cls, side, self._advance(side, FRONTAGE[cls]))
            house.pao_text = self._house_name()
            self._out.append(house)
            return
        r -= kind.named_only
        if r < kind.block and left >= 7:
            self._block(side, left)
            return
        r -= kind.block
        if r < kind.converted and left >= 3:
            self._converted(side, left)
            return
        r -= kind.converted
        number = self._number(side)
        shop = self._plan.kind == "high"
        cls = weighted(rng, kind.classes)
        width = SHOP_FRONTAGE if shop else FRONTAGE[cls]
        plot = Property(cls, side, self._advance(side, width), pao_start=number)
        if r < kind.range_:
            plot.pao_end = number + 2
            self._next[side] += 2
            self._ends[side] += width
        elif rng.random() < kind.named:
            plot.pao_text = self._house_name()
        if shop:
            plot.organisation = _shop_name(rng, cls)
        elif rng.random() < 0.01:
            plot.provisional = True
        self._out.append(plot)
        if left > 1 and rng.random() < kind.suffix:
            infill = Property("RD06" if shop else "RD04", side, self._advance(side, 4.0))
            infill.pao_start, infill.pao_suffix = number, "A"
            self._out.append(infill)

    def _block(self, side: int, left: int) -> None:
        rng = self._rng
        block = Property("PP", side, self._advance(side, FRONTAGE["BLOCK"]))
        block.pao_text = self._unique(
            lambda: f"{rng.choice(names.BLOCK_FIRSTS)} {rng.choice(names.BLOCK_KINDS)}"
        )
        if rng.random() < 0.7:
            block.pao_start = self._number(side)
        word = "Apartment" if rng.random() < 0.25 else "Flat"
        self._out.append(block)
        for number in range(1, min(left - 1, rng.randint(6, 40)) + 1):
            self._flat(block, sao_text=word, sao_number=number, level=str((number - 1) // 4))

    def _converted(self, side: int, left: int) -> None:
        rng = self._rng
        house = Property("PP", side, self._advance(side, FRONTAGE["PP"]))
        house.pao_start = self._number(side)
        if rng.random() < 0.05:
            house.pao_text = self._house_name()
        self._out.append(house)
        count = min(left - 1, rng.randint(2, 4))
        style = rng.random()
        for i in range(count):
            if style < 0.5:
                self._flat(house, sao_text="Flat", sao_number=i + 1, level=str(i))
            elif style < 0.75:
                self._flat(house, sao_text=f"Flat {'ABCD'[i]}", level=str(i))
            else:
                self._flat(house, sao_text=names.FLOOR_FLATS[i], level=str(i))

    def _flat(
        self, parent: Property, *, sao_text: str, sao_number: int | None = None, level: str
    ) -> None:
        flat = Property(
            "RD06",
            parent.side,
            parent.offset,
            pao_text=parent.pao_text,
            pao_start=parent.pao_start,
            sao_text=sao_text,
            sao_number=sao_number,
            parent=parent,
            level=level,
        )
        parent.children.append(flat)
        self._out.append(flat)

    def _number(self, side: int) -> int:
        """The next house number on `side`; numbering skips a few now and then, and 13."""
        rng = self._rng
        number = self._next[side]
        step = 2
        if rng.random() < 0.03:
            step += 2 * rng.randint(1, 3)
        self._next[side] += step
        if self._next[side] == 13 and rng.random() < 0.3:
            self._next[side] += 2
        return number

    def _advance(self, side: int, width: float) -> float:
        """Takes `width` of frontage on `side`; returns the plot's centre offset."""
        centre = self._ends[side] + width / 2
        self._ends[side] += width
        return centre

    def _house_name(self) -> str:
        rng = self._rng
        if rng.random() < 0.5:
            return self._unique(lambda: rng.choice(names.HOUSE_NAMES))
        return self._unique(
            lambda: f"{rng.choice(names.HOUSE_NAME_FIRSTS)} {rng.choice(names.HOUSE_NAME_KINDS)}"
        )

    def _unique(self, draw: Callable[[], str]) -> str:
        for _ in range(1000):
            name = draw()
            if name not in self._names:
                self._names.add(name)
                return name
        # The pools hold hundreds of names; a street with more named plots numbers them.
        name = f"{name} {len(self._names)}"
        self._names.add(name)
        return name


def _company(rng: random.Random) -> str:
    return (
        f"{rng.choice(names.SURNAMES)} {rng.choice(names.TRADES)} {rng.choice(names.COMPANY_FORMS)}"
    )


def _shop_name(rng: random.Random, cls: str) -> str:
    """An organisation name for 85% of high street premises ("" for the rest)."""
    if rng.random() >= 0.85:
        return ""
    surname = rng.choice(names.SURNAMES)
    if cls == "CR06":
        return rng.choice(PUBS)
    if cls == "CO01":
        return f"{surname} & {rng.choice(names.SURNAMES)} {rng.choice(PROFESSIONS)}"
    if cls == "CR01":
        return f"{surname} Building Society"
    if cls == "CR07":
        return f"{surname}'s {rng.choice(EATERIES)}"
    return f"{surname}'s {rng.choice(names.SHOPS)}"
