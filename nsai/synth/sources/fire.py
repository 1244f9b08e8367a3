"""A fire-service premises list (GeoJSON points in WGS84) with one-line addresses.

Premises, not households: 60% of houses, 90% of buildings of flats (the parent shell), 95% of
shops, offices and units, and only 3% of individual flats. Each feature has properties `id` (the
record's id), `address` (one line with the postcode) and `premises_type`.

Noise, as a chance per record: position off by 0.5-10 m (85%), 10-60 m (12%) or 100-300 m (3%);
street type abbreviated 40%; a street's "St" written "Saint" 10%; apostrophes dropped 30%; one typo
2%; name dropped when there is a number 30%; locality dropped 30%; county added 3%; flats written
Flat 70%, Apartment 5%, Apt 5% or bare 20%, with their floor ("Flat 2 First Floor", "(Ground
Floor) Flat 1") 20%; the house number apart from its street ("17, Pantyscallog Houses") 10%;
postcode missing 5%, mistyped 1%, without its space 5%; organisation name kept 90%; no commas at
all 15%; capitals 70%.
"""

from __future__ import annotations

import json
import random
from typing import ClassVar, TextIO

from pyproj import Transformer

from nsai.synth.noise import Typing, casing, jitter, typed_parts
from nsai.synth.properties import Property, Street
from nsai.synth.truth import TruthWriter

COVERAGE = {"PP": 0.9, "RD06": 0.03}
HOUSE_COVERAGE = 0.6
COMMERCIAL_COVERAGE = 0.95
JITTER = ((0.85, 0.5, 10.0), (0.12, 10.0, 60.0), (0.03, 100.0, 300.0))
TYPING = Typing(
    abbreviate=0.4,
    dot=0.0,
    saint=0.1,
    apostrophe=0.3,
    typo=0.02,
    drop_name=0.3,
    drop_locality=0.3,
    add_locality=0.03,
    flat_words=(("Flat", 70), ("Apartment", 5), ("Apt", 5), ("", 20)),
    postcode_missing=0.05,
    postcode_mistyped=0.01,
    postcode_unspaced=0.05,
    organisation=0.9,
    number_apart=0.1,
    floor_words=0.2,
)
UPPER = 0.7
NO_COMMAS = 0.15


def premises_type(cls: str) -> str:
    if cls == "PP":
        return "Flats"
    if cls.startswith("R"):
        return "Dwelling"
    return "Commercial"


class FireList:
    """The fire-service premises list (see the module docstring for its habits)."""

    name = "fire"
    file_name = "fire.geojson"
    # The loader's column mapping (the keys of `nsai load`'s mapping file); the points are the
    # features' geometry.
    mapping: ClassVar[dict[str, str | list[str]]] = {
        "id-column": "id",
        "address-columns": ["address"],
        "crs": "EPSG:4326",
    }

    def __init__(self, stream: TextIO, *, county: str, truth: TruthWriter, seed: int) -> None:
        self._stream = stream
        self._county = county
        self._truth = truth
        self._rng = random.Random(f"nsai-synth/{seed}/fire")
        self._to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        self._serial = 0
        stream.write('{"type":"FeatureCollection","name":"fire","features":[')

    def add_street(self, street: Street, properties: list[Property]) -> None:
        rng = self._rng
        chosen: list[tuple[Property, str]] = []
        xs: list[float] = []
        ys: list[float] = []
        for prop in properties:
            if prop.cls.startswith("C"):
                coverage = COMMERCIAL_COVERAGE
            else:
                coverage = COVERAGE.get(prop.cls, HOUSE_COVERAGE)
            if rng.random() >= coverage:
                continue
            parts = typed_parts(prop, street, rng, TYPING, self._county)
            bare = rng.random() < NO_COMMAS
            line = (" " if bare else ", ").join(parts.items)
            if parts.postcode:
                line += (", " if rng.random() < 0.5 and not bare else " ") + parts.postcode
            chosen.append((prop, casing(rng, UPPER, 0.0)(line)))
            dx, dy = jitter(rng, JITTER)
            xs.append(prop.x + dx)
            ys.append(prop.y + dy)
        if not chosen:
            return
        lons, lats = self._to_wgs84.transform(xs, ys)
        write = self._stream.write
        for (prop, line), lon, lat in zip(chosen, lons, lats, strict=True):
            self._serial += 1
            ref = f"FRS{self._serial:07d}"
            write(
                ("," if self._serial > 1 else "")
                + f'\n{{"type":"Feature","properties":{{"id":"{ref}","address":{json.dumps(line)},'
                + f'"premises_type":"{premises_type(prop.cls)}"}},'
                + f'"geometry":{{"type":"Point","coordinates":[{lon:.6f},{lat:.6f}]}}}}'
            )
            self._truth.add(self.name, ref, prop.uprn)

    def close(self) -> None:
        self._stream.write("\n]}\n")

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "file": self.file_name,
            "format": "geojson",
            "description": "fire-service premises list, points in WGS84",
            "crs": "EPSG:4326",
            "mapping": self.mapping,
        }
