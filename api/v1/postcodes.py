"""GET /v1/postcodes/{postcode}/addresses: every address in a unit, sector or district."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from api.errors import PROBLEM_RESPONSES
from api.v1.common import (
    GEOJSON_RESPONSE,
    FormatQuery,
    SrsQuery,
    on_connection,
    page_answer,
)
from nsai.query import postcodes
from nsai.query.limits import DEFAULT_PAGE, MAX_PAGE
from nsai.query.models import PostcodePage, Srs

router = APIRouter(prefix="/v1", tags=["postcodes"], responses=PROBLEM_RESPONSES)
MAX_OFFSET = 1_000_000


@router.get(
    "/postcodes/{postcode}/addresses", response_model=PostcodePage, responses=GEOJSON_RESPONSE
)
async def postcode_addresses(
    request: Request,
    postcode: Annotated[
        str,
        Path(
            description="A unit (`AB1 2CD`), sector (`AB1 2`) or district (`AB1`), any case "
            "and spacing."
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Addresses per page.")] = (
        DEFAULT_PAGE
    ),
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Addresses to skip.")] = 0,
    srs: SrsQuery = Srs.BNG,
    fmt: FormatQuery = None,
) -> PostcodePage | JSONResponse:
    """The active addresses of a postcode in natural order (street, house number, suffix, flat),
    with the total for paging. A malformed postcode is 422; one holding no address 404."""
    page = await on_connection(request, postcodes.addresses, postcode, limit, offset)
    return page_answer(request, fmt, page, srs)
