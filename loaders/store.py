"""One load as one database transaction: the batch row, staging by COPY, set-based merge.

Everything a load writes — the batch, its quarantined rows, the source's new state — commits
together at the end or not at all, so a load killed half-way leaves no trace and the next works.
A second load into a source that is being loaded is refused at once (the source row is locked);
loads into different sources run side by side.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from sqlalchemy import Table

from loaders.files import InputFiles
from nsai.config import REMOVAL_ALWAYS_ALLOWED
from nsai.db import tables
from nsai.db.queries import copy_rows, execute, statements
from nsai.errors import NsaiError

log = logging.getLogger(__name__)

QUARANTINE_FLUSH = 5_000
QUARANTINED = ("batch_id", "file_name", "line_number", "raw", "reason")  # a refused row


@dataclass
class Counts:
    """Rows of the input by fate, each counted where it happens.

    Every row read is exactly one of: framing (a DTF header or trailer), staged, refused while
    reading, or of a skipped record type. Of the staged, set-based SQL may refuse some more
    (duplicates, orphans); the rest are loaded.
    """

    read: int = 0
    framing: int = 0
    staged: int = 0
    refused_reading: int = 0
    skipped_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return sum(self.skipped_by_type.values())

    def skip(self, record_type: str) -> None:
        self.skipped_by_type[record_type] = self.skipped_by_type.get(record_type, 0) + 1


@dataclass(frozen=True)
class LoadResult:
    batch_id: int
    source: str
    already_loaded: bool
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_skipped: int
    skipped_by_type: dict[str, int]
    records: dict[str, int]


class AlreadyLoaded(Exception):
    """The file is the source's latest load: loading it again would change nothing."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(f"already loaded as batch {result.batch_id}")
        self.result = result


class Batch:
    """A load in progress on one connection; `finish()` commits it, anything else discards it."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        source: str,
        kind: str,
        files: InputFiles,
        fingerprint: str,
        max_removal: float | None = None,
    ) -> None:
        self.conn = conn
        self.files = files
        # The share of the source's records a full load may remove; None: any.
        self.max_removal = max_removal
        self.source_name = source
        self.fingerprint = fingerprint
        self.counts = Counts()
        self._refused: list[tuple[Any, ...]] = []
        self.source_id = self.batch_id = 0  # until the source is locked and the batch opened
        self.source_id, self.custodian_code = self._lock_source(source, kind)
        self._refuse_repeat()
        (batch_id,) = self.run(
            "load/batch.sql",
            "open_batch",
            file_name=files.name,
            format=files.format,
            sha256=files.sha256,
            fingerprint=fingerprint,
            volumes=len(files.paths),
        )[0]
        self.batch_id = int(batch_id)

    def _lock_source(self, source: str, kind: str) -> tuple[int, int | None]:
        try:
            rows = self.run("load/batch.sql", "lock_source", name=source, kind=kind)
        except pg_errors.LockNotAvailable:
            raise NsaiError(
                f"another load into source {source!r} is running: try again when it ends"
            ) from None
        source_id, existing_kind, custodian = rows[0]
        if existing_kind != kind:
            raise NsaiError(
                f"source {source!r} holds {existing_kind} records and a {self.files.format} file "
                f"holds {kind} records: load it into another source"
            )
        return int(source_id), custodian

    def _refuse_repeat(self) -> None:
        latest = self.run("load/batch.sql", "latest_load")
        if latest and latest[0][1] == self.fingerprint:
            batch_id, _, read, loaded, quarantined, skipped, by_type = latest[0]
            raise AlreadyLoaded(
                LoadResult(
                    batch_id,
                    self.source_name,
                    True,
                    read,
                    loaded,
                    quarantined,
                    skipped,
                    dict(by_type),
                    {},
                )
            )

    def applied_before(self) -> int | None:
        """The batch that already loaded this very content into the source, if one did."""
        rows = self.run("load/batch.sql", "applied_before", fingerprint=self.fingerprint)
        return int(rows[0][0]) if rows else None

    @property
    def params(self) -> dict[str, Any]:
        return {"source": self.source_id, "batch": self.batch_id}

    def run(self, relative: str, section: str, **params: Any) -> list[tuple[Any, ...]]:
        """Run a named section of sql/RELATIVE; returns the last statement's rows, if any."""
        started = time.monotonic()
        rows = execute(self.conn, relative, section, **(self.params | params))
        log.debug("%s %s: %.2f s", relative, section, time.monotonic() - started)
        return rows

    def quarantine(self, file_name: str, line_number: int, raw: str, reason: str) -> None:
        """Refuse one row while reading; kept with its place and reason."""
        self._refused.append(
            (self.batch_id, file_name, line_number, raw.replace("\x00", ""), reason)
        )
        self.counts.refused_reading += 1
        if len(self._refused) >= QUARANTINE_FLUSH:
            self.flush_quarantine()

    def flush_quarantine(self) -> None:
        copy_rows(self.conn, tables.quarantine, QUARANTINED, self._refused)
        self._refused.clear()

    def quarantine_duplicates(self, table: Table, key: Sequence[str], what: str) -> None:
        """Refuse staged rows of `table` that repeat the `key` of an earlier row of the file."""
        template = statements("load/merge.sql")["quarantine_duplicates"][0]
        columns = sql.SQL(", ").join(map(sql.Identifier, key))
        label = sql.SQL(" || ' ' || ").join(
            sql.SQL("{}::text").format(sql.Identifier(c)) for c in key
        )
        query = sql.SQL(template).format(
            table=sql.Identifier(table.name), key=columns, label=label, what=sql.Literal(what)
        )
        self.conn.execute(query, self.params)

    def merge(self, *, full: bool) -> dict[str, int]:
        """Publish stage_record into source_record; returns what changed."""
        staged = self.conn.execute("SELECT count(*) FROM stage_record").fetchone()
        staged_records = int(staged[0]) if staged else 0
        current = int(self.run("load/batch.sql", "current_records")[0][0])
        if full and staged_records == 0 and current > 0 and self.max_removal is not None:
            raise NsaiError(
                f"{self.files.name} yields no records, so loading it would remove all {current:,} "
                f"records of source {self.source_name!r}: refused, nothing was loaded (if every "
                f"row was refused, check the file's mapping and --crs).{self._refusals()}"
            )
        self.run("load/merge.sql", "hash_records")
        changed, gone = (int(v) for v in self.run("load/merge.sql", "remove_records", full=full)[0])
        if (
            full
            and self.max_removal is not None
            and gone > max(self.max_removal * current, REMOVAL_ALWAYS_ALLOWED)
        ):
            # A file cut short, or a wrong --crs that quarantined most rows, would empty the
            # source and then retire its national records: the transaction is rolled back.
            raise NsaiError(
                f"{self.files.name} lacks {gone:,} of the {current:,} records of source "
                f"{self.source_name!r} ({gone / current:.0%}; at most {self.max_removal:.0%} may "
                "go in one full load): refused, nothing was loaded. Is the file whole, and "
                f"its mapping and --crs right?{self._refusals()} If the records are really "
                "gone, load it with --allow-removal."
            )
        cursor = self.conn.execute(
            statements("load/merge.sql")["insert_records"][0].encode(), self.params
        )
        inserted = cursor.rowcount
        return {
            "new": inserted - changed,
            "changed": changed,
            "removed": gone,
            "unchanged": staged_records - inserted,
        }

    def _refusals(self) -> str:
        """What was refused while reading, for a refusal's message."""
        self.flush_quarantine()
        rows = self.run("load/batch.sql", "top_reasons")
        if not rows:
            return ""
        said = "; ".join(f"{int(n):,} {kind!r}" for kind, n, _ in rows)
        return f" Rows refused while reading: {int(rows[0][2]):,} ({said})."

    def finish(self, records: dict[str, int], *, change_only: bool) -> LoadResult:
        self.flush_quarantine()
        counts = self.counts
        quarantined = int(self.run("load/batch.sql", "quarantined")[0][0])
        refused_by_sql = quarantined - counts.refused_reading
        loaded = counts.framing + counts.staged - refused_by_sql
        if counts.read != loaded + quarantined + counts.skipped:
            # Every row is counted where its fate is decided; a mismatch is a bug, not data.
            raise NsaiError(
                f"row accounting does not balance ({counts.read} read, {loaded} loaded, "
                f"{quarantined} quarantined, {counts.skipped} skipped): nothing was loaded"
            )
        self.run(
            "load/batch.sql",
            "finish_batch",
            change_only=change_only,
            read=counts.read,
            loaded=loaded,
            quarantined=quarantined,
            skipped=counts.skipped,
            skipped_by_type=json.dumps(counts.skipped_by_type),
            records=json.dumps(records),
        )
        self.conn.commit()
        return LoadResult(
            self.batch_id,
            self.source_name,
            False,
            counts.read,
            loaded,
            quarantined,
            counts.skipped,
            dict(counts.skipped_by_type),
            records,
        )
