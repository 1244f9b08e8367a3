"""GET /v1/changes: the change feed, so downstream copies stay in sync without reloading."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.errors import PROBLEM_RESPONSES
from api.v1.common import form, on_connection
from nsai.query import changes
from nsai.query.limits import DEFAULT_PAGE, FEED_CURSOR_FORM, MAX_PAGE
from nsai.query.models import ChangePage

router = APIRouter(prefix="/v1", tags=["changes"], responses=PROBLEM_RESPONSES)


@router.get("/changes", response_model=ChangePage)
async def change_feed(
    request: Request,
    since: Annotated[
        str | None,
        Query(
            json_schema_extra=form(FEED_CURSOR_FORM),
            description="`next` of the previous page; omit to start from the first event.",
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description=f"Events per page, at most {MAX_PAGE}.")
    ] = DEFAULT_PAGE,
) -> ChangePage:
    """Every change to a national record in order: created and updated (with the new state),
    merged (`related_uprn` is the successor), split, retired. Keep `next` and ask again with it
    to get what happened since."""
    return await on_connection(request, changes.changes, since, limit)
