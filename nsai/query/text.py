"""What users type, made comparable with the published addresses (sql/004_query.sql's
nsai_search_text, which a test checks this mirrors)."""

from __future__ import annotations

import re
from typing import Final

from nsai.query.errors import BadInput
from nsai.query.limits import MAX_TEXT, MIN_WORD

_DROPPED: Final = re.compile(r"['.]+")
_BLANKS: Final = re.compile(r"[^A-Za-z0-9]+")


def search_text(raw: str) -> str:
    """Apostrophes and full stops dropped, any other run of non-ASCII-alphanumerics one blank,
    upper case: "St. Mary's Rd,\\x00 Verby" -> "ST MARYS RD VERBY". Control characters, quotes,
    % and _ all become blanks, so nothing a user types reaches SQL as syntax or a wildcard."""
    return _BLANKS.sub(" ", _DROPPED.sub("", raw)).strip().upper()


def query_words(field: str, raw: str) -> list[str]:
    """The words of a free-text parameter, refusing one too long or without a word of MIN_WORD
    letters or digits to look for."""
    if len(raw) > MAX_TEXT:
        raise BadInput(field, f"at most {MAX_TEXT} characters")
    words = search_text(raw).split()
    if max(map(len, words), default=0) < MIN_WORD:
        raise BadInput(field, f"give a word of at least {MIN_WORD} letters or digits")
    return words
