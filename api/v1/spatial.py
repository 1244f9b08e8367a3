"""Spatial queries: GET /v1/nearest, GET /v1/addresses?bbox= or ?point=&radius=, and
POST /v1/addresses/within (a GeoJSON Polygon or MultiPolygon)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from api.body_limit import POLYGON_BODY_BYTES
from api.errors import PROBLEM_RESPONSES, problem
from api.v1.common import (
    GEOJSON_RESPONSE,
    CursorQuery,
    FormatQuery,
    SrsQuery,
    on_connection,
    page_answer,
)
from nsai.query import spatial
from nsai.query.errors import BadInput
from nsai.query.limits import (
    DEFAULT_PAGE,
    DEFAULT_RANKED,
    MAX_AREA_M2,
    MAX_PAGE,
    MAX_POLYGON_VERTICES,
    MAX_RADIUS_M,
    MAX_RANKED,
)
from nsai.query.models import AddressPage, AreaGeometry, NearestPage, Srs

router = APIRouter(prefix="/v1", tags=["spatial"], responses=PROBLEM_RESPONSES)

_KM2 = f"{MAX_AREA_M2 / 1e6:g} km²"
PointQuery = Annotated[str, Query(description="`x,y` in EPSG:27700, or `lon,lat` with `srs=4326`.")]
Radius = Annotated[
    float,
    Query(
        gt=0, le=MAX_RADIUS_M, allow_inf_nan=False, description=f"Metres, at most {MAX_RADIUS_M:g}."
    ),
]
PageLimit = Annotated[
    int, Query(ge=1, le=MAX_PAGE, description=f"Addresses per page, at most {MAX_PAGE}.")
]


@router.get("/nearest", response_model=NearestPage, responses=GEOJSON_RESPONSE)
async def nearest(
    request: Request,
    point: PointQuery,
    radius: Radius = 100.0,
    limit: Annotated[
        int, Query(ge=1, le=MAX_RANKED, description=f"Addresses, at most {MAX_RANKED}.")
    ] = DEFAULT_RANKED,
    srs: SrsQuery = Srs.BNG,
    fmt: FormatQuery = None,
) -> NearestPage | JSONResponse:
    """The active addresses nearest a point within `radius`, nearest first, with their distance
    in metres."""
    page = await on_connection(request, spatial.nearest, point, srs, radius, limit)
    return page_answer(request, fmt, page, srs)


@router.get("/addresses", response_model=AddressPage, responses=GEOJSON_RESPONSE)
async def addresses_in(
    request: Request,
    bbox: Annotated[
        str | None,
        Query(description=f"`minx,miny,maxx,maxy` (in `srs`), at most {_KM2}."),
    ] = None,
    point: Annotated[
        str | None, Query(description="`x,y` (or `lon,lat` with `srs=4326`), with `radius`.")
    ] = None,
    radius: Annotated[
        float | None,
        Query(
            gt=0,
            le=MAX_RADIUS_M,
            allow_inf_nan=False,
            description=f"Metres around `point`, at most {MAX_RADIUS_M:g}.",
        ),
    ] = None,
    limit: PageLimit = DEFAULT_PAGE,
    cursor: CursorQuery = None,
    srs: SrsQuery = Srs.BNG,
    fmt: FormatQuery = None,
) -> AddressPage | JSONResponse:
    """The active addresses in a box (`bbox`) or within `radius` metres of `point` (one or the
    other), by UPRN, cursor-paged."""
    if bbox is not None:
        if point is not None or radius is not None:
            raise BadInput("bbox", "give bbox, or point and radius, not both")
        page = await on_connection(request, spatial.in_bbox, bbox, srs, limit, cursor)
    elif point is None:
        raise BadInput("bbox", "give bbox, or point and radius")
    elif radius is None:
        raise BadInput("radius", "give the radius in metres around point")
    else:
        page = await on_connection(request, spatial.in_radius, point, srs, radius, limit, cursor)
    return page_answer(request, fmt, page, srs)


@router.post(
    "/addresses/within",
    response_model=AddressPage,
    responses=GEOJSON_RESPONSE
    | {413: problem(f"The body is larger than {POLYGON_BODY_BYTES // (1024 * 1024)} MiB.")},
)
async def addresses_within(
    request: Request,
    geometry: Annotated[
        AreaGeometry,
        Body(
            description=f"A GeoJSON Polygon or MultiPolygon (coordinates in `srs`), valid "
            f"(closed rings, no self-intersection), at most {MAX_POLYGON_VERTICES:,} vertices "
            f"and {_KM2}."
        ),
    ],
    limit: PageLimit = DEFAULT_PAGE,
    cursor: CursorQuery = None,
    srs: SrsQuery = Srs.BNG,
    fmt: FormatQuery = None,
) -> AddressPage | JSONResponse:
    """The active addresses inside a polygon, by UPRN, cursor-paged. An invalid or
    self-intersecting polygon, or one beyond the limits, is 422."""
    page = await on_connection(request, spatial.within, geometry, srs, limit, cursor)
    return page_answer(request, fmt, page, srs)
