"""Free-text search (ranked, 0-1, cursor-paged, filtered) and typeahead."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from rapidfuzz.distance import Levenshtein
from sqlalchemy.engine import Connection

from nsai.db.queries import execute
from nsai.query import paging
from nsai.query.addresses import summaries
from nsai.query.errors import BadInput
from nsai.query.limits import CLASSIFICATION_FORM, MIN_WORD, POSTCODE_AREA_FORM
from nsai.query.models import LogicalStatus, SearchHit, SearchPage, Suggestion, Suggestions
from nsai.query.text import query_words

# When no address holds every word of the query, the candidates hold something at least this
# like it (pg_trgm word similarity): low enough for a slip in every word ("CHRCH STRET"), high
# enough to keep unrelated streets out.
WORD_SIMILARITY: Final = 0.4
# Matched as given, ASCII only: upper-casing first would let some non-ASCII letters through.
_CLASSIFICATION: Final = re.compile(CLASSIFICATION_FORM)
_AREA: Final = re.compile(POSTCODE_AREA_FORM)
LOGICAL_STATUSES: Final = tuple(int(status) for status in LogicalStatus)
# A query word at least this like an address word (normalised edit distance) is a slip for it.
_NEAR: Final = 0.6
# Search ranks at most this many of the addresses holding every word: a query whose words a
# great many addresses hold ("FLAT 2", 200,000 of a million) answers in half a second, not in
# ten, from the first found.
MAX_CANDIDATES: Final = 5_000
# Typeahead reads at most this many addresses starting with what was typed, and as many holding
# it further on: a start thousands share answers as fast as a rare one.
TYPEAHEAD_POOL: Final = 200
# The words of a query the trigram index is asked for at once: the longest, each of MIN_WORD
# characters at least (a shorter word has no trigram to ask for).
_SLOTS: Final = 6


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to; None is no filter. Checked by `filters`."""

    classification: str | None = None  # a LIKE pattern ("RD%")
    custodian: int | None = None
    logical_status: int | None = None
    area: str | None = None


def filters(
    classification: str | None = None,
    custodian: int | None = None,
    logical_status: int | None = None,
    postcode_area: str | None = None,
) -> Filters:
    """Filters from what a user gave: `RD*` (any classification starting RD), a custodian code,
    a BS7666 logical status, a postcode area ("OX")."""
    pattern = None
    if classification is not None:
        if not _CLASSIFICATION.fullmatch(classification):
            raise BadInput(
                "classification", "a classification code, * for any characters (RD04, RD*)"
            )
        pattern = classification.upper().replace("*", "%")
    if custodian is not None and not 1 <= custodian <= 9999:
        raise BadInput("custodian", "a local custodian code from 1 to 9999")
    if logical_status is not None and logical_status not in LOGICAL_STATUSES:
        raise BadInput("logical_status", f"one of {', '.join(map(str, LOGICAL_STATUSES))}")
    area = None
    if postcode_area is not None:
        if not _AREA.fullmatch(postcode_area):
            raise BadInput("postcode_area", "the letters of a postcode area (OX, B)")
        area = postcode_area.upper()
    return Filters(pattern, custodian, logical_status, area)


def _likest(word: str, tokens: list[str]) -> str | None:
    """The address word a query word was meant as: one it starts (ST: STREET), else one close
    to it (a slip); never for a number, which counts only whole (as the score does)."""
    if word[0].isdigit():
        return None
    started = [t for t in tokens if t.startswith(word)]
    if started:
        return started[0]
    best = max(tokens, key=lambda t: Levenshtein.normalized_similarity(word, t), default=None)
    if best is not None and Levenshtein.normalized_similarity(word, best) >= _NEAR:
        return best
    return None


def describe(words: list[str], line: str) -> str:
    """Which words of the query the address holds: "12 CHURCH; ST~STREET ASHWEL~ASHWELL; no X"
    (whole words; words found as the start of another or with a slip; words not found)."""
    tokens = line.split()
    exact: list[str] = []
    near: list[str] = []
    missing: list[str] = []
    for word in words:
        if word in tokens:
            exact.append(word)
        elif (likest := _likest(word, tokens)) is not None:
            near.append(f"{word}~{likest}")
        else:
            missing.append(word)
    parts = [" ".join(exact)] if exact else []
    parts += [" ".join(near)] if near else []
    parts += [f"no {' '.join(missing)}"] if missing else []
    return "; ".join(parts)


def _every_word(words: list[str]) -> dict[str, object]:
    """The parameters asking for every word (sql/query/search.sql): a LIKE pattern per word, and
    the longest words again as the slots the trigram index answers (a word has a trigram from
    three characters on)."""
    indexed = sorted((w for w in words if len(w) >= MIN_WORD), key=len, reverse=True)
    slots = (indexed * _SLOTS)[:_SLOTS]  # query_words has seen to one at least
    return {
        "patterns": [f"%{w}%" for w in words],
        **{f"slot{i}": f"%{w}%" for i, w in enumerate(slots, start=1)},
    }


def search(
    conn: Connection,
    q: str,
    narrowed: Filters,
    limit: int,
    cursor: str | None = None,
) -> SearchPage:
    """The active addresses best answering `q`, best first, `limit` at a time."""
    words = query_words("q", q)
    text = " ".join(words)
    after_score, after_uprn = paging.after_hit("cursor", cursor)
    found = execute(
        conn,
        "query/search.sql",
        "search",
        returning=dict,
        text=text,
        words=words,
        **_every_word(words),
        candidates=MAX_CANDIDATES,
        threshold=str(WORD_SIMILARITY),
        classification=narrowed.classification,
        custodian=narrowed.custodian,
        logical_status=narrowed.logical_status,
        area=narrowed.area,
        after_score=after_score,
        after_uprn=after_uprn,
        limit=limit + 1,
    )
    page = found[:limit]
    hits = summaries(
        page,
        SearchHit,
        score=[float(row["score"]) for row in page],
        match=[describe(words, row["line"]) for row in page],
    )
    # One more row than asked for says whether there is a next page.
    more = len(found) > limit
    return SearchPage(
        query=text,
        data=hits,
        next_cursor=paging.encode(page[-1]["uprn"], page[-1]["score"]) if more else None,
    )


def autocomplete(conn: Connection, q: str, limit: int) -> Suggestions:
    """Addresses starting with what was typed; when none does, those holding the typed words in
    the order typed (sql/query/search.sql)."""
    words = query_words("q", q)
    text = " ".join(words)
    found = execute(
        conn,
        "query/search.sql",
        "autocomplete",
        returning=dict,
        pattern="%" + "%".join(words) + "%",
        text=text,
        past=text[:-1] + chr(ord(text[-1]) + 1),
        limit=limit,
        pool=TYPEAHEAD_POOL,
    )
    return Suggestions(data=[Suggestion.model_validate(dict(row)) for row in found])
