"""`nsai db …`: the database NSAI uses (the managed local cluster or NSAI_DATABASE_URL)."""

from __future__ import annotations

import json

import typer
from sqlalchemy import text

from nsai.cli.context import settings_of
from nsai.config import Settings
from nsai.db import migrate as migrations
from nsai.db.cluster import LocalCluster
from nsai.db.engine import describe, make_engine
from nsai.errors import NsaiError

app = typer.Typer(help="Start, stop, inspect and migrate NSAI's database.", no_args_is_help=True)


def _managed(settings: Settings, command: str) -> LocalCluster:
    if settings.database_url is not None:
        raise NsaiError(
            f"`nsai db {command}` manages the local cluster, but NSAI_DATABASE_URL is set: "
            "unset it to use the local cluster"
        )
    return LocalCluster(settings)


@app.command()
def up(
    ctx: typer.Context,
    port: int | None = typer.Option(
        None, min=1024, max=65535, help="Move the cluster to this port (it must be stopped)."
    ),
) -> None:
    """Create (first time) and start the managed local PostgreSQL + PostGIS cluster."""
    status = _managed(settings_of(ctx), "up").up(port)
    typer.echo(f"local cluster running on 127.0.0.1:{status.port} (data: {status.data_dir})")


@app.command()
def down(ctx: typer.Context) -> None:
    """Stop the managed local cluster (its data stays)."""
    stopped = _managed(settings_of(ctx), "down").down()
    typer.echo("local cluster stopped" if stopped else "local cluster was not running")


@app.command()
def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Say which database NSAI uses, whether it runs, and which migrations are applied."""
    settings = settings_of(ctx)
    report: dict[str, object]
    if settings.database_url is None:
        cluster = LocalCluster(settings).status()
        report = cluster.as_dict()
        if cluster.running:
            report |= _server_report(settings)
    else:
        report = {"mode": "url"} | _server_report(settings)
    if as_json:
        typer.echo(json.dumps(report, indent=2, default=str))
        return
    for key, value in report.items():
        typer.echo(f"{key + ':':<12} {value if value is not None else '-'}")


def _server_report(settings: Settings) -> dict[str, object]:
    engine = make_engine(settings, pool_size=1)
    try:
        with engine.connect() as conn:
            server = conn.execute(text("SHOW server_version")).scalar_one()
            postgis = conn.execute(
                text(
                    "SELECT coalesce(installed_version, default_version || ' (not enabled)') "
                    "FROM pg_available_extensions WHERE name = 'postgis'"
                )
            ).scalar()
        states = migrations.status(engine)
    finally:
        engine.dispose()
    pending = [s.migration.label for s in states if s.applied_at is None]
    return {
        "database": describe(engine.url),
        "server": f"PostgreSQL {server}",
        "postgis": postgis or "not installed on this server",
        "migrations": f"{len(states) - len(pending)} applied, {len(pending)} pending",
    }


@app.command()
def migrate(ctx: typer.Context) -> None:
    """Apply pending schema migrations (a no-op when up to date)."""
    engine = make_engine(settings_of(ctx), pool_size=1)
    try:
        applied = migrations.migrate(engine)
    finally:
        engine.dispose()
    if applied:
        for migration in applied:
            typer.echo(f"applied {migration.label}")
    else:
        typer.echo(f"database {describe(engine.url)} is up to date")


@app.command()
def url(ctx: typer.Context) -> None:
    """Print the database URL (for psql and other tools)."""
    settings = settings_of(ctx)
    if settings.database_url is not None:
        typer.echo(settings.database_url)
    else:
        typer.echo(LocalCluster(settings).ensure_running())
