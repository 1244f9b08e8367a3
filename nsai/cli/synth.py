"""`nsai synth`: a synthetic region of council gazetteers and address lists, with ground truth."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from nsai.synth.generate import SynthOptions, SynthResult, check_options, generate

_DEFAULTS = SynthOptions()


def synth(
    ctx: typer.Context,
    outdir: Annotated[
        Path,
        typer.Argument(
            help="Directory to write; created, and must be empty unless --force is given."
        ),
    ],
    councils: Annotated[
        int, typer.Option(help="Councils side by side (1-50).")
    ] = _DEFAULTS.councils,
    properties: Annotated[
        int, typer.Option(help="Properties in the whole region, flats and parent shells too.")
    ] = _DEFAULTS.properties,
    seed: Annotated[
        int, typer.Option(help="Seed: the same seed gives the same bytes.")
    ] = _DEFAULTS.seed,
    queries: Annotated[
        int | None,
        typer.Option(
            help=f"Test queries for queries.csv, 15% with no answer (default {_DEFAULTS.queries}, "
            "or --properties if fewer).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace OUTDIR even if it is not empty.")
    ] = False,
) -> None:
    """Write a fictional region of England: one DTF 7.3 LLPG per council, a county gazetteer,
    a council-tax list (CSV) and a fire-service list (GeoJSON), with truth.csv, queries.csv,
    properties.csv and manifest.json."""
    if queries is None:
        queries = min(_DEFAULTS.queries, max(properties, 0))
    options = SynthOptions(councils=councils, properties=properties, seed=seed, queries=queries)
    check_options(options)
    started = time.perf_counter()
    if sys.stdout.isatty():
        columns = (
            TextColumn("synth"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("properties"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("synth", total=properties)
            result = generate(
                outdir,
                options,
                force=force,
                progress=lambda done: bar.update(task, completed=done),
            )
    else:
        result = generate(outdir, options, force=force)
    typer.echo(summary(result, time.perf_counter() - started))


def summary(result: SynthResult, seconds: float) -> str:
    """The one line `nsai synth` ends with."""
    records = ", ".join(f"{name} {count:,}" for name, count in result.records.items())
    return (
        f"wrote {result.properties:,} properties to {result.outdir} in {seconds:.1f} s; "
        f"records: {records}; queries: {result.queries:,}"
    )
