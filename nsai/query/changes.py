"""The change feed: every change to a national record, in order, after a cursor."""

from __future__ import annotations

import re
from typing import Final

from sqlalchemy.engine import Connection

from nsai.db.queries import execute
from nsai.query.errors import BadInput
from nsai.query.limits import FEED_CURSOR_FORM
from nsai.query.models import ChangeEvent, ChangePage

_CURSOR: Final = re.compile(FEED_CURSOR_FORM)


def changes(conn: Connection, since: str | None, limit: int) -> ChangePage:
    """Up to `limit` events after `since` (the `next` of the previous page; None: the first).

    `next` is always given, also when nothing new happened, so a client polls with it."""
    if since is not None and not _CURSOR.fullmatch(since):
        raise BadInput("since", "not a cursor of this feed; pass `next` as it was given, or omit")
    after = int(since) if since is not None else 0
    found = execute(
        conn, "query/changes.sql", "changes", returning=dict, since=after, limit=limit + 1
    )
    events = [ChangeEvent.model_validate(dict(row)) for row in found[:limit]]
    return ChangePage(
        data=events,
        next=str(events[-1].event_id if events else after),
        has_more=len(found) > limit,
    )
