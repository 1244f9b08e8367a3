"""GET /v1/addresses/{uprn}: one national record; a merged-away UPRN or an alias redirects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from api.errors import PROBLEM_RESPONSES
from api.v1.common import (
    GEOJSON_RESPONSE,
    Db,
    FormatQuery,
    SrsQuery,
    geojson_response,
    wants_geojson,
)
from nsai.query import geojson, lookup
from nsai.query.models import Address, Srs

router = APIRouter(prefix="/v1", tags=["addresses"], responses=PROBLEM_RESPONSES)


@router.get(
    "/addresses/{uprn}",
    response_model=Address,
    responses=GEOJSON_RESPONSE
    | {
        301: {
            "description": "The UPRN was merged away or is an alias: `Location` names the "
            "record it resolves to (the query string kept)."
        }
    },
)
def get_address(
    request: Request,
    db: Db,
    uprn: Annotated[int, Path(ge=1, le=lookup.MAX_UPRN, description="Any UPRN ever published.")],
    srs: SrsQuery = Srs.BNG,
    fmt: FormatQuery = None,
) -> Address | JSONResponse:
    """The national record of a UPRN: BS7666 parts, single line, postcode, point in EPSG:27700
    and WGS84, classification, logical status, responsible council, number of source records and
    last change. A retired record is returned with `status: retired`; a UPRN never published is
    404."""
    found = lookup.address(db, uprn)
    if isinstance(found, lookup.Moved):
        url = str(request.app.url_path_for("get_address", uprn=str(found.successor)))
        if request.url.query:
            url += "?" + request.url.query
        body = {"uprn": uprn, "resolves_to": found.successor}
        return JSONResponse(body, status_code=301, headers={"Location": url})
    if wants_geojson(request, fmt):
        return geojson_response(geojson.feature(found, srs))
    return found
