"""What the v1 routes share: reading on a pooled connection, the `srs` and `format` parameters,
and GeoJSON answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Concatenate, Literal, ParamSpec, Protocol, TypeVar

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from api.database import Database
from nsai.query import geojson
from nsai.query.limits import CURSOR_FORM
from nsai.query.models import Srs

GEOJSON = "application/geo+json"
# A bigint key (a run, a review item, an operation): beyond it nothing can exist, so the id is
# refused as invalid (422) before it reaches the database (which would fail on the cast).
BIGINT_MAX = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=BIGINT_MAX)]
P = ParamSpec("P")
T = TypeVar("T")


async def on_connection(
    request: Request,
    work: Callable[Concatenate[Connection, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`work(conn, *args, **kwargs)` on one of the API's connections (api/database.py). The
    routes are async and hand their database work over in this one call: a plain route with a
    connection dependency would take three trips through the thread pool."""
    database: Database = request.app.state.database
    return await database.read(work, *args, **kwargs)


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


def form(pattern: str) -> dict[str, Any]:
    """`json_schema_extra` stating a parameter's form (nsai.query.limits) in the schema: the
    read side checks it, with a message that says what to give rather than a regex."""
    return {"pattern": f"^{pattern}$"}


CursorQuery = Annotated[
    str | None,
    Query(
        json_schema_extra=form(CURSOR_FORM),
        description="`next_cursor` of the previous page, as it was given.",
    ),
]
# The GeoJSON answers (nsai/query/geojson.py): a record's point in `srs` (none where it has no
# point) and the rest of it as properties; the members of a page (next_cursor, total...) ride
# along on the FeatureCollection.
_POINT: dict[str, Any] = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"const": "Point"},
        "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    },
}
_FEATURE: dict[str, Any] = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"const": "Feature"},
        "id": {"type": "integer", "description": "The UPRN."},
        "geometry": {"anyOf": [_POINT, {"type": "null"}]},
        "properties": {"type": "object", "required": ["uprn"]},
    },
}
_CRS: dict[str, Any] = {"type": "object", "description": "EPSG:27700 named (srs=27700 only)."}
_COLLECTION: dict[str, Any] = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": _FEATURE},
        "crs": _CRS,
    },
}
_DESCRIPTION = "JSON, or GeoJSON when asked for."
GEOJSON_FEATURE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            GEOJSON: {"schema": _FEATURE | {"properties": _FEATURE["properties"] | {"crs": _CRS}}}
        },
        "description": _DESCRIPTION,
    }
}
GEOJSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {GEOJSON: {"schema": _COLLECTION}}, "description": _DESCRIPTION}
}


def wants_geojson(request: Request, fmt: str | None) -> bool:
    """`format` decides when given; otherwise the Accept header."""
    if fmt is not None:
        return fmt == "geojson"
    return GEOJSON in request.headers.get("accept", "")


def geojson_response(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, media_type=GEOJSON)


class Page(Protocol):
    """A page of records (`data`) and the members beside them (next_cursor, total...)."""

    @property
    def data(self) -> Sequence[BaseModel]: ...

    def model_dump(self, *, exclude: set[str]) -> dict[str, Any]: ...


PageT = TypeVar("PageT", bound=Page)


def page_answer(request: Request, fmt: str | None, page: PageT, srs: Srs) -> PageT | JSONResponse:
    """The page as it is, or (when asked for) a GeoJSON FeatureCollection of its records with
    the page's other members alongside."""
    if wants_geojson(request, fmt):
        members = page.model_dump(exclude={"data"})
        return geojson_response(geojson.collection(page.data, srs, **members))
    return page
