"""`nsai reconcile`: every loaded source record resolved to one national address record."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from nsai.cli.context import engine_of, settings_of
from nsai.db.engine import driver_connection


def reconcile(
    ctx: typer.Context,
    workers: int = typer.Option(
        1,
        min=1,
        max=64,
        help="Worker processes: more than 1 starts a Dask LocalCluster of that many on this "
        "machine; 1 computes in this process.",
    ),
    scheduler: str | None = typer.Option(
        None,
        help="A Dask scheduler (tcp://host:8786) whose workers compute the run instead; they "
        "need this version of nsai installed.",
    ),
    partitions: int | None = typer.Option(
        None,
        min=1,
        max=100_000,
        help="Partitions the run's work is cut into (default: one per 50,000 records); the "
        "result is the same for any number.",
    ),
    started_by: str = typer.Option(
        "cli", "--started-by", hidden=True, help="Who started the run (the API passes its key)."
    ),
    truth: Path | None = typer.Option(
        None,
        help="A truth CSV (source,source_ref,true_id, as `nsai synth` writes): after the run, "
        "print its pairwise precision and recall against it.",
    ),
    allow_removal: bool = typer.Option(
        False,
        "--allow-removal",
        help="Let the run retire more than NSAI_MAX_RETIREMENT (10%) of the active national "
        "records (by default such a run publishes nothing).",
    ),
) -> None:
    """Resolve every loaded source record to one national address record (incremental)."""
    from nsai.match.job import reconcile as run_job
    from nsai.match.job import summary
    from nsai.match.quality import measure, national_of, read_truth

    known = read_truth(truth) if truth is not None else None  # a bad file fails before the run

    def progress(stage: str) -> None:
        if sys.stderr.isatty():
            typer.echo(f"… {stage}", err=True)

    settings = settings_of(ctx)
    with engine_of(settings) as engine:
        report = run_job(
            engine, settings, workers, progress, started_by, allow_removal, scheduler, partitions
        )
        for line in summary(report):
            typer.echo(line)
        if known is not None:
            with driver_connection(engine) as conn:
                typer.echo(measure(known, national_of(conn)).line())
