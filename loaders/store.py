"""One load as one database transaction: the batch row, staging by COPY, set-based merge.

Everything a load writes — the batch, its quarantined rows, the source's new state — commits
together at the end or not at all, so a load killed half-way leaves no trace and the next works.
Loads into one source are serialised by an advisory lock; loads into different sources run side
by side.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from loaders.files import InputFiles
from nsai.db.queries import statements
from nsai.errors import NsaiError

log = logging.getLogger(__name__)

Row = Sequence[Any]


@dataclass
class Counts:
    """Rows of the input by fate: read = loaded + quarantined + skipped, always."""

    read: int = 0
    quarantined: int = 0
    skipped_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return sum(self.skipped_by_type.values())

    @property
    def loaded(self) -> int:
        return self.read - self.quarantined - self.skipped


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
        self, conn: psycopg.Connection[Any], source: str, kind: str, files: InputFiles
    ) -> None:
        self.conn = conn
        self.files = files
        self.source_name = source
        self.counts = Counts()
        self.source_id = self._lock_source(source, kind)
        self._refuse_repeat()
        row = conn.execute(
            "INSERT INTO load_batch (source_id, file_name, file_format, content_sha256, volumes) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING batch_id",
            (self.source_id, files.name, files.format, files.sha256, len(files.paths)),
        ).fetchone()
        assert row is not None
        self.batch_id = int(row[0])

    def _lock_source(self, source: str, kind: str) -> int:
        locked = self.conn.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext('nsai.load'), hashtext(%s))", (source,)
        ).fetchone()
        if not locked or not locked[0]:
            raise NsaiError(
                f"another load into source {source!r} is running: try again when it ends"
            )
        row = self.conn.execute(
            "INSERT INTO source (name, kind, duplicate_free) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING source_id, kind",
            (source, kind, kind == "gazetteer"),
        ).fetchone()
        assert row is not None
        if str(row[1]) != kind:
            raise NsaiError(
                f"source {source!r} holds {row[1]} records and a {self.files.format} file holds "
                f"{kind} records: load it into another source"
            )
        return int(row[0])

    def _refuse_repeat(self) -> None:
        latest = self.conn.execute(
            """
            SELECT batch_id, content_sha256, rows_read, rows_loaded, rows_quarantined,
                   rows_skipped, skipped_by_type
            FROM load_batch WHERE source_id = %s AND status = 'loaded'
            ORDER BY batch_id DESC LIMIT 1
            """,
            (self.source_id,),
        ).fetchone()
        if latest is not None and latest[1] == self.files.sha256:
            raise AlreadyLoaded(
                LoadResult(
                    int(latest[0]),
                    self.source_name,
                    True,
                    int(latest[2]),
                    int(latest[3]),
                    int(latest[4]),
                    int(latest[5]),
                    dict(latest[6]),
                    {},
                )
            )

    @property
    def params(self) -> dict[str, Any]:
        return {"source": self.source_id, "batch": self.batch_id}

    def run(self, relative: str, name: str, **params: Any) -> list[tuple[Any, ...]]:
        """Run a named section of sql/RELATIVE; returns the last statement's rows, if any."""
        rows: list[tuple[Any, ...]] = []
        started = time.monotonic()
        for statement in statements(relative)[name]:
            cursor = self.conn.execute(statement.encode(), self.params | params)
            rows = cursor.fetchall() if cursor.description else []
        log.debug("%s %s: %.2f s", relative, name, time.monotonic() - started)
        return rows

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        query = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with self.conn.cursor().copy(query) as copy:
            for row in rows:
                copy.write_row(row)

    def quarantine(self, file_name: str, line_number: int, raw: str, reason: str) -> None:
        """Refuse one row; kept with its place and reason."""
        self.conn.execute(
            "INSERT INTO quarantine (batch_id, file_name, line_number, raw, reason) "
            "VALUES (%s, %s, %s, %s, %s)",
            (self.batch_id, file_name, line_number, raw.replace("\x00", ""), reason),
        )

    def quarantine_duplicates(self, table: str, key: str, what: str) -> None:
        template = statements("load/merge.sql")["quarantine_duplicates"][0]
        query = sql.SQL(template).format(
            table=sql.Identifier(table), key=sql.Identifier(key), what=sql.Literal(what)
        )
        self.conn.execute(query, self.params)

    def merge(self, *, full: bool) -> dict[str, int]:
        """Publish stage_record into source_record; returns what changed."""
        self.run("load/merge.sql", "hash_records")
        removed = self.run("load/merge.sql", "remove_records", full=full)
        changed, gone = (int(v) for v in removed[0])
        cursor = self.conn.execute(
            statements("load/merge.sql")["insert_records"][0].encode(), self.params
        )
        inserted = cursor.rowcount
        total = self.conn.execute("SELECT count(*) FROM stage_record").fetchone()
        staged = int(total[0]) if total else 0
        return {
            "new": inserted - changed,
            "changed": changed,
            "removed": gone,
            "unchanged": staged - inserted,
        }

    def finish(self, records: dict[str, int], *, change_only: bool) -> LoadResult:
        counts = self.counts
        # Rows are refused by Python (per row) and by SQL (duplicates, orphans): count them all.
        refused = self.conn.execute(
            "SELECT count(*) FROM quarantine WHERE batch_id = %s", (self.batch_id,)
        ).fetchone()
        counts.quarantined = int(refused[0]) if refused else 0
        self.conn.execute(
            """
            UPDATE load_batch SET status = 'loaded', finished_at = now(), change_only = %s,
                rows_read = %s, rows_loaded = %s, rows_quarantined = %s, rows_skipped = %s,
                skipped_by_type = %s, record_changes = %s
            WHERE batch_id = %s
            """,
            (
                change_only,
                counts.read,
                counts.loaded,
                counts.quarantined,
                counts.skipped,
                json.dumps(counts.skipped_by_type),
                json.dumps(records),
                self.batch_id,
            ),
        )
        self.conn.commit()
        return LoadResult(
            self.batch_id,
            self.source_name,
            False,
            counts.read,
            counts.loaded,
            counts.quarantined,
            counts.skipped,
            dict(counts.skipped_by_type),
            records,
        )
