"""Work on a file's chunks in forked processes, its results in the file's order.

A load reads its file and stages rows in one process and one transaction; what is pure CPU
(parsing, normalising) can run beside it. Results come back in order, so a load parsed on N
processes stages and refuses exactly what it would in one.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
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
    most two items each in flight, so the file is never read further ahead than that. Errors
    come as in one process (an earlier item's first); a worker's death fails the load whole."""
    if workers <= 1:
        yield from map(work, items)
        return
    # Forked: a worker starts at once with the readers imported, and never touches the load's
    # connection (it leaves by os._exit, so nothing of the parent is closed or flushed).
    fork = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=_quiet_worker)
    waiting: deque[Future[Result]] = deque()
    try:
        for item in _items_or_earlier_error(items, waiting):
            waiting.append(pool.submit(work, item))
            if len(waiting) >= 2 * workers:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()
    except BrokenProcessPool:
        raise NsaiError(
            "a process parsing the file's rows ended without finishing (killed, or out of "
            "memory?): nothing was loaded"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # no chunk parsed that nobody will read


def _items_or_earlier_error(
    items: Iterable[Item], waiting: deque[Future[Result]]
) -> Iterator[Item]:
    """`items`; when reading one fails, the error of an item read before it wins, as it would
    in one process."""
    try:
        yield from items
    except Exception:
        for future in waiting:
            future.result()
        raise


def _quiet_worker() -> None:
    # Ctrl-C is the loading process's to handle, and a worker writes to the real streams, not
    # to the progress display it was forked from (whose lock a thread of the parent may hold).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
