"""Rows of national_address as the read side returns them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from nsai.query.geometry import locations
from nsai.query.models import AddressSummary, Location

Summary = TypeVar("Summary", bound=AddressSummary)


def located(found: Sequence[Mapping[str, Any]]) -> list[Location | None]:
    """Each row's point (x, y) with its WGS84 coordinates, or None where it has no point."""
    have = [i for i, row in enumerate(found) if row["x"] is not None]
    points = locations([found[i]["x"] for i in have], [found[i]["y"] for i in have])
    out: list[Location | None] = [None] * len(found)
    for i, point in zip(have, points, strict=True):
        out[i] = point
    return out


def summaries(
    found: Sequence[Mapping[str, Any]], model: type[Summary], **extra: Sequence[object]
) -> list[Summary]:
    """Rows holding the summary columns (and `extra` per-row values) as `model`s."""
    fields = set(model.model_fields) - {"location"}
    return [
        model.model_validate(
            {k: row[k] for k in fields if k in row}
            | {k: values[i] for k, values in extra.items()}
            | {"location": point}
        )
        for i, (row, point) in enumerate(zip(found, located(found), strict=True))
    ]
