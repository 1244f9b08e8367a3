"""Addresses near a point, in a box, within a radius or a polygon (every limit checked before
the database is asked; see nsai.query.limits)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from nsai.db.queries import execute
from nsai.query import paging
from nsai.query.addresses import summaries
from nsai.query.geometry import parse_bbox, parse_point, parse_polygon
from nsai.query.models import (
    AddressPage,
    AddressSummary,
    AreaGeometry,
    NearbyAddress,
    NearestPage,
    Srs,
)


def nearest(conn: Connection, point: str, srs: Srs, radius: float, limit: int) -> NearestPage:
    """Up to `limit` active addresses within `radius` metres of `point`, nearest first."""
    x, y = parse_point("point", point, srs)
    found = execute(
        conn, "query/spatial.sql", "nearest", returning=dict, x=x, y=y, radius=radius, limit=limit
    )
    distances = [round(float(row["distance_m"]), 2) for row in found]
    return NearestPage(data=summaries(found, NearbyAddress, distance_m=distances))


def _page(
    conn: Connection, section: str, limit: int, cursor: str | None, **where: object
) -> AddressPage:
    after = paging.after_uprn("cursor", cursor)
    found = execute(
        conn, "query/spatial.sql", section, returning=dict, after=after, limit=limit + 1, **where
    )
    page = found[:limit]
    more = len(found) > limit  # one row more than asked for: there is a next page
    return AddressPage(
        data=summaries(page, AddressSummary),
        next_cursor=paging.encode(page[-1]["uprn"]) if more else None,
    )


def in_bbox(conn: Connection, bbox: str, srs: Srs, limit: int, cursor: str | None) -> AddressPage:
    """Active addresses in a box `minx,miny,maxx,maxy`, by UPRN."""
    return _page(conn, "in_area", limit, cursor, area=parse_bbox("bbox", bbox, srs))


def in_radius(
    conn: Connection, point: str, srs: Srs, radius: float, limit: int, cursor: str | None
) -> AddressPage:
    """Active addresses within `radius` metres of `point`, by UPRN."""
    x, y = parse_point("point", point, srs)
    return _page(conn, "in_radius", limit, cursor, x=x, y=y, radius=radius)


def within(
    conn: Connection, geometry: AreaGeometry, srs: Srs, limit: int, cursor: str | None
) -> AddressPage:
    """Active addresses inside a GeoJSON Polygon or MultiPolygon, by UPRN."""
    return _page(conn, "in_area", limit, cursor, area=parse_polygon("body", geometry, srs))
