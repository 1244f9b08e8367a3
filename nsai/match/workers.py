"""Where a run's partitions are computed: in this process, on a Dask LocalCluster of worker
processes on this machine, or on an existing Dask cluster (dask.distributed). The same task
functions run in each, and each task is given only what it reads (its records, its pairs), not
the run's state: a partition's result does not depend on where, or beside what, it ran.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from nsai.errors import NsaiError, first_line
from nsai.match.cluster import Edge, cluster
from nsai.match.compare import compare, levels, slip_only
from nsai.match.records import MatchRecord
from nsai.match.unique import Places, silent_on_place
from nsai.match.uprns import KeptPlan, plan_kept

T = TypeVar("T")
R = TypeVar("R")
# Applies a task to each partition as it is made; the results in the partitions' order.
Compute = Callable[[Callable[[T], R], Iterable[T]], list[R]]

WAIT_FOR_WORKERS = 60  # seconds a scheduler may take to have a worker for a run

# An uncertain pair: record a, record b, score, and its comparisons' levels (compare.levels)
Review = tuple[int, int, float, tuple[str, ...]]


@contextlib.contextmanager
def computing(workers: int, scheduler: str | None) -> Iterator[Compute[Any, Any]]:
    """In this process (one worker, no scheduler), else on a LocalCluster of `workers`
    processes of one thread each, or on the Dask cluster at `scheduler` (its workers must have
    this version of nsai installed)."""
    if scheduler is None and workers <= 1:
        yield lambda task, parts: [task(part) for part in parts]
        return
    from distributed import Client, LocalCluster
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            try:  # waits up to distributed.comm.timeouts.connect (30 s unless configured)
                client = stack.enter_context(Client(scheduler))
                # A scheduler without workers would hold the run, and its lock, for ever.
                client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
            except (OSError, TimeoutError) as exc:  # distributed's timeouts are OSErrors
                raise NsaiError(
                    f"could not reach the Dask scheduler at {scheduler}, or it has no workers: "
                    f"{first_line(exc)}"
                ) from None
        else:
            local = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            stack.enter_context(local)
            client = stack.enter_context(Client(local))

        def compute(task: Callable[[T], R], parts: Iterable[T]) -> list[R]:
            # Each part is sent to a worker as soon as it is made, and computed while the next
            # is made; scattered, so it goes to the worker and not through the scheduler's
            # graph, and unhashed, as tokenizing a part costs more than sending it. A part
            # scattered to a worker that dies is lost with it, so the run fails, whole.
            try:
                futures = [
                    client.submit(_boxed, task, client.scatter(part, hash=False), pure=False)
                    for part in parts
                ]
                return [box.value for box in client.gather(futures)]
            except (FutureCancelledError, KilledWorker, OSError) as exc:
                raise NsaiError(
                    f"a Dask worker was lost during the run ({first_line(exc)}): nothing was "
                    "published; run it again"
                ) from None

        yield compute


@dataclass(frozen=True)
class _Box:
    """A task's result as one object: distributed serializes a list or tuple item by item, and
    80,000 scored pairs took 3.4 s to come back so, against 0.3 s to score."""

    value: Any


def _boxed(task: Callable[[T], R], part: T) -> _Box:
    return _Box(task(part))


@dataclass(frozen=True)
class ScorePart:
    records: dict[int, MatchRecord]  # the records the pairs name
    places: Places  # where their streets and numbers are (unique.py)
    pairs: list[tuple[int, int]]
    thresholds: tuple[float, float]  # review, match


@dataclass
class Decided:
    """A part's pairs as their scores decide them; the rest (vetoed, or below the review
    threshold) are counted or dropped."""

    edges: list[Edge]  # one property
    reviews: list[Review]  # for a steward to look at
    vetoed: int = 0
    # matched below the match threshold by one slip alone (compare.slip_only), or by a place
    # one record does not give where the street and number are in one place (unique.py)
    sure_below_threshold: int = 0


def score_part(part: ScorePart) -> Decided:
    low, high = part.thresholds
    decided = Decided([], [])
    # One tuple per distinct set of levels (a few thousand), not one per pair.
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    for a, b in part.pairs:
        ra, rb = part.records[a], part.records[b]
        pair = compare(ra, rb)
        if pair.veto is not None:
            decided.vetoed += 1
            continue
        if pair.score < low:
            continue
        said = levels(pair)
        said = shared.setdefault(said, said)
        if pair.score >= high:
            decided.edges.append(Edge(a, b, pair.score, said))
        # Whether a pair is sure matters only in the band a steward would otherwise be asked
        # about; most pairs are far above it, and asking costs a third of the scoring.
        elif slip_only(pair) or (
            silent_on_place(pair) and part.places.one_place(ra) and part.places.one_place(rb)
        ):
            decided.edges.append(Edge(a, b, pair.score, said))
            decided.sure_below_threshold += 1
        else:
            decided.reviews.append((a, b, pair.score, said))
    return decided


@dataclass(frozen=True)
class PlanPart:
    """Planning groups (groups.py) with everything their clustering and UPRNs depend on."""

    records: dict[int, MatchRecord]
    edges: list[Edge]
    accepted: list[tuple[int, int]]
    rejected: list[tuple[int, int]]
    previous: dict[int, int]  # of these records
    taken: frozenset[int]  # of the UPRNs these records had and give


def plan_part(part: PlanPart) -> tuple[list[frozenset[int]], KeptPlan]:
    clusters = cluster(part.records, part.edges, accepted=part.accepted, rejected=part.rejected)
    return clusters, plan_kept(clusters, part.records, part.previous, part.taken)
