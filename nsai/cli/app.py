"""The typer application: one sub-module per command group, registered here."""

from __future__ import annotations

import typer

from nsai import __version__
from nsai.cli import db, export, keys, load, query, reconcile, serve, steward, synth, weights

app = typer.Typer(
    name="nsai",
    help="NSAI: the National Spatial Address Infrastructure.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nsai {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """NSAI: the National Spatial Address Infrastructure."""


app.add_typer(db.app, name="db")
app.command("serve")(serve.serve)
app.command("synth")(synth.synth)
app.command("load")(load.load)
app.command("load-manifest")(load.load_manifest)
app.command("sources")(load.sources)
app.command("batches")(load.batches)
app.command("quarantine")(load.quarantine)
app.command("reconcile")(reconcile.reconcile)
app.add_typer(export.export_app, name="export")
app.command("lookup")(query.lookup)
app.command("search")(query.search)
app.command("match")(query.match)
app.add_typer(keys.app, name="keys")
app.add_typer(steward.review_app, name="review")
app.add_typer(steward.steward_app, name="steward")
app.add_typer(steward.jobs_app, name="jobs")
app.add_typer(weights.app, name="weights")
