"""GET /v1/search (ranked free text, filtered, cursor-paged) and GET /v1/autocomplete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from api.errors import PROBLEM_RESPONSES
from api.v1.common import (
    GEOJSON_RESPONSE,
    CursorQuery,
    FormatQuery,
    SrsQuery,
    form,
    on_connection,
    page_answer,
)
from nsai.query import search
from nsai.query.limits import (
    CLASSIFICATION_FORM,
    DEFAULT_RANKED,
    DEFAULT_SUGGESTIONS,
    MAX_RANKED,
    MAX_SUGGESTIONS,
    MAX_TEXT,
    MIN_WORD,
    POSTCODE_AREA_FORM,
    WORD_PATTERN,
)
from nsai.query.models import LogicalStatus, SearchPage, Srs, Suggestions

router = APIRouter(prefix="/v1", tags=["search"], responses=PROBLEM_RESPONSES)


@router.get("/search", response_model=SearchPage, responses=GEOJSON_RESPONSE)
async def search_addresses(
    request: Request,
    q: Annotated[
        str,
        Query(
            max_length=MAX_TEXT,
            json_schema_extra={"pattern": WORD_PATTERN},
            description=f"What to look for, free text with a word of at least {MIN_WORD} "
            "letters or digits.",
        ),
    ],
    classification: Annotated[
        str | None,
        Query(
            json_schema_extra=form(CLASSIFICATION_FORM),
            description="A classification code; `*` matches any characters (`RD*`).",
        ),
    ] = None,
    custodian: Annotated[
        int | None, Query(ge=1, le=9999, description="Local custodian code of a council.")
    ] = None,
    logical_status: Annotated[
        LogicalStatus | None, Query(description="BS7666 logical status: 1, 5, 6, 7, 8 or 9.")
    ] = None,
    postcode_area: Annotated[
        str | None,
        Query(
            json_schema_extra=form(POSTCODE_AREA_FORM),
            description="Letters of a postcode area (`OX`).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RANKED, description="Results per page.")] = (
        DEFAULT_RANKED
    ),
    cursor: CursorQuery = None,
    srs: SrsQuery = Srs.BNG,
    fmt: FormatQuery = None,
) -> SearchPage | JSONResponse:
    """Active addresses ranked by a 0-1 score, best first, each with a short description of
    which words matched (`A~B`: A typed, B found; `no X`: not found)."""
    narrowed = search.filters(classification, custodian, logical_status, postcode_area)
    page = await on_connection(request, search.search, q, narrowed, limit, cursor)
    return page_answer(request, fmt, page, srs)


@router.get("/autocomplete", response_model=Suggestions)
async def autocomplete(
    request: Request,
    q: Annotated[
        str,
        Query(
            max_length=MAX_TEXT,
            json_schema_extra={"pattern": WORD_PATTERN},
            description=f"What has been typed so far: at least {MIN_WORD} characters of one "
            "word; words are matched in the order typed.",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=MAX_SUGGESTIONS, description="Suggestions.")] = (
        DEFAULT_SUGGESTIONS
    ),
) -> Suggestions:
    """Typeahead: addresses starting with what was typed; when none does, addresses holding the
    typed words in the order typed. At most 200 of each are read and the closest suggested, so
    a start thousands of addresses share suggests among the first 200 of them."""
    return await on_connection(request, search.autocomplete, q, limit)
