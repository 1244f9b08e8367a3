"""`nsai load`, `nsai sources`, `nsai batches`, `nsai quarantine`: what was loaded and refused."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from loaders.files import FORMATS
from loaders.store import LoadResult
from nsai.cli.context import engine_of, settings_of
from nsai.db.queries import execute
from nsai.errors import NsaiError


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None]]:
    """A rows/s progress display on a terminal; nothing when output goes to a file or pipe."""
    if not sys.stdout.isatty():
        yield lambda _: None
        return
    started = time.monotonic()
    with Progress(
        SpinnerColumn(),
        TextColumn(label),
        TextColumn("{task.completed:,} rows"),
        TextColumn("{task.fields[rate]:,.0f} rows/s"),
        TimeElapsedColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=None, rate=0.0)

        def advance(rows: int) -> None:
            progress.advance(task, rows)
            done = progress.tasks[0].completed
            progress.update(task, rate=done / max(time.monotonic() - started, 1e-6))

        yield advance


def _summary(result: LoadResult, files: list[Path], seconds: float) -> str:
    names = ", ".join(p.name for p in files)
    if result.already_loaded:
        return (
            f"{names} is already the latest load of source {result.source} (batch "
            f"{result.batch_id}): nothing changed"
        )
    skipped = ", ".join(f"{k}: {v}" for k, v in sorted(result.skipped_by_type.items()))
    records = ", ".join(f"{v:,} {k}" for k, v in result.records.items())
    return (
        f"loaded {names} into {result.source} as batch {result.batch_id}: "
        f"{result.rows_read:,} rows read, {result.rows_loaded:,} loaded, "
        f"{result.rows_quarantined:,} quarantined, {result.rows_skipped:,} skipped"
        f"{f' (record types {skipped})' if skipped else ''}; records: {records}; "
        f"{seconds:.1f} s, {result.rows_read / max(seconds, 1e-9):,.0f} rows/s"
    )


ALLOW_REMOVAL = typer.Option(
    False,
    "--allow-removal",
    help="Let a full file remove more than NSAI_MAX_REMOVAL (10%) of its source's records "
    "(by default such a load is refused: a file cut short, or the wrong --crs).",
)


WORKERS = typer.Option(
    1,
    "--workers",
    min=1,
    max=64,
    help="Processes that parse the file's records while this one reads and stages them.",
)


def load(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="The file, or the volumes of one DTF file set."),
    source: str = typer.Option(..., "--source", help="The supplying system, e.g. llpg-1505."),
    fmt: str | None = typer.Option(
        None, "--format", help=f"One of {', '.join(FORMATS)} (default: detected)."
    ),
    mapping_file: Path | None = typer.Option(None, "--mapping", help="Column mapping (YAML)."),
    id_column: str | None = typer.Option(None, help="Column holding the record's id."),
    organisation_column: str | None = typer.Option(None),
    sao_column: str | None = typer.Option(None),
    pao_column: str | None = typer.Option(None),
    street_column: str | None = typer.Option(None),
    locality_column: str | None = typer.Option(None),
    town_column: str | None = typer.Option(None),
    address_columns: str | None = typer.Option(
        None, help="Free-text address columns joined in order, e.g. addr1,addr2,addr3."
    ),
    postcode_column: str | None = typer.Option(None),
    x_column: str | None = typer.Option(None),
    y_column: str | None = typer.Option(None),
    lon_column: str | None = typer.Option(None),
    lat_column: str | None = typer.Option(None),
    crs: str | None = typer.Option(
        None, help="EPSG:NNNN of the coordinates (default: the file's own, else 27700 / 4326)."
    ),
    layer: str | None = typer.Option(None, help="The layer of a GeoPackage that holds several."),
    priority: int | None = typer.Option(
        None,
        min=0,
        max=1000,
        help="The source's rank when records disagree (lower wins; gazetteers 10, lists 100).",
    ),
    allow_removal: bool = ALLOW_REMOVAL,
    workers: int = WORKERS,
) -> None:
    """Load an LLPG (DTF 7.3) or an address list (CSV, GeoJSON, GPKG, SHP, Parquet)."""
    # Imported here: the readers pull in pyarrow, pyogrio and shapely, which other commands
    # need not pay for at start-up.
    from loaders.load import load as load_files
    from loaders.mapping import Mapping

    # The --*-column, --crs and --layer options, named as the mapping's fields are.
    options = {name: ctx.params[name] for name in Mapping.model_fields}
    settings = settings_of(ctx)
    with engine_of(settings) as engine:
        started = time.monotonic()
        with _progress(f"loading {paths[0].name}") as advance:
            result = load_files(
                engine, paths, source, fmt, options, mapping_file, advance, priority,
                None if allow_removal else settings.max_removal, workers,
            )  # fmt: skip
    typer.echo(_summary(result, paths, time.monotonic() - started))


def load_manifest(
    ctx: typer.Context,
    manifest: Path = typer.Argument(..., help="A manifest.json, as `nsai synth` writes."),
    allow_removal: bool = ALLOW_REMOVAL,
    workers: int = WORKERS,
) -> None:
    """Load every source a manifest lists (name, file, format and column mapping of each)."""
    from loaders.load import load as load_files

    try:
        listed = json.loads(manifest.read_text(encoding="utf-8"))["sources"]
        sources = [
            (
                s["name"],
                manifest.parent / s["file"],
                s.get("format"),
                s.get("mapping"),
                s.get("priority"),
            )
            for s in listed
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NsaiError(f"{manifest}: not a readable manifest ({exc})") from None
    settings = settings_of(ctx)
    most = None if allow_removal else settings.max_removal
    with engine_of(settings) as engine:
        for name, path, fmt, mapping, priority in sources:
            started = time.monotonic()
            options = {key.replace("-", "_"): value for key, value in (mapping or {}).items()}
            with _progress(f"loading {path.name}") as advance:
                result = load_files(
                    engine, [path], name, fmt, options, None, advance, priority, most, workers
                )
            typer.echo(_summary(result, [path], time.monotonic() - started))


def _rows(ctx: typer.Context, section: str, **params: Any) -> list[dict[str, Any]]:
    """The rows of a listing in sql/load/listings.sql, as dictionaries."""
    with engine_of(settings_of(ctx), current=False) as engine, engine.connect() as conn:
        return execute(conn, "load/listings.sql", section, returning=dict, **params)


def _print(rows: list[dict[str, Any]], as_json: bool, empty: str) -> None:
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        typer.echo(empty)
        return
    columns = list(rows[0])
    widths = {
        c: max(len(c), *(len(str(r[c] if r[c] is not None else "-")) for r in rows))
        for c in columns
    }
    typer.echo("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        cells = (str(row[c] if row[c] is not None else "-").ljust(widths[c]) for c in columns)
        typer.echo("  ".join(cells).rstrip())


JSON_OPTION = typer.Option(False, "--json", help="Print JSON for scripts.")


def sources(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """The supplying systems, their current records and latest load."""
    rows = _rows(ctx, "sources")
    _print(rows, as_json, "no sources yet: load a file with `nsai load PATH --source NAME`")


def batches(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", help="Only this source's loads."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The loads, newest last, with what became of their rows."""
    rows = _rows(ctx, "batches", source=source)
    if source is not None and not rows and not _rows(ctx, "source_exists", source=source):
        raise NsaiError(f"no source named {source!r}: see `nsai sources`")
    _print(rows, as_json, "no loads yet")


def quarantine(
    ctx: typer.Context,
    batch: int = typer.Argument(..., help="The batch id (see `nsai batches`)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The rows a load refused: where they were, their text, and why."""
    if not _rows(ctx, "batch_exists", batch=batch):
        raise NsaiError(f"no batch {batch}: see `nsai batches`")
    _print(_rows(ctx, "quarantine", batch=batch), as_json, f"batch {batch} refused no rows")
