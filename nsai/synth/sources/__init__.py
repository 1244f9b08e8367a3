"""The sources drawn from the truth, one module each: council LLPGs and the county gazetteer
(DTF 7.3), a council-tax style list (CSV) and a fire-service premises list (GeoJSON).

Every source takes one street and its properties at a time, writes its records and their truth
rows as it goes, and is closed once at the end.
"""

from __future__ import annotations

from typing import Protocol

from nsai.synth.properties import Property, Street


class Source(Protocol):
    name: str  # the source's name in truth.csv and the manifest
    file_name: str

    def add_street(self, street: Street, properties: list[Property]) -> None: ...

    def close(self) -> None: ...

    def describe(self) -> dict[str, object]:
        """The source's manifest entry: file, format, and what a loader needs to read it."""
        ...
