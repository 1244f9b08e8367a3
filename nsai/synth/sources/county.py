"""The county gazetteer (DTF 7.3) over the two-tier councils: the same places, other habits.

- its own UPRNs (the county's custodian code, then eight digits); PARENT_UPRN links to its own
  parent records, and is empty when it has no record of the parent;
- capitals with street types abbreviated (CHURCH ST, STATION RD); localities dropped from 30% of
  street descriptors;
- flats and units as text alone: SAO_TEXT "FLAT 2", "UNIT 4" (no SAO number);
- houses classed just "RD" (dwelling) 25% of the time;
- coarser coordinates, in whole metres: RPC 2 rounded to 5 m and up to 10 m off each way, or
  for 10%, RPC 5: the centre of the postcode unit;
- gaps: 6% of properties missing; postcodes missing on 2% and mistyped on 1% of LPIs; a typo in
  the building name on 1%.
"""

from __future__ import annotations

from typing import Any, TextIO

from nsai.synth import names
from nsai.synth.geography import County
from nsai.synth.noise import mistype_postcode, typo
from nsai.synth.properties import Property, Street
from nsai.synth.sources.gazetteer import DtfGazetteer, Lpi

MISSING = 0.06
DROP_LOCALITY = 0.3
COARSE_CLASS = 0.25
POSTCODE_CENTRE = 0.1
POSTCODE_MISSING = 0.02
POSTCODE_MISTYPED = 0.01
NAME_TYPO = 0.01


def county_street_name(name: str) -> str:
    """ "Church Street" -> "CHURCH ST": capitals, the street type abbreviated."""
    body, _, last = name.rpartition(" ")
    short = names.COUNTY_ABBREVIATIONS.get(last)
    return f"{body} {short}".upper() if body and short else name.upper()


class CountyGazetteer(DtfGazetteer):
    """The county's DTF 7.3 file (see the module docstring for its habits)."""

    name = "county"
    file_name = "county.csv"

    def __init__(self, stream: TextIO, county: County, **shared: Any) -> None:
        self.county = county
        super().__init__(stream, county, **shared)

    def describe(self) -> dict[str, object]:
        return self._described(
            f"gazetteer of {self.county.name}",
            # Below the districts' LLPGs: the districts are the address authorities.
            priority=50,
            custodian_code=self.county.code,
        )

    def add_street(self, street: Street, properties: list[Property]) -> None:
        rng = self._rng
        kept = [p for p in properties if rng.random() >= MISSING]
        if not kept:
            return
        entry = self._dates.entry(rng)
        locality = "" if rng.random() < DROP_LOCALITY else street.locality.upper()
        self._file.street(
            street, county_street_name(street.name), locality, street.town.upper(), entry
        )
        centres = _postcode_centres(properties)
        in_file: dict[int, int] = {}  # true UPRN -> county UPRN
        post_town = street.post_town.upper()
        for prop in kept:
            uprn = self._uprns.next()
            in_file[prop.uprn] = uprn
            parent = in_file.get(prop.parent.uprn) if prop.parent else None
            if rng.random() < POSTCODE_CENTRE:
                x, y = centres[prop.postcode]
                rpc = 5
            else:
                x = round(prop.x / 5) * 5 + round(rng.uniform(-10.0, 10.0))
                y = round(prop.y / 5) * 5 + round(rng.uniform(-10.0, 10.0))
                rpc = 2
            cls = prop.cls
            if cls in ("RD02", "RD03", "RD04") and rng.random() < COARSE_CLASS:
                cls = "RD"
            updated = self._dates.after(entry, rng)
            self._file.blpu(
                uprn,
                status=1,
                cls=cls,
                parent=parent,
                x=float(x),
                y=float(y),
                rpc=rpc,
                custodian=self.county.code,
                entry=entry,
                updated=updated,
                organisation=prop.organisation.upper(),
            )
            self._truth.add(self.name, uprn, prop.uprn)
            sao_text = prop.sao_text.upper()
            if prop.sao_number is not None:
                sao_text = f"{sao_text} {prop.sao_number}"
            pao_text = prop.pao_text.upper()
            if pao_text and rng.random() < NAME_TYPO:
                pao_text = typo(pao_text, rng)
            postcode = prop.postcode
            r = rng.random()
            if r < POSTCODE_MISSING:
                postcode = ""
            elif r < POSTCODE_MISSING + POSTCODE_MISTYPED:
                postcode = mistype_postcode(postcode, rng)
            lpi = Lpi(
                usrn=street.usrn,
                sao_text=sao_text,
                sao_number=None,
                pao_text=pao_text,
                pao_start=prop.pao_start,
                pao_suffix=prop.pao_suffix,
                pao_end=prop.pao_end,
                level=prop.level,
                postal="N" if prop.cls == "PP" else "Y",
                postcode=postcode,
                post_town=post_town,
            )
            self._file.lpi(uprn, lpi, status=1, entry=entry, updated=updated)


def _postcode_centres(properties: list[Property]) -> dict[str, tuple[float, float]]:
    """The centre of each postcode unit on a street (a street's units are its own)."""
    sums: dict[str, list[float]] = {}
    for prop in properties:
        total = sums.setdefault(prop.postcode, [0.0, 0.0, 0.0])
        total[0] += prop.x
        total[1] += prop.y
        total[2] += 1
    return {pc: (round(sx / n), round(sy / n)) for pc, (sx, sy, n) in sums.items()}
