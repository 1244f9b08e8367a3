"""The API's database: two pools per worker process, one for reads and one for the rest.

Reads run in autocommit (one round trip a query: no BEGIN, no ROLLBACK when the connection goes
back) on a thread pool of their own, one thread per connection of their pool: a request waiting
for a connection waits in the event loop, not in a thread, and the threads live as long as the
process. (Each thread's first coordinate conversion builds its own PROJ transformer, about 60
ms: the shared thread pool's threads, which end after ten idle seconds, would pay it again and
again.) A read that finds its connection dropped by the server (a restart, a failover) runs once
more on a new one, which is what a round trip of pre-ping on every checkout would buy, at the
cost of one round trip only when it happens.

The steward routes' writes, key checks and the readiness probe use `engine`, pre-pinged, in
their own transactions: they never take a connection a read is waiting for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from nsai.config import Settings
from nsai.db.engine import make_engine

P = ParamSpec("P")
T = TypeVar("T")


class Database:
    def __init__(self, settings: Settings) -> None:
        size = settings.api_connections
        self.engine: Engine = make_engine(settings)
        self._read_pool = make_engine(settings, pool_size=size, max_overflow=0, pre_ping=False)
        self._reads = self._read_pool.execution_options(isolation_level="AUTOCOMMIT")
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="nsai-read")

    async def read(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`work(conn, *args, **kwargs)` on a pooled connection in autocommit, in a thread."""

        def run() -> T:
            try:
                with self._reads.connect() as conn:
                    return work(conn, *args, **kwargs)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
            # The pool dropped every connection as old as that one: this one is new.
            with self._reads.connect() as conn:
                return work(conn, *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._threads, run)

    def dispose(self) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)
        self._read_pool.dispose()
        self.engine.dispose()
