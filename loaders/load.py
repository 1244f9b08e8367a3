"""The one entry point of loading: inspect the files, open one transaction, and hand them to the
reader of their format (`dtf73` for gazetteers, `tabular` for address lists)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import Engine

from loaders import dtf73, files, tabular
from loaders.mapping import build_mapping
from loaders.store import AlreadyLoaded, Batch, LoadResult
from nsai.db import tables
from nsai.db.engine import driver_connection
from nsai.db.tables import create_staging
from nsai.errors import NsaiError

SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")


def load(
    engine: Engine,
    paths: list[Path],
    source: str,
    fmt: str | None = None,
    mapping_options: dict[str, Any] | None = None,
    mapping_file: Path | None = None,
    advance: Callable[[int], None] = lambda _: None,
    priority: int | None = None,
    max_removal: float | None = None,
    workers: int = 1,
) -> LoadResult:
    """Load one file (or one set of DTF volumes) into a source, all or nothing.

    A list's columns are mapped by `mapping_options` (the command line's --*-column options,
    by key without dashes) over `mapping_file` (the same keys in YAML). A full load that would
    remove more than `max_removal` of the source's records is refused (None: any share).
    A file's rows are parsed on `workers` processes.
    """
    if not SOURCE_NAME.fullmatch(source):
        raise NsaiError(
            f"source name {source!r}: use lower-case letters, digits, '.', '_' and '-' "
            "(e.g. llpg-1505, county, ctax)"
        )
    inputs = files.inspect(paths, fmt)
    given = any(mapping_options.values()) if mapping_options else False
    if inputs.format == "dtf73":
        if given or mapping_file is not None:
            raise NsaiError("DTF 7.3 files need no column mapping: drop the mapping options")
        mapping = None
    else:
        mapping = build_mapping(mapping_options or {}, mapping_file)
    # What makes two loads the same: the bytes, how they are read, and how they are mapped.
    how = json.dumps([inputs.sha256, inputs.format, mapping.model_dump() if mapping else None])
    fingerprint = hashlib.sha256(how.encode()).hexdigest()
    kind = "gazetteer" if inputs.format == "dtf73" else "list"
    with driver_connection(engine) as conn:
        conn.autocommit = False
        try:
            try:
                batch = Batch(conn, source, kind, inputs, fingerprint, max_removal)
            except AlreadyLoaded as repeat:
                conn.rollback()
                return repeat.result
            if priority is not None:
                batch.run("load/batch.sql", "set_priority", priority=priority)
            create_staging(conn, tables.affected, tables.stage_record)
            if inputs.format == "dtf73":
                create_staging(conn, *dtf73.STAGING)
                return dtf73.load_dtf(batch, inputs, advance, workers)
            assert mapping is not None
            return tabular.load_table(batch, inputs, mapping, advance, workers)
        except BaseException:
            # The connection may be broken (the reason we are here): the error that matters is the
            # first one, so a failed rollback must not replace it.
            with contextlib.suppress(psycopg.Error):
                conn.rollback()
            raise
