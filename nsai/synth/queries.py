"""queries.csv: one-line addresses as a caseworker types them, with the property they mean.

Queries are drawn from properties spread evenly over the whole region (selection sampling, so
the count is exact while streaming) and shuffled at the end; only the queries are held in memory.

- 85% have a true answer: the property's address typed with heavy noise. Per query: lower case 45%,
  capitals 15%; street type abbreviated 40%; a street's "St" written "Saint" 20%; apostrophes
  dropped 40%; one typo 8%; name dropped when there is a number 40%; locality dropped 50%; flats
  written Flat 50%, Apartment 10%, Apt 10% or bare 30%; organisation kept 50%; postcode missing 40%,
  mistyped 3%, without its space 15%; town left out 25% when a postcode is given; commas left out
  35%.
- 15% have no true answer (empty true_id): built from a real property so that they look right,
  but naming something that does not exist: a flat number past the flats of that building, a
  house number past the end of the street or a suffix the street does not have (12B beside 12),
  or a street the town does not have. These keep the street and town spelled in full (only case
  and commas vary), so that "no property has this address" is checkable.
"""

from __future__ import annotations

import csv
import random
from typing import TextIO

from nsai.synth import names
from nsai.synth.noise import Typing, casing, typed_parts
from nsai.synth.properties import Property, Street

NO_TRUTH_SHARE = 0.15
TYPING = Typing(
    abbreviate=0.4,
    dot=0.1,
    saint=0.2,
    apostrophe=0.4,
    typo=0.08,
    drop_name=0.4,
    drop_locality=0.5,
    add_locality=0.05,
    flat_words=(("Flat", 50), ("Apartment", 10), ("Apt", 10), ("", 30)),
    postcode_missing=0.4,
    postcode_mistyped=0.03,
    postcode_unspaced=0.15,
    organisation=0.5,
)
UPPER = 0.15
LOWER = 0.45
DROP_TOWN = 0.25
NO_COMMAS = 0.35


class QueryMaker:
    """Picks properties while streaming and writes their queries at the end."""

    def __init__(self, *, queries: int, properties: int, county: str, seed: int) -> None:
        self._rng = random.Random(f"nsai-synth/{seed}/queries")
        self._county = county
        self._no_truth = round(queries * NO_TRUTH_SHARE)
        self._with_truth = queries - self._no_truth
        self._remaining = properties
        self._rows: list[tuple[str, str]] = []  # (address, true_id)

    def add_street(
        self, street: Street, properties: list[Property], street_names: frozenset[str]
    ) -> None:
        rng = self._rng
        for prop in properties:
            # Selection sampling: pick with chance needed/remaining, so exactly `needed` in all.
            if self._with_truth and rng.random() * self._remaining < self._with_truth:
                self._rows.append((self._typed(prop, street), str(prop.uprn)))
                self._with_truth -= 1
            if self._no_truth and rng.random() * self._remaining < self._no_truth:
                self._rows.append((self._nonexistent(prop, street, street_names), ""))
                self._no_truth -= 1
            self._remaining -= 1

    def write(self, stream: TextIO) -> int:
        """Writes queries.csv (id,address,true_id) in random order; returns the count."""
        self._rng.shuffle(self._rows)
        out = csv.writer(stream, lineterminator="\n")
        out.writerow(("id", "address", "true_id"))
        width = max(6, len(str(len(self._rows))))
        for i, (address, true_id) in enumerate(self._rows, 1):
            out.writerow((f"Q{i:0{width}d}", address, true_id))
        return len(self._rows)

    def _typed(self, prop: Property, street: Street) -> str:
        rng = self._rng
        parts = typed_parts(prop, street, rng, TYPING, self._county)
        items = parts.items
        if parts.postcode and rng.random() < DROP_TOWN:
            items = [item for item in items if item != street.town]
        if parts.postcode:
            items.append(parts.postcode)
        return self._join(items)

    def _nonexistent(self, prop: Property, street: Street, street_names: frozenset[str]) -> str:
        """An address like `prop`'s that no property has (see the module docstring)."""
        rng = self._rng
        building = prop.parent or (prop if prop.children else None)
        numbers = prop.pao_numbers
        r = rng.random()
        items: list[str]
        if building is not None and r < 0.8:
            flat = len(building.children) + rng.randint(1, 5)
            items = [f"Flat {flat}", building.pao_text, _with_number(numbers, street.name)]
        elif prop.pao_start is not None and r < 0.8:
            if rng.random() < 0.5:
                past_end = street.max_number + 2 * rng.randint(1, 20)
                items = [f"{past_end} {street.name}"]
            else:
                letter = next(c for c in "BCDEFG" if (prop.pao_start, c) not in street.numbers)
                items = [f"{prop.pao_start}{letter} {street.name}"]
        else:
            items = [f"{rng.randint(1, 80)} {_absent_street(rng, street_names)}"]
        items.extend((street.locality, street.town))
        return self._join([item for item in items if item])

    def _join(self, items: list[str]) -> str:
        rng = self._rng
        text = (" " if rng.random() < NO_COMMAS else ", ").join(items)
        return casing(rng, UPPER, LOWER)(text)


def _with_number(numbers: str, street: str) -> str:
    return f"{numbers} {street}" if numbers else street


def _absent_street(rng: random.Random, street_names: frozenset[str]) -> str:
    """A plausible street name that the town does not have."""
    types = [name for name, _, _ in names.STREET_TYPES]
    while True:
        name = f"{rng.choice(names.STREET_BASES)} {rng.choice(types)}"
        if name not in street_names:
            return name
