"""Opaque cursors: the sort key of the last row a page returned, so the next page starts after
it however the table changes in between (no row twice, none skipped)."""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal
from typing import Final

from nsai.query.errors import BadInput
from nsai.query.limits import CURSOR_FORM

_TOKEN: Final = re.compile(CURSOR_FORM)
_KEY: Final = re.compile(r"(?:(0|1|0\.[0-9]{1,4}|1\.0{1,4}):)?([0-9]{1,12})")


def encode(uprn: int, score: Decimal | None = None) -> str:
    key = str(uprn) if score is None else f"{score}:{uprn}"
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _decode(field: str, token: str) -> re.Match[str]:
    bad = BadInput(field, "not a cursor this API returned; pass `next_cursor` as it was given")
    if not _TOKEN.fullmatch(token):
        raise bad
    try:
        key = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise bad from None
    match = _KEY.fullmatch(key)
    if match is None:
        raise bad
    return match


def after_uprn(field: str, token: str | None) -> int | None:
    """The UPRN a listing's cursor stops at (None: from the start)."""
    if token is None:
        return None
    match = _decode(field, token)
    if match[1] is not None:
        raise BadInput(field, "this cursor belongs to a search")
    return int(match[2])


def after_hit(field: str, token: str | None) -> tuple[Decimal, int] | tuple[None, None]:
    """The (score, UPRN) a search's cursor stops at."""
    if token is None:
        return None, None
    match = _decode(field, token)
    if match[1] is None:
        raise BadInput(field, "this cursor belongs to a listing, not a search")
    return Decimal(match[1]), int(match[2])
