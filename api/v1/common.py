"""What the v1 routes share: a database connection per request, the `srs` and `format`
parameters, and GeoJSON answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Connection, Engine

from nsai.query.models import Srs

GEOJSON = "application/geo+json"


def _connection(request: Request) -> Iterator[Connection]:
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:
        yield conn


Db = Annotated[Connection, Depends(_connection)]
SrsQuery = Annotated[
    Srs,
    Query(
        description="Coordinate system of points given (`x,y` in 27700, `lon,lat` in 4326) and "
        "of GeoJSON geometries returned. JSON answers carry both."
    ),
]
FormatQuery = Annotated[
    Literal["json", "geojson"] | None,
    Query(
        alias="format",
        description="`geojson` for a GeoJSON answer (as `Accept: application/geo+json` asks).",
    ),
]
GEOJSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {GEOJSON: {}}, "description": "JSON, or GeoJSON when asked for."}
}


def wants_geojson(request: Request, fmt: str | None) -> bool:
    """`format` decides when given; otherwise the Accept header."""
    if fmt is not None:
        return fmt == "geojson"
    return GEOJSON in request.headers.get("accept", "")


def geojson_response(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, media_type=GEOJSON)
