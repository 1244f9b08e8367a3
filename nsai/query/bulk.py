"""Bulk matching: messy one-line addresses to UPRNs, and never a guess.

Each address is parsed by the one parser (nsai/address) into BS7666 parts and match keys and
compared by the reconciliation's own comparisons (nsai/match/compare.py) with every spelling the
sources give each candidate property (national_match_key). What a typed line gets wrong that a
source record rarely does is read against the gazetteer itself, and only where one reading is
confirmed:

- a town no record names, mistyped by one letter from exactly one town that some record names
  ("DRAYINGG"), or a locality glued to its town ("EAST LOXWICK KINGSMERE");
- when the first pass finds nothing: a street mistyped by one letter from the one street of
  that number in the town or postcode ("PRAK LANE"), and a house name glued to its street
  ("WOODLANDS BLACKTHORN SQUARE"), or a flat number before its building's name ("9 BEAUMONT
  POINT APPLE TREE CLOSE"), where a candidate names that building on that street.

The answer's score is the chance that the best property is the one meant, given all candidates
found: each candidate's odds (two to the power of its bits) over the sum of all candidates' odds
and one more for "a property the gazetteer does not hold". With one candidate this is the pair
score reconciliation uses; two candidates that fit alike share it, so neither reaches the
threshold. A flat missing from the gazetteer finds no candidate (its flat number vetoes its
building), nor does a house number past the end of a street (it vetoes every neighbour).
"""

from __future__ import annotations

import dataclasses
import math
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy.engine import Connection

from nsai.address.known import Vocabulary, read_again
from nsai.address.normalise import MatchKeys, match_keys, normalise_town, one_slip
from nsai.address.parse import parse_address
from nsai.address.parts import PART_NAMES
from nsai.db.queries import execute
from nsai.match.compare import PairScore, compare
from nsai.match.glued import split_glued_names
from nsai.match.records import MatchRecord, sao_identity
from nsai.query.errors import BadInput

MAX_RECORDS: Final = 10_000
# Queries per round trip: small enough that the database works on one chunk while Python scores
# the one before, and that its plans stay index lookups (10,000 at once hashed the whole table).
CHUNK: Final = 500
MAX_ADDRESS_LENGTH: Final = 500
CANDIDATES_SHOWN: Final = 5


@dataclass(frozen=True)
class Query:
    id: str
    address: str
    postcode: str | None = None


@dataclass(frozen=True)
class Candidate:
    uprn: int
    score: float


@dataclass
class Matched:
    id: str
    uprn: int | None  # None unless confident
    score: float  # the best candidate's, 0 when there is none
    address: str | None  # the matched record's single-line address
    explanation: dict[str, Any] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)


class Stopped(Exception):
    """The match was stopped (its caller went away) before it finished."""


def match(
    conn: Connection,
    queries: Sequence[Query],
    threshold: float,
    plausible: float,
    stop: threading.Event | None = None,
) -> list[Matched]:
    """One result per query, in order: a UPRN where the chance it is the one meant reaches
    `threshold`, counting as alternatives the candidates whose pair score reaches `plausible`.
    Once `stop` is set no further chunk is read or scored (Stopped is raised)."""
    stop = stop or threading.Event()
    if len(queries) > MAX_RECORDS:
        raise BadInput("records", f"at most {MAX_RECORDS:,} records per request")
    for index, query in enumerate(queries):
        if len(query.address) > MAX_ADDRESS_LENGTH:
            raise BadInput(f"records[{index}].address", f"at most {MAX_ADDRESS_LENGTH} characters")
    places, vocabulary = _gazetteer(conn)
    results: dict[int, Matched] = {}
    # The database finds one chunk's candidates while this thread parses and scores another's:
    # a thread of its own runs every statement in turn, the connection's only user meanwhile.
    database = _Statements(conn, stop)
    try:
        first_pass = []
        for start in range(0, len(queries), CHUNK):
            _check(stop)
            wanted: dict[int, MatchRecord] = {}
            for i in range(start, min(start + CHUNK, len(queries))):
                record = _parsed(i, queries[i], places, vocabulary)
                if record is None:
                    results[i] = _decide(queries[i], {}, threshold, plausible)
                else:
                    wanted[i] = record
            first_pass.append((wanted, database.candidates("candidates", wanted.values())))
        second_pass = []
        for wanted, pending in first_pass:
            _check(stop)
            found = pending.result()
            best = _best_by_property(wanted, found)
            results |= {i: _decide(queries[i], best[i], threshold, plausible) for i in best}
            # A second pass, wider and read against what it finds, for what the first left unsure.
            unsure = {i: r for i, r in wanted.items() if results[i].uprn is None}
            second_pass.append((unsure, found, database.candidates("second_pass", unsure.values())))
        for unsure, found, pending in second_pass:
            _check(stop)
            wider = pending.result()
            for i in unsure:
                wider[i] = wider.get(i, []) + found.get(i, [])
            variants = {i: [r, *_readings(r, wider.get(i, []))] for i, r in unsure.items()}
            best = _best_by_property(variants, wider)
            results |= {i: _decide(queries[i], best[i], threshold, plausible) for i in best}
    finally:
        database.close()
    ordered = [results[i] for i in range(len(queries))]
    _add_addresses(conn, ordered)
    return ordered


def _check(stop: threading.Event) -> None:
    if stop.is_set():
        raise Stopped


class _Statements:
    """The candidate statements of one match, run in turn on a thread of its own. Once one
    fails, or the match is stopped, the rest are not run: the error raised is the first, and
    the connection is free again (nothing running on it) once `close` returns."""

    def __init__(self, conn: Connection, stop: threading.Event) -> None:
        self._conn = conn
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nsai-bulk-sql")
        self._failed = threading.Event()
        self._stop = stop

    def candidates(self, section: str, queries: Iterable[MatchRecord]) -> Future[Found]:
        return self._thread.submit(self._run, section, list(queries))

    def _run(self, section: str, queries: list[MatchRecord]) -> Found:
        if self._failed.is_set():
            raise CancelledError  # an earlier statement failed: its error is the one raised
        _check(self._stop)
        try:
            return _candidates(self._conn, section, queries)
        except BaseException:
            self._failed.set()
            raise

    def close(self) -> None:
        self._thread.shutdown(wait=True, cancel_futures=True)


# --- the query as a record ---------------------------------------------------------------------

_PROVENANCE: Final[dict[str, Any]] = {
    "source": "request",
    "source_kind": "list",
    "duplicate_free": False,
    "source_priority": 0,
    "source_custodian": None,
    "custodian_code": None,
    "uprn": None,
    "parent_uprn": None,
    "classification": None,
    "logical_status": None,
    "rpc": None,
    "usrn": None,
    "x": None,
    "y": None,
}


def _parsed(index: int, query: Query, places: Places, vocabulary: Vocabulary) -> MatchRecord | None:
    """The query as a matching record, read with the names the last run knew as that run read
    the lists, its town read against the gazetteer's; None when it holds nothing to find an
    address by."""
    text = _printable(query.address)
    parts = parse_address(text, _printable(query.postcode or "") or None)
    found = match_keys(parts)
    again = read_again(text, parts, found, vocabulary)
    if again is not None:
        parts, found = again, match_keys(again)
    keys = _keys(found)
    town = keys["town_key"]
    if keys["street_key"] is None and town is not None and town not in places.common:
        # "ROSE COTTAGE, THE GREEN, EP9 5DX": no place of any size is called THE GREEN (a list
        # or two may say so), so it is the street the parser took for a town, for want of a
        # street before it.
        parts = dataclasses.replace(parts, street=parts.town, town=None)
        keys = _keys(match_keys(parts))
    if keys["pao_key"] is None and keys["building_key"] is None and keys["street_key"] is None:
        return None
    keys["sao_key"] = sao_identity(keys["sao_key"])
    keys |= _town_after_street(keys["street_key"], keys["town_key"], places)
    keys |= _place(keys["town_key"], keys["locality_key"], places)
    town = keys["town_key"]
    if keys["postcode_key"] is not None and town is not None and town not in places.common:
        # A place no more than a stray record or two names, beside a postcode (a county, an old
        # post town: "SELKSHIRE"), says nothing the postcode does not: it must not count
        # against the property the postcode and the rest find.
        keys["town_key"] = None
    record = MatchRecord(
        record_id=index,
        **{name: getattr(parts, name) for name in PART_NAMES},
        **keys,
        **_PROVENANCE,
    )
    return record


_KEY_NAMES: Final = tuple(f.name for f in dataclasses.fields(MatchKeys))


def _keys(found: MatchKeys) -> dict[str, Any]:
    return {name: getattr(found, name) for name in _KEY_NAMES}


def _printable(text: str) -> str:
    """Control characters (a NUL, a tab, a stray escape) as blanks: never part of an address,
    and a NUL cannot even be sent to the database."""
    if text.isprintable():  # no control character (nor any other): most lines, at once
        return text
    return "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)


def _town_after_street(street: str | None, town: str | None, places: Places) -> dict[str, Any]:
    """A town the parser left at the end of the street, for want of a comma and of a street
    word it knows ("ST PAULS STRETE ALDERBY")."""
    if town is not None or street is None:
        return {}
    words = street.split(" ")
    for cut in range(1, len(words)):
        tail = " ".join(words[cut:])
        if tail in places.named:
            return {"street_key": " ".join(words[:cut]), "town_key": tail}
    return {}


def _place(town: str | None, locality: str | None, places: Places) -> dict[str, Any]:
    """The town (and locality) keys, read against the places the gazetteer names."""
    if town is None or town in places.named:
        return {}
    words = town.split(" ")
    for cut in range(1, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if tail in places.named and (head in places.named or locality is None):
            return {"town_key": tail, "locality_key": head if locality is None else locality}
    near = process.extract(town, places.common, scorer=OSA.distance, score_cutoff=1, limit=2)
    fits = [name for name, _, _ in near if one_slip(town, name)]
    return {"town_key": fits[0]} if len(fits) == 1 else {}


@dataclass(frozen=True)
class Places:
    named: frozenset[str]  # every town and locality of a national record (keys)
    common: frozenset[str]  # those that name enough records to correct a typo towards


# A place naming fewer records than this may be a surviving typo ("WESAHM" for "WESHAM"):
# never corrected towards, though a query naming it is taken at its word.
COMMON_PLACE: Final = 5
# By the change feed's last event and the last run: stale when either moves.
_GAZETTEER: dict[tuple[int, int], tuple[Places, Vocabulary]] = {}


def _gazetteer(conn: Connection) -> tuple[Places, Vocabulary]:
    """The places the national records name, and the names the last run knew (known_name)."""
    (version,) = execute(conn, "query/bulk.sql", "version", returning=dict)
    key = (int(version["version"]), int(version["run"]))
    if key not in _GAZETTEER:
        counts: dict[str, int] = {}
        for row in execute(conn, "query/bulk.sql", "places", returning=dict):
            place = normalise_town(row["place"])
            counts[place] = counts.get(place, 0) + int(row["records"])
        places = Places(
            frozenset(counts), frozenset(p for p, n in counts.items() if n >= COMMON_PLACE)
        )
        known = execute(conn, "query/bulk.sql", "known_names", returning=dict)
        vocabulary = Vocabulary.from_rows(
            (row["kind"], row["area"], row["name"], row["street"]) for row in known
        )
        _GAZETTEER.clear()
        _GAZETTEER[key] = (places, vocabulary)
    return _GAZETTEER[key]


# --- candidates --------------------------------------------------------------------------------

Found = dict[int, list[tuple[int, MatchRecord]]]  # query index -> (UPRN, spelling)


def _candidates(conn: Connection, section: str, queries: Iterable[MatchRecord]) -> Found:
    batch = list(queries)
    if not batch:
        return {}
    found: Found = {}
    columns = {
        "idx": "record_id",
        "sao": "sao_key",
        "pao": "pao_key",
        "building": "building_key",
        "street": "street_key",
        "town": "town_key",
        "postcode": "postcode_key",
    }
    params = {param: [getattr(q, name) for q in batch] for param, name in columns.items()}
    for row in execute(conn, "query/bulk.sql", section, returning=dict, **params):
        found.setdefault(int(row["idx"]), []).append((int(row["uprn"]), _spelling(row)))
    return found


def _spelling(row: Any) -> MatchRecord:
    values: dict[str, Any] = dict.fromkeys(PART_NAMES)
    values["sao_text"] = row["sao_text"]  # says a flat from a shop unit (MatchRecord.unit_use)
    values |= {name: row[name] for name in _KEY_NAMES}
    values |= _PROVENANCE | {"source": "gazetteer", "classification": row["classification"]}
    return MatchRecord(record_id=int(row["record_id"]), **values)


def _readings(query: MatchRecord, found: list[tuple[int, MatchRecord]]) -> list[MatchRecord]:
    """Other readings of a query the first pass did not place, each confirmed by a candidate."""
    readings = []
    streets = {s.street_key for _, s in found if s.street_key and s.street_key != query.street_key}
    slips = [s for s in streets if query.street_key and one_slip(query.street_key, s)]
    if len(slips) == 1:
        readings.append(dataclasses.replace(query, street_key=slips[0]))
    names = {s.building_key for _, s in found if s.building_key}
    if query.building_key is not None and query.building_key not in names:
        slips = [n for n in names if one_slip(query.building_key, n)]
        if len(slips) == 1:
            readings.append(dataclasses.replace(query, building_key=slips[0]))
    if query.building_key is None and query.street_key is not None:
        named = query
        if query.pao_key is not None and query.sao_key is None:
            # "9 BEAUMONT POINT ...": flat 9 of Beaumont Point, read as such if confirmed.
            named = dataclasses.replace(query, sao_key=query.pao_key, pao_key=None)
        records = {query.record_id: named} | {s.record_id: s for _, s in found}
        split = split_glued_names(records).get(query.record_id)
        if split is not None:
            readings.append(split)
    return readings


def _best_by_property(
    queries: dict[int, MatchRecord] | dict[int, list[MatchRecord]], found: Found
) -> dict[int, dict[int, PairScore]]:
    """Per query index, each candidate property's best-scoring pair of reading and spelling."""
    best: dict[int, dict[int, PairScore]] = {}
    for index, given in queries.items():
        readings = given if isinstance(given, list) else [given]
        mine: dict[int, PairScore] = {}
        for uprn, spelling in found.get(index, []):
            for reading in readings:
                score = compare(reading, spelling)
                if score.veto is None and (uprn not in mine or mine[uprn].bits < score.bits):
                    mine[uprn] = score
        best[index] = mine
    return best


# --- the answer --------------------------------------------------------------------------------


def _decide(
    query: Query, best: dict[int, PairScore], threshold: float, plausible: float
) -> Matched:
    if not best:
        return Matched(query.id, None, 0.0, None)
    # Odds relative to the strongest, so that 2 ** bits never overflows. A candidate scoring
    # below `plausible` alone (the review threshold: reconciliation would not even ask) does
    # not compete: the same number on a namesake street in another town is no alternative.
    top_bits = max(s.bits for s in best.values())
    odds = {
        uprn: 2.0 ** (s.bits - top_bits)
        for uprn, s in best.items()
        if s.score >= plausible or s.bits == top_bits
    }
    none = 2.0**-top_bits  # "a property the gazetteer does not hold": 0 bits after the prior
    total = sum(odds.values()) + none
    chances = sorted(((o / total, u) for u, o in odds.items()), key=lambda c: (-c[0], c[1]))
    chance, uprn = chances[0]
    explanation = {
        name: {"level": label, "bits": round(bits, 2)}
        for name, (label, bits) in best[uprn].contributions.items()
    }
    return Matched(
        query.id,
        uprn if chance >= threshold else None,
        _round_down(chance),
        None,
        explanation,
        [Candidate(u, _round_down(c)) for c, u in chances[:CANDIDATES_SHOWN]],
    )


def _round_down(score: float) -> float:
    """Four decimals, never rounded up to a threshold the score did not reach."""
    return math.floor(score * 10_000) / 10_000


def _add_addresses(conn: Connection, results: list[Matched]) -> None:
    uprns = sorted({r.uprn for r in results if r.uprn is not None})
    if not uprns:
        return
    lines = {
        int(row["uprn"]): row["single_line"]
        for row in execute(conn, "query/bulk.sql", "addresses", returning=dict, uprns=uprns)
    }
    for result in results:
        if result.uprn is not None:
            result.address = lines.get(result.uprn)
