"""The reconciliation job: from the current source records to the published national records.

One run at a time (a session advisory lock; a second start is refused, naming the running run).
Everything a run publishes is written in one transaction at its end, and only what differs
from the published state, each change with its event: a killed run leaves the national tables as
they were, and a rerun over unchanged data writes nothing (it is recognised before any work, from
the loads and steward decisions it would read).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import json
import logging
import math
import operator
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import psycopg
from sqlalchemy.engine import Engine

from nsai import __version__
from nsai.address.known import KNOWN_NAME, Vocabulary
from nsai.config import REMOVAL_ALWAYS_ALLOWED, Settings
from nsai.db import tables
from nsai.db.engine import driver_connection
from nsai.db.migrate import sql_dir
from nsai.db.queries import copy_rows, dataclass_row, execute, statements
from nsai.errors import NsaiError, first_line
from nsai.match.cluster import Edge, largest
from nsai.match.compare import explanation, weights
from nsai.match.glued import split_glued_names
from nsai.match.groups import partitions, planning_groups
from nsai.match.national import DESIRED_COLUMNS, FATE, desired_row
from nsai.match.records import MatchRecord
from nsai.match.reread import READING_COLUMNS, reading_row, reread_records, vocabulary_of
from nsai.match.unique import Places
from nsai.match.uprns import UprnPlan, allocate_rest
from nsai.match.workers import (
    Compute,
    Decided,
    PlanPart,
    Review,
    ScorePart,
    computing,
    plan_part,
    score_part,
)

log = logging.getLogger(__name__)

LOCK_KEY = 0x4E534152  # "NSAR": one reconcile at a time
# Held while national tables are written, by a run's publishing and by every steward operation:
# the two never interleave, and a run sees whether a steward acted since its snapshot.
PUBLISH_LOCK_KEY = 0x4E535055  # "NSPU"
MAX_ATTEMPTS = 3
RECORDS_SQL = "match/records.sql"
RUNS_SQL = "match/runs.sql"
BLOCKING_SQL = "match/blocking.sql"
PUBLISH_SQL = "match/publish.sql"
# A run's work is cut into a partition per this many records, unless told how many.
RECORDS_PER_PARTITION = 50_000
# In order: a pair is tagged with the first rule that finds it (sql/match/blocking.sql).
BLOCKING_RULES = ("postcode_pao", "street_town_pao", "nearby", "building_town",
                  "postcode_building", "postcode_named", "street_pao", "rare_tokens")  # fmt: skip


@dataclass
class Report:
    run_id: int
    stamp: str = ""  # what the run's result depended on (see records.sql: state_stamp)
    unchanged_since: int | None = None
    attempts: int = 1  # more when stewards' operations overtook the run (see reconcile)
    records: int = 0
    reread: int = 0  # list records read again with the names others know (see reread.py)
    glued_names: int = 0  # house names read off the front of a street (see glued.py)
    pairs_by_rule: dict[str, int] = field(default_factory=dict)
    pairs_vetoed: int = 0
    matched_pairs: int = 0
    # of those, below the match threshold by one slip alone (compare.slip_only), or by a place
    # one record does not give where the street and number are in one place (unique.py)
    sure_below_threshold: int = 0
    review_pairs: int = 0
    national_records: int = 0
    largest_cluster: int = 0
    largest_group: int = 0  # records in the largest planning group (groups.py)
    partitions: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0
    retired: int = 0
    split: int = 0
    reviews_opened: int = 0
    reviews_closed: int = 0
    review_queue: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> str:
        return json.dumps(asdict(self))


Progress = Callable[[str], None]


# The modules whose code decides a run's result, in the order they are digested.
_RULES: Final = ("nsai.match.records", "nsai.address.known", "nsai.match.reread",
                 "nsai.match.glued", "nsai.match.national", "nsai.match.compare",
                 "nsai.match.cluster", "nsai.match.uprns", "nsai.match.survive",
                 "nsai.match.unique", "nsai.match.groups", "nsai.match.workers")  # fmt: skip


@functools.cache
def _ruleset() -> str:
    """A digest of the matching rules (the code, SQL and weights that decide a run's result): a
    rerun after an upgrade or with other weights is a real run, not "nothing changed"."""
    digest = hashlib.sha256(__version__.encode())
    for name in _RULES:
        digest.update(Path(str(importlib.import_module(name).__file__)).read_bytes())
    for name in sorted(p.name for p in (sql_dir() / "match").glob("*.sql")):
        digest.update((sql_dir() / "match" / name).read_bytes())
    digest.update(repr(weights()).encode())  # NSAI_MATCH_WEIGHTS, or hand-set
    return digest.hexdigest()[:16]


def reconcile(
    engine: Engine,
    settings: Settings,
    workers: int = 1,
    progress: Progress = lambda _: None,
    started_by: str = "cli",
    allow_removal: bool = False,
    scheduler: str | None = None,
    partition_count: int | None = None,
) -> Report:
    """Run the job once; returns its report (also stored on the run). Its partitions are
    computed in this process, on a LocalCluster of `workers` processes, or on the Dask cluster
    at `scheduler` (workers.py): the result is the same. A run that a steward's
    operation overtook (one committed after the run took its snapshot) starts again, so the
    steward's decision is in what it publishes. A run that would retire more than
    `settings.max_retirement` of the active national records publishes nothing, unless
    `allow_removal`."""
    with driver_connection(engine) as conn:
        conn.autocommit = True
        # The run's row is written on its own connection: its stages show while the run's one
        # transaction is open, and a cancel asked for elsewhere is seen between stages.
        watch = psycopg.connect(conn.info.dsn, password=conn.info.password, autocommit=True)
        try:
            run_id = _start(conn, workers, started_by)
            watcher = _Watcher(watch, run_id, progress)
            try:
                for attempt in range(1, MAX_ATTEMPTS + 1):
                    try:
                        report = _run(
                            conn,
                            run_id,
                            settings,
                            (workers, scheduler, partition_count),
                            watcher,
                            allow_removal,
                        )
                        report.attempts = attempt
                        break
                    except _Overtaken:
                        if attempt == MAX_ATTEMPTS:
                            raise NsaiError(
                                f"stewards kept correcting records during run {run_id}: "
                                f"{MAX_ATTEMPTS} attempts overtaken; run it again"
                            ) from None
            except BaseException as exc:
                cancelled = watcher.cancel_requested()
                # A broken connection (the reason we are here) must not hide the first error.
                with contextlib.suppress(psycopg.Error):
                    _end(
                        watch, run_id, "cancelled" if cancelled else "failed", None, first_line(exc)
                    )
                if cancelled:
                    raise NsaiError(f"run {run_id} was cancelled: nothing was published") from None
                raise
            if report.unchanged_since is None:
                started = time.monotonic()
                try:  # published already: a failed vacuum is autovacuum's to catch up on
                    execute(conn, RUNS_SQL, "vacuum")
                except psycopg.Error as exc:
                    log.warning(
                        "run %s: vacuum after publishing failed: %s", run_id, first_line(exc)
                    )
                report.seconds["vacuum"] = round(time.monotonic() - started, 2)
            _end(watch, run_id, "done", report, None)
            return report
        finally:
            with contextlib.suppress(psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock_all()")
                conn.autocommit = False
            watch.close()


class _Overtaken(Exception):
    """A steward's operation committed after the run's snapshot: what it read is stale."""


class Cancelled(NsaiError):
    """The run's cancel was asked for."""


class _Watcher:
    """The run's progress, written to its row; and whether a cancel was asked for."""

    def __init__(self, conn: psycopg.Connection[Any], run_id: int, progress: Progress) -> None:
        self.conn = conn
        self.run_id = run_id
        self.progress = progress

    def stage(self, name: str) -> None:
        if self.cancel_requested():
            raise Cancelled(f"run {self.run_id} was cancelled")
        execute(self.conn, RUNS_SQL, "stage", stage=name, run=self.run_id)
        self.progress(name)

    def cancel_requested(self) -> bool:
        with contextlib.suppress(psycopg.Error):
            rows = execute(self.conn, RUNS_SQL, "cancel_requested", run=self.run_id)
            return bool(rows and rows[0][0])
        return False


def _start(conn: psycopg.Connection[Any], workers: int, started_by: str) -> int:
    (locked,) = conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone() or (False,)
    if not locked:
        running = execute(conn, RUNS_SQL, "running")
        which = (
            f"run {running[0][0]}, started {running[0][1]:%Y-%m-%d %H:%M:%S} by {running[0][2]}"
            if running
            else "one"
        )
        raise NsaiError(f"a reconcile is already running ({which}): wait for it to end")
    execute(conn, RUNS_SQL, "fail_stale")
    return int(execute(conn, RUNS_SQL, "start", workers=workers, by=started_by)[0][0])


def _end(
    conn: psycopg.Connection[Any],
    run_id: int,
    status: str,
    report: Report | None,
    message: str | None,
) -> None:
    execute(
        conn,
        RUNS_SQL,
        "end",
        status=status,
        report=report.as_json() if report else "{}",
        message=message,
        run=run_id,
    )


def _run(
    conn: psycopg.Connection[Any],
    run_id: int,
    settings: Settings,
    where: tuple[int, str | None, int | None],  # workers, scheduler, partitions
    watcher: _Watcher,
    allow_removal: bool,
) -> Report:
    report = Report(run_id)
    workers, scheduler, partition_count = where
    clock = _clock(report, watcher.stage)
    config = json.dumps([settings.match_threshold, settings.review_threshold, _ruleset()])
    with conn.transaction():
        # One snapshot for everything the run reads: a load that commits meanwhile is seen whole
        # by the next run, not half by this one. Steward operations are counted by a sequence,
        # which no snapshot hides: compared again once the run holds the publishing lock.
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        (report.stamp,) = execute(conn, RECORDS_SQL, "state_stamp", config=config)[0]
        operations = execute(conn, RECORDS_SQL, "steward_operations")[0]
        last = execute(conn, RUNS_SQL, "latest_done")
        if last and last[0][1] == report.stamp:
            report.unchanged_since = int(last[0][0])
            return report
        with clock("read"):
            records = {r.record_id: r for r in match_records(conn)}
            report.records = len(records)
            reading = read_records(conn, records)
            report.reread, report.glued_names = reading.reread, reading.glued
            previous = dict(execute(conn, RECORDS_SQL, "previous_links"))
            active = {int(u) for (u,) in execute(conn, RECORDS_SQL, "active")}
            taken = {int(u) for (u,) in execute(conn, RECORDS_SQL, "taken")}
            # A merged or retired UPRN that a source still gives one of its records may come back
            # to that property (a steward split what a run merged, a record was restored).
            inactive = {int(u) for (u,) in execute(conn, RECORDS_SQL, "inactive")}
            own = {r.uprn for r in records.values() if r.uprn is not None}
            taken -= inactive & own
            decisions = execute(conn, RECORDS_SQL, "decisions")
            held = {int(r): int(u) for r, u in execute(conn, RECORDS_SQL, "held")}
            overrides: dict[int, dict[str, Any]] = {}
            for uprn, name, value in execute(conn, RECORDS_SQL, "overrides"):
                overrides.setdefault(int(uprn), {})[name] = value
        with clock("block"):
            pairs = candidate_pairs(conn, reading.changed.values(), report.pairs_by_rule)
        count = partition_count or math.ceil(len(records) / RECORDS_PER_PARTITION) or 1
        report.partitions = count
        with contextlib.ExitStack() as stack:
            remote = workers > 1 or scheduler is not None
            with clock("workers") if remote else contextlib.nullcontext():  # their start
                compute = stack.enter_context(computing(workers, scheduler))
            with clock("score"):
                edges, reviews = _score(records, pairs, compute, count, settings, report)
                del pairs
            with clock("cluster"):
                decided = {(a, b) for a, b, _ in decisions}
                accepted = [(a, b) for a, b, d in decisions if d == "accept"]
                ties = [(e.a, e.b) for e in edges] + accepted
                groups = planning_groups(records, ties, previous)
                report.largest_group = max(map(len, groups), default=0)
                parts = partitions(groups, count)
                planned = compute(
                    plan_part, _plan_parts(parts, records, edges, decisions, previous, taken)
                )
                clusters = sorted((c for found, _ in planned for c in found), key=min)
                report.national_records = len(clusters)
                report.largest_cluster = largest(clusters)
            with clock("uprns"):
                plan = allocate_rest(
                    (kept for _, kept in planned), previous, taken, _allocator(conn, taken)
                )
            outcome = _Outcome(clusters, plan, edges, reviews, accepted, decided)
            # the outcome holds what publishing needs
            del edges, reviews, ties, groups, parts, planned
        with clock("publish"):
            execute(conn, RECORDS_SQL, "publish_lock", key=PUBLISH_LOCK_KEY)
            if execute(conn, RECORDS_SQL, "steward_operations")[0] != operations:
                raise _Overtaken
            # A published record none of whose source records remain is retired.
            gone = active - set(plan.uprn_of.values()) - set(plan.merged) - set(plan.retired)
            retiring = len(gone) + len(plan.retired & active)
            most = max(settings.max_retirement * len(active), REMOVAL_ALWAYS_ALLOWED)
            if not allow_removal and retiring > most:
                raise NsaiError(
                    f"run {run_id} would retire {retiring:,} of the {len(active):,} active "
                    f"national records ({retiring / len(active):.0%}; at most "
                    f"{settings.max_retirement:.0%} in one run): nothing was published. A "
                    "source loaded short or emptied? `nsai batches` shows what changed; if "
                    "the addresses are really gone, run it with --allow-removal."
                )
            outcome.held = held
            outcome.overrides = overrides
            outcome.readings = reading.changed
            outcome.vocabulary = reading.vocabulary
            _publish(conn, run_id, records, outcome, gone, report)
    return report


class _Outcome:
    """What clustering decided, seen from each record (links, reviews that still matter)."""

    def __init__(
        self,
        clusters: list[frozenset[int]],
        plan: UprnPlan,
        edges: list[Edge],
        reviews: list[Review],
        accepted: list[tuple[int, int]],
        decided: set[tuple[int, int]],
    ) -> None:
        self.clusters = clusters
        self.plan = plan
        self.held: dict[int, int] = {}  # records a steward retired: record_id -> their UPRN
        self.overrides: dict[int, dict[str, Any]] = {}  # fields stewards set, by UPRN
        self.readings: dict[int, MatchRecord] = {}  # list records read again (reread.py)
        self.vocabulary = Vocabulary()  # the names those readings were made with
        self.national_of = {r: plan.uprn_of[c] for c in clusters for r in c}
        together = self.national_of.get
        # a record's best partner inside, the pair's score and levels (compare.levels: the
        # comparisons are symmetric, so the pair either way round has them)
        self.best: dict[int, tuple[float, int, tuple[str, ...]]] = {}
        for edge in edges:
            if together(edge.a) != together(edge.b):
                continue  # the clustering refused this pair: it explains nothing
            for record, other in ((edge.a, edge.b), (edge.b, edge.a)):
                if record not in self.best or self.best[record][0] < edge.score:
                    self.best[record] = (edge.score, other, edge.levels)
        self.manual = {r for a, b in accepted if together(a) == together(b) for r in (a, b)}
        # Worth a steward's look: uncertain pairs left apart, and not decided already; one item
        # per pair of national records, shown by its likeliest pair of source records.
        between: dict[tuple[int, int], list[Review]] = {}
        for review in reviews:
            a, b = review[0], review[1]
            ua, ub = together(a), together(b)
            if ua != ub and ua is not None and ub is not None and (a, b) not in decided:
                between.setdefault((min(ua, ub), max(ua, ub)), []).append(review)
        # the likeliest pair, its score and levels, and every pair between the two records
        self.reviews: list[tuple[int, int, float, tuple[str, ...], list[Review]]] = []
        for pairs in between.values():
            pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
            self.reviews.append((*pairs[0], pairs))


def _clock(
    report: Report, progress: Progress
) -> Callable[[str], contextlib.AbstractContextManager[None]]:
    """Times each stage into the report and tells the progress callback."""

    @contextlib.contextmanager
    def stage(name: str) -> Iterator[None]:
        progress(name)
        started = time.monotonic()
        try:
            yield
        finally:
            report.seconds[name] = round(time.monotonic() - started, 2)

    return stage


# Values most records share with others (a source, a street, a town, a house number): held once
# each, a run of 304,532 records peaked at 704 MB against 888.
_SHARED_COLUMNS: Final = frozenset((
    "source", "source_kind", "classification", "street", "locality", "town", "postcode",
    "sao_key", "pao_key", "building_key", "street_key", "locality_key", "town_key",
    "postcode_key", "pao_text", "sao_text",
))  # fmt: skip


def match_records(
    conn: psycopg.Connection[Any], ids: Sequence[int] | None = None
) -> Iterator[MatchRecord]:
    """Every record matching reads, or the records `ids`; streamed through a server-side
    cursor: the rows are never all held beside the records."""
    (statement,) = statements(RECORDS_SQL)["records"]
    rows = dataclass_row(MatchRecord, shared=_SHARED_COLUMNS)
    with conn.cursor(name="nsai_records", row_factory=rows) as cursor:
        cursor.itersize = 20_000
        cursor.execute(statement.encode(), {"ids": list(ids) if ids is not None else None})
        yield from cursor


@dataclass
class Reading:
    """How a run reads the records beyond their load: list records read again with the names
    every record knows (reread.py), house names read off their street (glued.py)."""

    changed: dict[int, MatchRecord]  # record_id -> the record as read, where it differs
    vocabulary: Vocabulary  # the names known
    reread: int
    glued: int


def read_records(conn: psycopg.Connection[Any], records: dict[int, MatchRecord]) -> Reading:
    """Read `records` (every current one) as a run does; `records` is updated in place."""
    raw = dict(execute(conn, RECORDS_SQL, "list_text"))
    vocabulary = vocabulary_of(records, raw)
    changed = reread_records(records, raw, vocabulary)
    records.update(changed)
    glued = split_glued_names(records)
    records.update(glued)
    reread = len(changed)
    changed.update(glued)
    return Reading(changed, vocabulary, reread, len(glued))


@dataclass(frozen=True)
class Pairs:
    """Candidate pairs (a < b) as two arrays of record ids: 16 bytes a pair, where a list of
    tuples takes 112 (a million records have two million pairs)."""

    a: array[int]
    b: array[int]

    def __len__(self) -> int:
        return len(self.a)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.a, self.b, strict=True)

    def chunk(self, start: int, stop: int) -> list[tuple[int, int]]:
        return list(zip(self.a[start:stop], self.b[start:stop], strict=True))


def candidate_pairs(
    conn: psycopg.Connection[Any], changed: Iterable[MatchRecord], counts: dict[str, int]
) -> Pairs:
    """The blocking rules' pairs of the current records, read as `changed` says (in this
    transaction's temporary tables), in order; each rule's count of the pairs it added into
    `counts`."""
    execute(conn, BLOCKING_SQL, "prepare")
    tables.create_staging(conn, tables.reread_key, tables.candidate_pair)
    keys = tables.columns(tables.reread_key)  # named as MatchRecord's fields
    copy_rows(conn, tables.reread_key, keys, map(operator.attrgetter(*keys), changed))
    execute(conn, BLOCKING_SQL, "reread")
    for rule in BLOCKING_RULES:
        (statement,) = statements(BLOCKING_SQL)[rule]
        counts[rule] = conn.execute(statement.encode()).rowcount
    (statement,) = statements(BLOCKING_SQL)["pairs"]
    pairs = Pairs(array("q"), array("q"))
    with conn.cursor() as cursor:
        for a, b in cursor.execute(statement.encode()):
            pairs.a.append(a)
            pairs.b.append(b)
    return pairs


def _score(
    records: dict[int, MatchRecord],
    pairs: Pairs,
    compute: Compute[ScorePart, Decided],
    count: int,
    settings: Settings,
    report: Report,
) -> tuple[list[Edge], list[Review]]:
    """Edges (matched pairs) and review pairs, and their counts into `report`."""
    places = Places(records.values())
    thresholds = (settings.review_threshold, settings.match_threshold)
    size = max(1, math.ceil(len(pairs) / count))

    def parts() -> Iterator[ScorePart]:
        for start in range(0, len(pairs), size):
            chunk = pairs.chunk(start, start + size)
            named = {r: records[r] for pair in chunk for r in pair}
            yield ScorePart(named, places.around(named.values()), chunk, thresholds)

    edges: list[Edge] = []
    reviews: list[Review] = []
    for part in compute(score_part, parts()):
        edges += part.edges
        reviews += part.reviews
        report.pairs_vetoed += part.vetoed
        report.sure_below_threshold += part.sure_below_threshold
    report.matched_pairs = len(edges)
    report.review_pairs = len(reviews)
    return edges, reviews


def _allocator(conn: psycopg.Connection[Any], taken: set[int]) -> Callable[[], int]:
    def allocate() -> int:
        while True:
            (uprn,) = execute(conn, RECORDS_SQL, "allocate")[0]
            if int(uprn) not in taken:
                return int(uprn)

    return allocate


def _plan_parts(
    parts: list[list[list[int]]],
    records: dict[int, MatchRecord],
    edges: list[Edge],
    decisions: list[tuple[int, int, str]],
    previous: dict[int, int],
    taken: set[int],
) -> Iterator[PlanPart]:
    """What planning each part's groups reads, and nothing more."""
    where = {r: k for k, part in enumerate(parts) for group in part for r in group}
    # A planning group holds both records of an edge, an accepted pair and a previous UPRN's.
    edges_of: list[list[Edge]] = [[] for _ in parts]
    for edge in edges:
        edges_of[where[edge.a]].append(edge)
    decided: list[list[tuple[int, int, str]]] = [[] for _ in parts]
    for a, b, decision in decisions:
        for k in {where[r] for r in (a, b) if r in where}:
            decided[k].append((a, b, decision))
    had: list[dict[int, int]] = [{} for _ in parts]
    for r, uprn in previous.items():
        if r in where:
            had[where[r]][r] = uprn
    for k, part in enumerate(parts):
        named = {r: records[r] for r in sorted(r for group in part for r in group)}
        claimed = {record.uprn for record in named.values() if record.uprn is not None}
        yield PlanPart(
            records=named,
            edges=edges_of[k],
            accepted=[(a, b) for a, b, d in decided[k] if d == "accept"],
            rejected=[(a, b) for a, b, d in decided[k] if d == "reject"],
            previous=had[k],
            taken=frozenset(taken & (claimed | set(had[k].values()))),
        )


def _pairs_json(pairs: list[Review]) -> str:
    return json.dumps([[a, b, round(score, 4)] for a, b, score, _ in pairs])


def _publish(
    conn: psycopg.Connection[Any],
    run_id: int,
    records: dict[int, MatchRecord],
    outcome: _Outcome,
    gone: set[int],
    report: Report,
) -> None:
    tables.create_staging(conn, *tables.DESIRED)
    # A first national run: indexes and foreign keys made after the data (publish.sql first_run).
    deferred = execute(conn, PUBLISH_SQL, "first_run")
    for drop, _ in deferred:
        conn.execute(drop.encode())
    clusters, plan, national_of = outcome.clusters, outcome.plan, outcome.national_of
    # A source's parent UPRN names a record of that source: map it to that record's national UPRN.
    by_source_uprn = {
        (rec.source, rec.uprn): national_of[rid]
        for rid, rec in records.items()
        if rec.uprn is not None
    }
    in_review = {r for *_, pairs in outcome.reviews for a, b, _, _ in pairs for r in (a, b)}
    national = set(plan.uprn_of.values())

    def addresses() -> Iterator[tuple[Any, ...]]:
        # Generated into the COPY one cluster at a time: a million survivors need not be held.
        for members in clusters:
            uprn = plan.uprn_of[members]
            parent = _parent(members, records, by_source_uprn, uprn, national)
            yield desired_row(
                uprn, parent, [records[r] for r in members], outcome.overrides.get(uprn)
            )

    copy_rows(conn, tables.desired_address, DESIRED_COLUMNS, addresses())

    def links() -> Iterator[tuple[int, int, float | None, str, str]]:
        # Generated into the COPY, as the addresses are.
        for members in clusters:
            for rid in members:
                if rid in outcome.manual:
                    yield (rid, national_of[rid], None, "manual", "{}")
                elif rid in outcome.best:
                    score, _, levels = outcome.best[rid]
                    yield (rid, national_of[rid], score, "matched", explanation(levels))
                elif rid in in_review:
                    yield (rid, national_of[rid], None, "review", "{}")
                else:
                    yield (rid, national_of[rid], None, "new", "{}")
        yield from ((rid, uprn, None, "manual", "{}") for rid, uprn in outcome.held.items())

    linked = ("record_id", "uprn", "score", "decision", "explanation")
    copy_rows(conn, tables.desired_link, linked, links())
    fates: list[tuple[int, str, int | None]] = [(u, "merged", s) for u, s in plan.merged.items()]
    fates += [(u, "retired", None) for u in sorted(plan.retired | gone)]
    fates += [(u, "split", into) for u, targets in plan.split.items() for into in targets]
    copy_rows(conn, tables.desired_fate, FATE, fates)
    copy_rows(
        conn,
        tables.desired_review,
        ("record_a", "record_b", "score", "explanation", "pairs"),
        [
            (a, b, score, explanation(levels), _pairs_json(pairs))
            for a, b, score, levels, pairs in outcome.reviews
        ],
    )
    aliases = {
        rec.uprn: national_of[rid]
        for rid, rec in records.items()
        if rec.uprn is not None
        and rec.uprn != national_of[rid]
        and rec.uprn not in national
        and rec.uprn not in plan.merged
        and rec.uprn not in plan.retired
    }
    copy_rows(conn, tables.desired_alias, ("uprn", "national_uprn"), aliases.items())
    execute(conn, PUBLISH_SQL, "custodians")
    cause: dict[str, Any] = {
        "run": run_id,
        "cause": "reconcile",
        "actor": "nsai",
        "operation": None,
    }
    (report.created,) = execute(conn, PUBLISH_SQL, "create", **cause)[0]
    (report.updated,) = execute(conn, PUBLISH_SQL, "update", **cause)[0]
    execute(conn, PUBLISH_SQL, "announce_created", **cause)
    report.merged, report.retired, report.split = execute(conn, PUBLISH_SQL, "fates", **cause)[0]
    execute(conn, PUBLISH_SQL, "links", run=run_id)
    readings = (reading_row(r) for r in outcome.readings.values())
    copy_rows(conn, tables.desired_reading, ("record_id", *READING_COLUMNS), readings)
    copy_rows(conn, tables.desired_known_name, KNOWN_NAME, outcome.vocabulary.rows())
    execute(conn, PUBLISH_SQL, "readings")
    execute(conn, PUBLISH_SQL, "match_keys")
    execute(conn, PUBLISH_SQL, "aliases")
    if deferred:
        started = time.monotonic()
        # change_event's key to steward_operation is checked at commit: checked now instead,
        # as a table with checks pending takes no ALTER (a run writes no operation ids).
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _, make in deferred:
            conn.execute(make.encode())
        report.seconds["indexes (in publish)"] = round(time.monotonic() - started, 2)
    report.reviews_opened, report.reviews_closed = execute(
        conn, PUBLISH_SQL, "reviews", run=run_id
    )[0]
    (report.review_queue,) = execute(conn, PUBLISH_SQL, "queue_size")[0]


def _parent(
    members: frozenset[int],
    records: dict[int, MatchRecord],
    by_source_uprn: dict[tuple[str, int], int],
    uprn: int,
    national: set[int],
) -> int | None:
    """The national UPRN of the survivor's parent, if the parent is published too."""
    for rid in sorted(members, key=lambda r: (records[r].source_priority, r)):
        record = records[rid]
        if record.parent_uprn is not None:
            parent = by_source_uprn.get((record.source, record.parent_uprn))
            if parent is not None and parent != uprn and parent in national:
                return parent
    return None


def summary(report: Report) -> list[str]:
    """The report as the lines `nsai reconcile` prints."""
    if report.unchanged_since is not None:
        return [
            f"nothing changed since run {report.unchanged_since}: nothing to do "
            f"(run {report.run_id})"
        ]
    rules = ", ".join(f"{rule} {n:,}" for rule, n in report.pairs_by_rule.items())
    seconds = ", ".join(f"{stage} {s:.1f}" for stage, s in report.seconds.items())
    return [
        f"run {report.run_id}: {report.records:,} records -> {report.national_records:,} "
        f"national records (largest holds {report.largest_cluster} records; largest planning "
        f"group {report.largest_group:,} records, {report.partitions:,} "
        f"partition{'s' if report.partitions != 1 else ''}); "
        f"{report.reread:,} list records read again with the known names, "
        f"{report.glued_names:,} house names read off the front of their street",
        f"candidate pairs: {sum(report.pairs_by_rule.values()):,} ({rules}); "
        f"{report.pairs_vetoed:,} vetoed, {report.matched_pairs:,} matched "
        f"({report.sure_below_threshold:,} below the threshold by a slip or a silence alone), "
        f"{report.review_pairs:,} for review",
        f"national records: {report.created:,} created, {report.updated:,} updated, "
        f"{report.merged:,} merged, {report.retired:,} retired, {report.split:,} splits; "
        f"review queue {report.review_queue:,} ({report.reviews_opened:,} opened, "
        f"{report.reviews_closed:,} closed)",
        f"seconds: {seconds}",
    ]
