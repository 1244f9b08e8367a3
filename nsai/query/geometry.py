"""Points, boxes and polygons as users give them (in EPSG:27700 or WGS84), checked against the
limits and turned into British National Grid for the database; and points back to WGS84.

Every conversion is pyproj's, in Python, both ways: a box given in degrees is densified before
it is projected, so what comes back really lies inside the box as the user drew it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from nsai.bng import SRID, inside_great_britain
from nsai.query.errors import BadInput
from nsai.query.limits import MAX_AREA_M2, MAX_POLYGON_VERTICES
from nsai.query.models import AreaGeometry, Location, MultiPolygonGeometry, Srs

WGS84 = Srs.WGS84
# Edges given in degrees are straight in degrees and curved in the grid: points every 0.001°
# (about 100 m) keep the projected outline within millimetres of the true one.
_DEGREE_STEP = 0.001
_MAX_POINTS = 100_000


@cache
def _transformer(source: int, target: int) -> Transformer:
    # pyproj's Transformer keeps one PROJ object per thread, so one instance serves them all.
    return Transformer.from_crs(source, target, always_xy=True)


def locations(xs: Sequence[float], ys: Sequence[float]) -> list[Location]:
    """Grid points with their WGS84 coordinates (one pyproj call for the lot)."""
    if not xs:
        return []
    lons, lats = _transformer(SRID, WGS84).transform(list(xs), list(ys))
    return [
        Location(x=round(x, 2), y=round(y, 2), lon=round(lon, 7), lat=round(lat, 7))
        for x, y, lon, lat in zip(xs, ys, lons, lats, strict=True)
    ]


def _numbers(field: str, raw: str, count: int, shape: str) -> list[float]:
    parts = raw.split(",")
    if len(parts) != count:
        raise BadInput(field, f"give {shape}: {count} numbers separated by commas")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise BadInput(field, f"give {shape}: {count} numbers separated by commas") from None
    if not all(math.isfinite(v) for v in values):
        raise BadInput(field, "coordinates must be finite numbers")
    return values


def _check_degrees(field: str, lon: float, lat: float) -> None:
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise BadInput(field, "longitude must be within -180..180 and latitude within -90..90")


def _outside(field: str, srs: Srs) -> BadInput:
    hint = "" if srs == WGS84 else " (for lon,lat give srs=4326)"
    return BadInput(field, f"outside Great Britain in EPSG:{int(srs)}{hint}")


def parse_point(field: str, raw: str, srs: Srs) -> tuple[float, float]:
    """`x,y` (srs 27700) or `lon,lat` (srs 4326) -> a grid point inside Great Britain."""
    a, b = _numbers(field, raw, 2, "x,y (or lon,lat with srs=4326)")
    if srs == WGS84:
        _check_degrees(field, a, b)
        a, b = _transformer(WGS84, SRID).transform(a, b)
    if not (math.isfinite(a) and math.isfinite(b) and inside_great_britain(a, b)):
        raise _outside(field, srs)
    return a, b


def _check_area(field: str, area: BaseGeometry, srs: Srs) -> str:
    if not shapely.intersects(area, shapely.box(0, 0, 700_000, 1_300_000)):
        raise _outside(field, srs)
    if not area.area <= MAX_AREA_M2:  # also when the area overflowed to inf or nan
        size = f"{area.area / 1e6:,.1f} km²" if math.isfinite(area.area) else "no finite area"
        raise BadInput(field, f"covers {size}; at most {MAX_AREA_M2 / 1e6:g} km² per request")
    return str(shapely.to_wkt(area, rounding_precision=3))


def parse_bbox(field: str, raw: str, srs: Srs) -> str:
    """`minx,miny,maxx,maxy` (or lon/lat with srs 4326) -> the box in the grid, as WKT."""
    x0, y0, x1, y1 = _numbers(field, raw, 4, "minx,miny,maxx,maxy")
    if not (x0 < x1 and y0 < y1):
        raise BadInput(field, "minx must be below maxx and miny below maxy")
    if srs == WGS84:
        _check_degrees(field, x0, y0)
        _check_degrees(field, x1, y1)
        return _check_area(field, _projected(field, shapely.box(x0, y0, x1, y1), srs), srs)
    return _check_area(field, shapely.box(x0, y0, x1, y1), srs)


def _projected(field: str, geometry: BaseGeometry, srs: Srs) -> BaseGeometry:
    """A WGS84 geometry in the grid, its edges densified first (to at most _MAX_POINTS points,
    however long its outline: too large an area is refused after, not computed at length)."""
    step = max(_DEGREE_STEP, geometry.length / _MAX_POINTS)
    projected = shapely.transform(shapely.segmentize(geometry, step), _to_grid)
    if not (np.isfinite(shapely.get_coordinates(projected)).all() and projected.is_valid):
        raise BadInput(field, "reaches too far from Great Britain to map onto EPSG:27700")
    return projected


def _to_grid(lonlat: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    xs, ys = _transformer(WGS84, SRID).transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack((xs, ys))


def parse_polygon(field: str, geometry: AreaGeometry, srs: Srs) -> str:
    """A GeoJSON Polygon or MultiPolygon -> the area in the grid, as WKT; 422 when it is not a
    valid polygon (rings unclosed, self-intersecting, ...) or is too large."""
    polygons = (
        geometry.coordinates
        if isinstance(geometry, MultiPolygonGeometry)
        else [geometry.coordinates]
    )
    vertices = sum(len(ring) for polygon in polygons for ring in polygon)
    if vertices > MAX_POLYGON_VERTICES:
        raise BadInput(field, f"{vertices:,} vertices; at most {MAX_POLYGON_VERTICES:,}")
    rings: list[list[list[tuple[float, float]]]] = []
    for p, polygon in enumerate(polygons):
        rings.append([])
        for r, ring in enumerate(polygon):
            points = [(pos[0], pos[1]) for pos in ring]
            if points[0] != points[-1]:
                raise BadInput(field, f"polygon {p} ring {r} is not closed (first != last)")
            if srs == WGS84:
                for lon, lat in points:
                    _check_degrees(field, lon, lat)
            rings[-1].append(points)
    area = MultiPolygon([Polygon(shell, holes) for shell, *holes in rings])
    if not area.is_valid:
        raise BadInput(field, f"invalid polygon: {shapely.is_valid_reason(area)}")
    if srs == WGS84:
        area = _projected(field, area, srs)
    return _check_area(field, area, srs)
