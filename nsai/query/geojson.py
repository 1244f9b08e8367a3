"""Results as GeoJSON features: the point in the chosen coordinate system, the rest as
properties. In EPSG:27700 the (pre-RFC 7946) `crs` member names the grid, so GIS tools place it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from nsai.query.models import Location, Srs

_GRID_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}


def _point(location: Location | None, srs: Srs) -> dict[str, Any] | None:
    if location is None:
        return None
    coordinates = [location.x, location.y] if srs == Srs.BNG else [location.lon, location.lat]
    return {"type": "Point", "coordinates": coordinates}


def _crs(srs: Srs) -> dict[str, Any]:
    return {"crs": _GRID_CRS} if srs == Srs.BNG else {}


def _feature(item: BaseModel, srs: Srs) -> dict[str, Any]:
    properties = item.model_dump(mode="json", exclude={"location"})
    return {
        "type": "Feature",
        "id": properties["uprn"],
        "geometry": _point(getattr(item, "location", None), srs),
        "properties": properties,
    }


def feature(item: BaseModel, srs: Srs) -> dict[str, Any]:
    """One address (a model with `uprn` and `location`) as a Feature."""
    return _feature(item, srs) | _crs(srs)


def collection(items: Sequence[BaseModel], srs: Srs, **members: Any) -> dict[str, Any]:
    """A FeatureCollection; `members` (next_cursor, total...) ride along as foreign members."""
    features = [_feature(item, srs) for item in items]
    return {"type": "FeatureCollection", "features": features} | _crs(srs) | members
