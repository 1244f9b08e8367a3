"""GET /v1/addresses/{uprn}: one national record; a merged-away UPRN or an alias redirects."""

from __future__ import annotations

import re
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.convertors import Convertor, register_url_convertor
from starlette.types import ASGIApp, Receive, Scope, Send

from api.access import Access, presented_key
from api.database import Database
from api.errors import PROBLEM_RESPONSES
from api.lookup_cache import Kept, LookupCache
from api.problems import Problem, problem_response
from api.v1.common import (
    GEOJSON_FEATURE_RESPONSE,
    FormatQuery,
    SrsQuery,
    geojson_response,
    wants_geojson,
)
from nsai import api_keys
from nsai.query import geojson, lookup
from nsai.query.models import Address, Srs

router = APIRouter(prefix="/v1", tags=["addresses"], responses=PROBLEM_RESPONSES)


class MovedUprn(BaseModel):
    """The body of a 301: where a UPRN asked for now lives on."""

    uprn: int = Field(description="The UPRN asked for.")
    resolves_to: int = Field(description="The UPRN of the national record it resolves to.")


def moved_response(
    description: str, location: str = "The same request of the record the UPRN resolves to."
) -> dict[int | str, dict[str, Any]]:
    """The 301 of a route given a UPRN that now lives on as another (see `redirect`)."""
    return {
        301: {
            "model": MovedUprn,
            "description": description,
            "headers": {
                "Location": {
                    "description": location,
                    "required": True,
                    "schema": {"type": "string"},
                }
            },
        }
    }


def redirect(request: Request, route: str, moved: lookup.Moved) -> JSONResponse:
    """The 301 to `route` of the UPRN `moved` resolves to, the query string kept."""
    url = str(request.app.url_path_for(route, uprn=str(moved.successor)))
    if request.url.query:
        url += "?" + request.url.query
    body = MovedUprn(uprn=moved.uprn, resolves_to=moved.successor).model_dump()
    return JSONResponse(body, status_code=301, headers={"Location": url})


class _UprnSegment(Convertor[str]):
    """The path segment of a UPRN: any but `within`, the resource beside it (POST
    /v1/addresses/within), which OpenAPI matches before this template. So a GET of it is a 405
    saying `Allow: POST`, not a UPRN that is not a number; any other segment is checked as the
    `uprn` parameter (a 422 naming it)."""

    regex = "(?!within$)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


register_url_convertor("uprn", _UprnSegment())


@router.get(
    "/addresses/{uprn:uprn}",
    response_model=Address,
    responses=GEOJSON_FEATURE_RESPONSE
    | moved_response(
        "The UPRN was merged away or is an alias: `Location` names the record it resolves to "
        "(the query string kept).",
        location="The path of the record the UPRN resolves to.",
    ),
)
async def get_address(
    request: Request,
    uprn: Annotated[int, Path(ge=1, le=lookup.MAX_UPRN, description="Any UPRN ever published.")],
    srs: SrsQuery = Srs.BNG,
    fmt: FormatQuery = None,
) -> Response:
    """The national record of a UPRN: BS7666 parts, single line, postcode, point in EPSG:27700
    and WGS84, classification, logical status, responsible council, number of source records and
    last change. A retired record is returned with `status: retired`; a UPRN never published is
    404."""
    database: Database = request.app.state.database
    if wants_geojson(request, fmt):
        found = await database.read_on_loop(lookup.address_async, uprn)
        if isinstance(found, lookup.Moved):
            return redirect(request, "get_address", found)
        return geojson_response(geojson.feature(found, srs))
    lookups: LookupCache = request.app.state.lookups
    kept = await lookups.answer(uprn, partial(database.read_on_loop, lookup.address_async, uprn))
    return _response(request, uprn, kept)


def _response(request: Request, uprn: int, kept: Kept) -> Response:
    """The JSON answer: kept by the worker (api/lookup_cache.py), or read and kept just now."""
    if kept.successor is not None:
        return redirect(request, "get_address", lookup.Moved(uprn, kept.successor))
    return Response(kept.body, media_type="application/json")


# A UPRN has at most 12 digits; a longer run (leading zeros, or no UPRN) is left to get_address.
_KEPT_PATH = re.compile(r"/v1/addresses/([0-9]{1,12})")


class KeptLookups:
    """ASGI middleware: GET /v1/addresses/{uprn} answered from the worker's memory ahead of
    FastAPI's routing and parameter solving (most of what a kept lookup cost, BENCHMARKS.md),
    when get_address would give a kept answer as it is: a GET with no query string, not asking
    for GeoJSON, of a UPRN whose answer is kept. Anything else goes on untouched. Access is
    checked as get_address's router does (`needs`: its scope), a refusal the same problem."""

    path_format = "/v1/addresses/{uprn}"  # the template /metrics counts its answers under

    def __init__(self, app: ASGIApp, needs: api_keys.Scope) -> None:
        self.app = app
        self.needs = needs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.answer(scope, receive)
        await (self.app if response is None else response)(scope, receive, send)

    async def answer(self, scope: Scope, receive: Receive) -> Response | None:
        """The kept answer or a refusal; None for a request it does not take (see above)."""
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("query_string"):
            return None
        found = _KEPT_PATH.fullmatch(scope["path"].removeprefix(scope.get("root_path", "")))
        # No lookups before the app's lifespan has started: nothing kept yet.
        lookups: LookupCache | None = getattr(scope["app"].state, "lookups", None)
        if found is None or lookups is None or not lookups.holds(uprn := int(found[1])):
            return None
        request = Request(scope, receive)
        if wants_geojson(request, None):
            return None
        scope["route"] = self  # what api/metrics.py counts the request under
        access: Access = request.app.state.access
        try:
            await access.authorize(request, self.needs, presented_key(request.headers))
        except Problem as exc:
            return problem_response(exc.status, exc.detail, exc.headers)
        kept = lookups.kept(uprn)  # None if forgotten since: get_address reads it, checked
        return None if kept is None else _response(request, uprn, kept)
