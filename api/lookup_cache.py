"""UPRN lookups kept in memory by each API worker, forgotten whenever the gazetteer changes.

National records change only when a reconciliation publishes or a steward corrects one, while
the systems using NSAI look the same properties up again and again: a lookup answered from
memory costs no database round trip and no rendering. The tables a lookup reads notify channel
`nsai_lookups` when a write to them commits (sql/009_lookup_notify.sql). Each worker listens on
a connection of its own and forgets everything it keeps on each notification. While that
connection is down a notification could be missed, so nothing is kept: lookups are read from
the database until it is back, and the cache starts empty again.

An answer read before a change and kept after its notification would stay stale. So an answer
is kept only if no notification came while it was read: `answer` notes the generation before
reading and keeps the answer only if the generation is still the same.

Only the JSON answers are kept (a record, or the UPRN it moved to); GeoJSON is read each time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

import psycopg
from prometheus_client import Counter

from nsai.errors import first_line
from nsai.query.lookup import Moved
from nsai.query.models import Address

log = logging.getLogger(__name__)

CHANNEL: Final = "nsai_lookups"
TRIGGERS_ON: Final = (
    "SELECT count(*) = 3 FROM pg_trigger WHERE tgname IN ('national_address_notify_lookups', "
    "'uprn_alias_notify_lookups', 'custodian_notify_lookups') AND tgenabled <> 'D'"
)
# The listening connection is checked this often (a link that died silently delivers nothing,
# so a check that fails within CHECK_TIMEOUT stops the keeping), and retried after a failure at
# most this often.
CHECK_EVERY: Final = 10.0
CHECK_TIMEOUT: Final = 5.0
RETRY_MAX: Final = 30.0


@dataclass(frozen=True, slots=True)
class Kept:
    """A lookup's answer: the record's JSON, or the UPRN it moved to."""

    body: bytes
    successor: int | None

    @classmethod
    def of(cls, found: Address | Moved) -> Kept:
        if isinstance(found, Moved):
            return cls(b"", found.successor)
        return cls(found.model_dump_json().encode(), None)


class LookupCache:
    """At most `entries` answers, the least recently used dropped first. Shared by the event
    loop (lookups) and the steward routes' threads (`forget` after a correction), hence the
    lock; nothing waits while holding it."""

    def __init__(self, entries: int, answers: Counter) -> None:
        self.entries = entries
        self._kept: OrderedDict[int, Kept] = OrderedDict()
        self._generation = 0
        self._listening = False
        self._lock = threading.Lock()
        self._hits = answers.labels("hit")
        self._misses = answers.labels("miss")

    def __len__(self) -> int:
        return len(self._kept)

    def holds(self, uprn: int) -> bool:
        """Whether an answer for `uprn` is kept now (it may be forgotten a moment later)."""
        return uprn in self._kept

    def kept(self, uprn: int) -> Kept | None:
        """The answer kept for `uprn` (counted a hit), or None (counted nothing)."""
        with self._lock:
            if (kept := self._kept.get(uprn)) is not None:
                self._kept.move_to_end(uprn)
                self._hits.inc()
        return kept

    async def answer(self, uprn: int, read: Callable[[], Awaitable[Address | Moved]]) -> Kept:
        """The kept answer for `uprn`, or `read()`'s, kept if nothing changed meanwhile."""
        if (kept := self.kept(uprn)) is not None:
            return kept
        with self._lock:  # noted before the read: a change heard during it is never missed
            generation = self._generation if self._listening else None
        self._misses.inc()
        kept = Kept.of(await read())
        with self._lock:
            if generation is not None and generation == self._generation:
                self._kept[uprn] = kept
                if len(self._kept) > self.entries:
                    self._kept.popitem(last=False)
        return kept

    def forget(self) -> None:
        """Drop every answer, and any being read now."""
        self._reset(None)

    def listening(self, on: bool) -> None:
        """Whether changes are being heard: answers are kept only while they are."""
        if on != self._listening:
            self._reset(on)

    def _reset(self, listening: bool | None) -> None:
        """Drop every answer; `listening` None leaves that as it is."""
        with self._lock:
            self._generation += 1
            if listening is not None:
                self._listening = listening
            # A new dict rather than clear(): the old one is freed after the lock, not under it.
            self._kept, dropped = OrderedDict(), self._kept
        del dropped


async def listen(cache: LookupCache, conninfo: str, retry: float = 1.0) -> None:
    """Forget `cache` on every notification of CHANNEL, for as long as this task runs; after a
    failure, listen again (waiting `retry` seconds, doubled each failure up to RETRY_MAX).
    Answers are kept only while the triggers that notify (sql/009_lookup_notify.sql) are there
    and enabled, checked every CHECK_EVERY seconds."""
    delay = retry
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                conninfo,
                autocommit=True,
                connect_timeout=10,
                application_name="nsai-lookups",
            ) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                delay = retry
                while True:
                    cache.listening(await _notifying(conn, cache))
                    async for _ in conn.notifies(timeout=CHECK_EVERY):
                        cache.forget()
        except (psycopg.Error, TimeoutError) as exc:
            log.warning(
                "not keeping UPRN lookups: listening for changes failed (%s); retrying in %.0f s",
                first_line(exc),
                delay,
            )
        finally:
            cache.listening(False)
        await asyncio.sleep(delay)
        delay = min(delay * 2, RETRY_MAX)


async def _notifying(conn: psycopg.AsyncConnection[Any], cache: LookupCache) -> bool:
    """Whether every trigger that notifies CHANNEL is there and enabled: the check of the
    connection too. Nothing is kept from the moment it is late."""
    check = asyncio.ensure_future(conn.execute(TRIGGERS_ON))
    done, _ = await asyncio.wait({check}, timeout=CHECK_TIMEOUT)
    if not done:
        cache.listening(False)
        check.cancel()
        raise TimeoutError(f"the database did not answer within {CHECK_TIMEOUT:.0f} s")
    row = await check.result().fetchone()
    return row is not None and bool(row[0])
