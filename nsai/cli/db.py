"""`nsai db …`: the database NSAI uses (the managed local cluster or NSAI_DATABASE_URL)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import psycopg
import typer
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy import text

from nsai.cli.context import engine_of, settings_of
from nsai.config import Settings
from nsai.db import backup as backups
from nsai.db import migrate as migrations
from nsai.db.cluster import LocalCluster
from nsai.db.engine import database_url, describe, driver_connection, to_sqlalchemy_url
from nsai.db.roles import API_ROLE, grant_api_role
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
    with engine_of(settings, current=False) as engine:
        with engine.connect() as conn:
            server = conn.execute(text("SHOW server_version")).scalar_one()
            postgis = conn.execute(
                text(
                    "SELECT coalesce(installed_version, default_version || ' (not enabled)') "
                    "FROM pg_available_extensions WHERE name = 'postgis'"
                )
            ).scalar()
        states = migrations.status(engine)
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
    with engine_of(settings_of(ctx), current=False) as engine:
        applied = migrations.migrate(engine)
    if applied:
        for migration in applied:
            typer.echo(f"applied {migration.label}")
    else:
        typer.echo(f"database {describe(engine.url)} is up to date")


@app.command("api-login")
def api_login(ctx: typer.Context) -> None:
    """Give the API its login: the user of NSAI_API_DATABASE_URL, with that URL's password, as
    a member of nsai_api (reads and writes data, changes no schema), and nsai_api its rights.
    Run as the owner after `nsai db migrate`; the managed cluster does this itself."""
    settings = settings_of(ctx)
    if settings.api_database_url is None:
        typer.echo("NSAI_API_DATABASE_URL is not set: the API connects as NSAI_DATABASE_URL does")
        return
    wanted = to_sqlalchemy_url(settings.api_database_url, source="NSAI_API_DATABASE_URL")
    if not wanted.username or not wanted.password:
        raise NsaiError("NSAI_API_DATABASE_URL needs a user and a password")
    with engine_of(settings, current=False) as engine, driver_connection(engine) as conn:
        _give_login(conn, wanted.username, wanted.password)
    typer.echo(f"the API logs in as {wanted.username} (a member of {API_ROLE})")


def _give_login(conn: psycopg.Connection[Any], user: str, password: str) -> None:
    if not grant_api_role(conn):
        raise NsaiError(
            f"role {API_ROLE} does not exist: run `nsai db migrate` as a role that may create "
            "roles, or have an administrator create it"
        )
    ready = conn.execute(
        "SELECT rolcanlogin AND pg_has_role(oid, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
        (API_ROLE, user),
    ).fetchone()
    if ready is None or not ready[0]:
        verb = "CREATE" if ready is None else "ALTER"
        conn.execute(
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(user), sql.Literal(password)
            )
        )
        if user != API_ROLE:
            conn.execute(
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(API_ROLE), sql.Identifier(user))
            )
    elif not _logs_in(conn, user, password):
        # A login an administrator made stays as it is unless its password is another.
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(user), sql.Literal(password))
        )
    conn.commit()


def _logs_in(conn: psycopg.Connection[Any], user: str, password: str) -> bool:
    params = conn.info.get_parameters() | {"user": user, "password": password}
    try:
        psycopg.connect(make_conninfo(**params), connect_timeout=10).close()
    except psycopg.OperationalError:
        return False
    return True


@app.command()
def backup(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The backup to write (PostgreSQL's custom format)."),
) -> None:
    """Back up the whole database with pg_dump."""
    settings = settings_of(ctx)
    started = time.monotonic()
    backups.backup(settings, database_url(settings), file)
    size = file.stat().st_size
    typer.echo(f"backed up to {file} ({size / 1e6:,.1f} MB) in {time.monotonic() - started:.1f} s")


@app.command()
def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A backup written by `nsai db backup`."),
    force: bool = typer.Option(
        False, "--force", help="Replace what the database holds (by default it must be empty)."
    ),
) -> None:
    """Restore a backup with pg_restore, in one transaction: all of it or nothing."""
    settings = settings_of(ctx)
    started = time.monotonic()
    backups.restore(settings, database_url(settings), file, force=force)
    typer.echo(f"restored {file} in {time.monotonic() - started:.1f} s")


@app.command()
def url(ctx: typer.Context) -> None:
    """Print the database URL (for psql and other tools)."""
    settings = settings_of(ctx)
    if settings.database_url is not None:
        typer.echo(settings.database_url)
    else:
        typer.echo(LocalCluster(settings).ensure_running())
