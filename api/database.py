"""The API's database connections: three pools per worker process, each named for what it
serves and sized by a setting (the fourth connection, one, listens for changes:
api/lookup_cache.py).

- `lookups` (NSAI_API_CONNECTIONS): UPRN lookups, the most frequent and cheapest read, awaited
  on the event loop itself in autocommit, with no thread hop (`LoopConnections`). Measured on 1M
  records when it was built, it answered half as many again a second as the thread pool at a
  third of its p99 (today's figures: BENCHMARKS.md, "API", the lookups with nothing kept).
- `reads` (NSAI_API_CONNECTIONS): every other read, in autocommit (one round trip a query: no
  BEGIN, no ROLLBACK when the connection goes back), on a thread pool of its own with one
  thread per connection: a request waiting for a connection waits in the event loop, not in a
  thread, and the threads live as long as the process. (Each thread's first coordinate
  conversion builds its own PROJ transformer, about 60 ms: the shared thread pool's threads,
  which end after ten idle seconds, would pay it again and again.)
- `writes` (NSAI_API_WRITE_CONNECTIONS): steward operations, API key checks and the readiness
  probe, pre-pinged, each in its own transaction: they never take a connection a read is
  waiting for.

A read that finds its connection dropped by the server (a restart, a failover) runs once more
on a new one, which is what a round trip of pre-ping on every checkout would buy, at the cost of
one round trip only when it happens. `reads` and `writes` are SQLAlchemy's own pools, the access
layer of the product. `lookups` is not psycopg_pool's AsyncConnectionPool, which reconnects in
the background and keeps readers waiting meanwhile: here a database that refuses connections
fails that read at once (a 503).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, Concatenate, Final, ParamSpec, TypeVar

from psycopg import AsyncConnection, OperationalError
from psycopg.conninfo import make_conninfo
from psycopg.pq import TransactionStatus
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from nsai.config import Settings
from nsai.db.engine import make_engine, statement_options

P = ParamSpec("P")
T = TypeVar("T")
# How long a read on the loop waits for one of its connections, as SQLAlchemy's pool waits.
WAIT_FOR_CONNECTION: Final = 30.0


class Busy(Exception):
    """No connection of the loop came free in time."""


class LoopConnections:
    """Up to `size` connections used on the event loop, in autocommit, kept between reads.

    Each is made when a read needs one, so that a database refusing connections fails that read
    at once (a 503) rather than keeping it waiting. A connection the server dropped is closed,
    and so are the idle ones, which a restart or failover dropped too: the next read makes a
    new one.
    """

    def __init__(self, conninfo: str, size: int) -> None:
        self._conninfo = conninfo
        self._free = asyncio.Semaphore(size)
        self._idle: list[AsyncConnection[Any]] = []

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        try:
            async with asyncio.timeout(WAIT_FOR_CONNECTION):
                await self._free.acquire()
        except TimeoutError:
            raise Busy(f"no database connection came free in {WAIT_FOR_CONNECTION:.0f} s") from None
        try:
            conn = self._idle.pop() if self._idle else await self._connect()
            try:
                yield conn
            finally:
                if conn.broken:
                    await self.close()
                if conn.closed or conn.info.transaction_status != TransactionStatus.IDLE:
                    await conn.close()
                else:
                    self._idle.append(conn)
        finally:
            self._free.release()

    async def _connect(self) -> AsyncConnection[Any]:
        return await AsyncConnection.connect(
            self._conninfo, autocommit=True, connect_timeout=10, application_name="nsai"
        )

    async def close(self) -> None:
        """Close the idle connections (those in use are closed as they come back broken, or
        kept)."""
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()


class Database:
    def __init__(self, settings: Settings) -> None:
        size = settings.api_connections
        timeout = settings.statement_timeout_seconds
        # Not checked at start: a worker that starts while the database is away (uvicorn
        # replacing one that died) answers 503 until it is back, where failing to start would
        # make uvicorn stop every worker.
        self.writes: Engine = make_engine(
            settings,
            pool_size=settings.api_write_connections,
            max_overflow=0,
            statement_timeout=timeout,
            api=True,
            check=False,
        )
        self._read_pool = make_engine(
            settings,
            pool_size=size,
            max_overflow=0,
            pre_ping=False,
            statement_timeout=timeout,
            api=True,
            check=False,
        )
        self._reads = self._read_pool.execution_options(isolation_level="AUTOCOMMIT")
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="nsai-read")
        # libpq's form, built from the parts: the URL rendered again would escape differently.
        url = self.writes.url
        self.conninfo = make_conninfo(
            **url.translate_connect_args(username="user", database="dbname"),
            **{k: v for k, v in url.query.items() if isinstance(v, str)},
        )
        given = url.query.get("options")
        self._lookups = LoopConnections(
            make_conninfo(
                self.conninfo,
                **statement_options(timeout, given if isinstance(given, str) else None),
            ),
            size,
        )

    async def read_on_loop(
        self,
        work: Callable[Concatenate[AsyncConnection[Any], P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """`await work(conn, *args, **kwargs)` on a connection of the event loop."""
        async with self._lookups.connection() as conn:
            try:
                return await work(conn, *args, **kwargs)
            except OperationalError:
                if not conn.broken:
                    raise
        # The server dropped it: the one made now is new.
        async with self._lookups.connection() as conn:
            return await work(conn, *args, **kwargs)

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

    async def dispose(self) -> None:
        await self._lookups.close()
        self._threads.shutdown(wait=True, cancel_futures=True)
        self._read_pool.dispose()
        self.writes.dispose()
