"""What users type, made comparable with the published addresses (sql/004_query.sql's
nsai_search_text, which a test checks this mirrors)."""

from __future__ import annotations

import re
from typing import Final

from nsai.query.errors import BadInput
from nsai.query.limits import MAX_TEXT

_DROPPED: Final = re.compile(r"['.]+")
_BLANKS: Final = re.compile(r"[^A-Za-z0-9]+")


def search_text(raw: str) -> str:
    """Apostrophes and full stops dropped, any other run of non-ASCII-alphanumerics one blank,
    upper case: "St. Mary's Rd,\\x00 Verby" -> "ST MARYS RD VERBY". Control characters, quotes,
    % and _ all become blanks, so nothing a user types reaches SQL as syntax or a wildcard."""
    return _BLANKS.sub(" ", _DROPPED.sub("", raw)).strip().upper()


def query_words(field: str, raw: str) -> list[str]:
    """The words of a free-text parameter, refusing one too long or with nothing to search."""
    if len(raw) > MAX_TEXT:
        raise BadInput(field, f"at most {MAX_TEXT} characters")
    words = search_text(raw).split()
    if not words:
        raise BadInput(field, "give at least one letter or digit")
    return words
