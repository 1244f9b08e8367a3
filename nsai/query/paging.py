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


def encode_key(key: str) -> str:
    """A sort key as an opaque cursor."""
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_key(field: str, token: str, form: re.Pattern[str]) -> re.Match[str]:
    """The sort key of a cursor (`encode_key`), matched whole by `form`; BadInput for a token
    that is not a cursor this API returned, or one of another form."""
    bad = BadInput(field, "not a cursor this API returned; pass `next_cursor` as it was given")
    if not _TOKEN.fullmatch(token):
        raise bad
    try:
        key = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise bad from None
    match = form.fullmatch(key)
    if match is None:
        raise bad
    return match


def encode(uprn: int, score: Decimal | None = None) -> str:
    return encode_key(str(uprn) if score is None else f"{score}:{uprn}")


def after_uprn(field: str, token: str | None) -> int | None:
    """The UPRN a listing's cursor stops at (None: from the start)."""
    if token is None:
        return None
    match = decode_key(field, token, _KEY)
    if match[1] is not None:
        raise BadInput(field, "this cursor belongs to a search")
    return int(match[2])


def after_hit(field: str, token: str | None) -> tuple[Decimal, int] | tuple[None, None]:
    """The (score, UPRN) a search's cursor stops at."""
    if token is None:
        return None, None
    match = decode_key(field, token, _KEY)
    if match[1] is None:
        raise BadInput(field, "this cursor belongs to a listing, not a search")
    return Decimal(match[1]), int(match[2])
