"""A council-tax style list (CSV, no coordinates): every dwelling, typed in by people.

Columns: property_ref, address_1 … address_4, postcode, band. The reference is the record's id.
Dwellings only (houses and flats; no parent shells, shops or units), 3% of them missing.

Typing noise, as a chance per record: street type abbreviated 30% (with a full stop 20% of those); a
street's "St" (Saint) written "Saint" 30%; apostrophes dropped 40%; one typo 4%; a house or building
name dropped when there is a number 50%; locality dropped 40%; a county or post town added 5%;
"Flat" written Flat 60%, Apartment 10%, Apt 10%, or not at all 20%, with the flat's floor 10%
("Flat 2 First Floor", "(Ground Floor) Flat 1"); postcode missing 3%, mistyped
1.5%, without its space 5%; the whole record in capitals 35%, in lower case 5%. Lines: the parts are
packed into four lines, two parts sharing a line when there are more than four (and on 30% of
records anyway).
"""

from __future__ import annotations

import csv
import random
from typing import ClassVar, TextIO

from nsai.synth.noise import Typing, casing, typed_parts
from nsai.synth.properties import Property, Street
from nsai.synth.truth import TruthWriter

COLUMNS = ("property_ref", "address_1", "address_2", "address_3", "address_4", "postcode", "band")
MISSING = 0.03
TYPING = Typing(
    abbreviate=0.3,
    dot=0.2,
    saint=0.3,
    apostrophe=0.4,
    typo=0.04,
    drop_name=0.5,
    drop_locality=0.4,
    add_locality=0.05,
    flat_words=(("Flat", 60), ("Apartment", 10), ("Apt", 10), ("", 20)),
    postcode_missing=0.03,
    postcode_mistyped=0.015,
    postcode_unspaced=0.05,
    organisation=0.0,
    floor_words=0.1,
)
UPPER = 0.35
LOWER = 0.05
BANDS = {"RD02": "DEFGH", "RD03": "CDE", "RD04": "ABC", "RD06": "AB"}


class CtaxList:
    """The council-tax style list (see the module docstring for its habits)."""

    name = "ctax"
    file_name = "ctax.csv"
    # The loader's column mapping (the keys of `nsai load`'s mapping file).
    mapping: ClassVar[dict[str, str | list[str]]] = {
        "id-column": "property_ref",
        "address-columns": ["address_1", "address_2", "address_3", "address_4"],
        "postcode-column": "postcode",
    }

    def __init__(self, stream: TextIO, *, county: str, truth: TruthWriter, seed: int) -> None:
        self._csv = csv.writer(stream, lineterminator="\n")
        self._csv.writerow(COLUMNS)
        self._county = county
        self._truth = truth
        self._rng = random.Random(f"nsai-synth/{seed}/ctax")
        self._serial = 0

    def add_street(self, street: Street, properties: list[Property]) -> None:
        rng = self._rng
        for prop in properties:
            if not prop.cls.startswith("R") or rng.random() < MISSING:
                continue
            parts = typed_parts(prop, street, rng, TYPING, self._county)
            items = parts.items
            while len(items) > 4 or (len(items) > 2 and rng.random() < 0.3):
                joint = ", " if rng.random() < 0.5 else " "
                items[0:2] = [items[0] + joint + items[1]]
            case = casing(rng, UPPER, LOWER)
            lines = [case(item) for item in items]
            lines.extend([""] * (4 - len(lines)))
            self._serial += 1
            ref = f"CT{self._serial:08d}"
            band = rng.choice(BANDS[prop.cls])
            self._csv.writerow((ref, *lines, case(parts.postcode), band))
            self._truth.add(self.name, ref, prop.uprn)

    def close(self) -> None:
        """Nothing to finish: a CSV needs no trailer."""

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "file": self.file_name,
            "format": "csv",
            "description": "council-tax style list of dwellings, without coordinates",
            "mapping": self.mapping,
        }
