"""A council's LLPG as a DTF 7.3 file: its own properties, and its neighbours' near the boundary.

Conventions and noise (rates are per BLPU unless said otherwise):

- capitals, street types in full, RPC 1 (visual centre) to the centimetre;
- flats: even-indexed councils write SAO_TEXT "FLAT" + SAO_START_NUMBER 2, odd-indexed councils
  SAO_START_NUMBER 2 alone; lettered and floor flats are SAO_TEXT ("FLAT A",
  "GROUND FLOOR FLAT"); units follow the flats ("UNIT" + 4, or 4 alone);
- an alternative LPI (status 3) on 30% of houses with both a name and a number (the name alone)
  and on 5% of numbered flats (SAO_TEXT "FLAT 2" without a number);
- a historical LPI (status 8, with an END_DATE) on 2%: the address under a former postcode, or
  for a house known by name alone, under a former name (20% of those);
- provisional BLPUs and LPIs (status 6, BLPU state 1) for new builds (1% of plain houses);
- cross-boundary records: 40% of the neighbour's buildings within 250 m of the shared boundary in
  a straddling town, a quarter of them under the neighbour's UPRN, the rest under a UPRN of this
  council's own; all with the neighbour's custodian code (the council responsible); flats go
  with their building.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TextIO

from nsai.synth import names
from nsai.synth.geography import Council
from nsai.synth.noise import mistype_postcode
from nsai.synth.properties import Property, Street
from nsai.synth.sources.gazetteer import DtfGazetteer, Lpi

ALTERNATIVE_NAMED = 0.3
ALTERNATIVE_FLAT = 0.05
HISTORICAL = 0.02
FORMER_NAME = 0.2
CROSS_BOUNDARY_DISTANCE = 250.0
CROSS_BOUNDARY = 0.4
UNDER_NEIGHBOUR_UPRN = 0.25


class CouncilLlpg(DtfGazetteer):
    """One council's DTF 7.3 file (see the module docstring for its habits)."""

    def __init__(self, stream: TextIO, council: Council, **shared: Any) -> None:
        self.council = council
        self.name = f"llpg-{council.code}"
        self.file_name = f"{self.name}.csv"
        super().__init__(stream, council, **shared)
        self._flat_word = council.index % 2 == 0

    def describe(self) -> dict[str, object]:
        return self._described(f"LLPG of {self.council.name}", custodian_code=self.council.code)

    def add_street(self, street: Street, properties: list[Property]) -> None:
        """The council's own street and properties."""
        entry = self._street(street)
        for prop in properties:
            parent = prop.parent.uprn if prop.parent else None
            self._property(street, prop, prop.uprn, parent, self.council.code, entry, own=True)

    def add_cross_boundary(self, street: Street, properties: list[Property]) -> None:
        """Some of a neighbour's properties on `street` near the boundary with this council."""
        rng = self._rng
        boundary = street.settlement.boundary_x
        chosen: list[tuple[Property, bool]] = []  # (property, under the neighbour's UPRN)
        for prop in properties:
            if prop.parent is not None:
                continue
            if abs(prop.x - boundary) < CROSS_BOUNDARY_DISTANCE and rng.random() < CROSS_BOUNDARY:
                neighbours = rng.random() < UNDER_NEIGHBOUR_UPRN
                chosen.append((prop, neighbours))
                chosen.extend((child, neighbours) for child in prop.children)
        if not chosen:
            return
        entry = self._street(street)
        in_file: dict[int, int] = {}  # true UPRN -> this file's UPRN
        for prop, neighbours in chosen:
            uprn = prop.uprn if neighbours else self._uprns.next()
            in_file[prop.uprn] = uprn
            parent = in_file[prop.parent.uprn] if prop.parent else None
            # LOCAL_CUSTODIAN_CODE names the council responsible for the property, whichever
            # gazetteer holds the record and under whichever UPRN.
            self._property(street, prop, uprn, parent, street.council.code, entry, own=False)

    def _street(self, street: Street) -> str:
        entry = self._dates.entry(self._rng)
        self._file.street(
            street, street.name.upper(), street.locality.upper(), street.town.upper(), entry
        )
        return entry

    def _property(
        self,
        street: Street,
        prop: Property,
        uprn: int,
        parent: int | None,
        custodian: int,
        street_entry: str,
        *,
        own: bool,
    ) -> None:
        rng = self._rng
        dates = self._dates
        status = 6 if prop.provisional else 1
        if prop.provisional:
            entry = dates.recent(rng)
        else:
            entry = street_entry if rng.random() < 0.9 else dates.after(street_entry, rng)
        updated = entry if rng.random() < 0.7 else dates.after(entry, rng)
        self._file.blpu(
            uprn,
            status=status,
            cls=prop.cls,
            parent=parent,
            x=prop.x,
            y=prop.y,
            rpc=1,
            custodian=custodian,
            entry=entry,
            updated=updated,
            organisation=prop.organisation.upper(),
        )
        self._truth.add(self.name, uprn, prop.uprn)

        sao_text = prop.sao_text.upper()
        sao_number = prop.sao_number
        if sao_number is not None and not self._flat_word:
            sao_text = ""
        lpi = Lpi(
            usrn=street.usrn,
            sao_text=sao_text,
            sao_number=sao_number,
            pao_text=prop.pao_text.upper(),
            pao_start=prop.pao_start,
            pao_suffix=prop.pao_suffix,
            pao_end=prop.pao_end,
            level=prop.level,
            postal="N" if prop.cls == "PP" else "Y",
            postcode=prop.postcode,
            post_town=street.post_town.upper(),
        )
        self._file.lpi(uprn, lpi, status=status, entry=entry, updated=updated)
        if not own:
            return
        if lpi.pao_text and lpi.pao_start is not None and rng.random() < ALTERNATIVE_NAMED:
            alternative = replace(lpi, pao_start=None)
            self._file.lpi(uprn, alternative, status=3, entry=entry, updated=updated)
        elif sao_number is not None and prop.sao_text != "Unit" and rng.random() < ALTERNATIVE_FLAT:
            alternative = replace(
                lpi, sao_text=f"{prop.sao_text.upper()} {sao_number}", sao_number=None
            )
            self._file.lpi(uprn, alternative, status=3, entry=entry, updated=updated)
        if rng.random() < HISTORICAL:
            start = dates.entry(rng)
            end = dates.after(start, rng)
            former = replace(lpi, postcode=mistype_postcode(prop.postcode, rng))
            if lpi.pao_start is None and lpi.pao_text and rng.random() < FORMER_NAME:
                name = rng.choice(names.HOUSE_NAMES).upper()
                if name != lpi.pao_text:
                    former = replace(lpi, pao_text=name)
            self._file.lpi(uprn, former, status=8, entry=start, updated=end, end=end)
