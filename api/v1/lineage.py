"""GET /v1/addresses/{uprn}/sources and /history: where a national record comes from (its linked
source records, with each link's score, decision and explanation) and what happened to it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from api.errors import PROBLEM_RESPONSES
from api.v1.addresses import moved_response, redirect
from api.v1.common import CursorQuery, on_connection
from nsai.query import lineage, lookup
from nsai.query.limits import DEFAULT_PAGE, MAX_PAGE

router = APIRouter(prefix="/v1", tags=["addresses"], responses=PROBLEM_RESPONSES)

Uprn = Annotated[int, Path(ge=1, le=lookup.MAX_UPRN, description="Any UPRN ever published.")]


@router.get(
    "/addresses/{uprn}/sources",
    response_model=lineage.SourceRecords,
    responses=moved_response(
        "The UPRN was merged away or is an alias: `Location` names the sources of the record "
        "it resolves to."
    ),
)
async def address_sources(request: Request, uprn: Uprn) -> lineage.SourceRecords | JSONResponse:
    """The source records linked to a national record, most trusted source first: each as loaded
    (every BS7666 part, classification, logical status, point in EPSG:27700 and WGS84) with the
    link that put it there: its score, the decision (`matched`, `new`, `review`, `manual`) and
    each comparison's contribution to the score. A UPRN never published is 404."""
    found = await on_connection(request, lineage.sources, uprn)
    if isinstance(found, lookup.Moved):
        return redirect(request, "address_sources", found)
    return found


@router.get(
    "/addresses/{uprn}/history",
    response_model=lineage.HistoryPage,
    responses=moved_response(
        "The UPRN is another source's UPRN of a property (an alias): `Location` names the "
        "history of its national record."
    ),
)
async def address_history(
    request: Request,
    uprn: Uprn,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description=f"Events per page, at most {MAX_PAGE}.")
    ] = DEFAULT_PAGE,
    cursor: CursorQuery = None,
) -> lineage.HistoryPage | JSONResponse:
    """The change events of a UPRN, newest first: its own (created, updated, merged, split,
    retired) and those that name it as the related record (a record merged into it, or split
    from it), each with its cause, its actor and the state it left. A merged-away or retired UPRN
    keeps its history; a UPRN never published is 404."""
    found = await on_connection(request, lineage.history, uprn, limit, cursor)
    if isinstance(found, lookup.Moved):
        return redirect(request, "address_history", found)
    return found
