"""Work on a file's chunks in forked processes, its results in the file's order.

A load reads its file and stages rows in one process and one transaction; what is pure CPU
(parsing, normalising) can run beside it. Results come back in order, so a load parsed on N
processes stages and refuses exactly what it would in one.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from nsai.errors import NsaiError

Item = TypeVar("Item")
Result = TypeVar("Result")


def in_order(
    work: Callable[[Item], Result], items: Iterable[Item], workers: int
) -> Iterator[Result]:
    """`work` of each item, in order: in this process, or on `workers` forked processes with at
    most two items each in flight, so the file is never read further ahead than that. A
    worker's error, or its death, is raised here, and the load rolls back."""
    if workers <= 1:
        yield from map(work, items)
        return
    # Forked: a worker starts at once with the readers imported, and never touches the load's
    # connection (it leaves by os._exit, so nothing of the parent is closed or flushed).
    fork = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(workers, mp_context=fork) as pool:
            waiting: deque[Future[Result]] = deque()
            for item in items:
                waiting.append(pool.submit(work, item))
                if len(waiting) > 2 * workers:
                    yield waiting.popleft().result()
            while waiting:
                yield waiting.popleft().result()
    except BrokenProcessPool:
        raise NsaiError(
            "a process parsing the file's rows ended without finishing (killed, or out of "
            "memory?): nothing was loaded"
        ) from None
