"""The ground truth: which property each source record is (truth.csv), and the properties
themselves (properties.csv).

truth.csv has a row `source,source_ref,true_id` for every record of every source: source is the
source's name in the manifest, source_ref the id a loader gives the record (a DTF record's UPRN,
the CSV's reference, the GeoJSON feature's `id` property) and true_id the UPRN the property's own
council gives it, which is also the true_id of properties.csv and queries.csv.
"""

from __future__ import annotations

import csv
from collections import Counter
from typing import TextIO

from nsai.address.render import pao_numbers, sao_numbers, single_line
from nsai.synth.properties import Property, Street

PROPERTY_COLUMNS = (
    "true_id", "parent_id", "custodian_code", "class", "organisation", "sao", "pao_text",
    "pao_numbers", "street", "locality", "town", "postcode", "x", "y", "address",
)  # fmt: skip


class TruthWriter:
    """Writes truth.csv as records are written, and counts them per source."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.counts: Counter[str] = Counter()
        stream.write("source,source_ref,true_id\n")

    def add(self, source: str, ref: str | int, true_id: int) -> None:
        # Source names and references never hold commas or quotes, so no CSV quoting is needed.
        self._stream.write(f"{source},{ref},{true_id}\n")
        self.counts[source] += 1


class PropertiesWriter:
    """Writes properties.csv: every property of the truth, its BS7666 parts and its address."""

    def __init__(self, stream: TextIO) -> None:
        self._csv = csv.writer(stream, lineterminator="\n")
        self._csv.writerow(PROPERTY_COLUMNS)
        self.count = 0

    def add_street(self, street: Street, properties: list[Property]) -> None:
        for prop in properties:
            address = prop.address(street)
            sao = sao_numbers(address)
            self._csv.writerow(
                (
                    prop.uprn,
                    prop.parent.uprn if prop.parent else "",
                    street.council.code,
                    prop.cls,
                    prop.organisation,
                    f"{prop.sao_text} {sao}" if prop.sao_text and sao else prop.sao_text or sao,
                    prop.pao_text,
                    pao_numbers(address),
                    street.name,
                    street.locality,
                    street.town,
                    prop.postcode,
                    f"{prop.x:.2f}",
                    f"{prop.y:.2f}",
                    single_line(address),
                )
            )
        self.count += len(properties)
