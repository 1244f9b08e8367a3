"""`nsai keys create|list|revoke`: the API keys clients send as X-API-Key."""

from __future__ import annotations

import typer

from nsai import api_keys
from nsai.cli.context import engine_of, settings_of
from nsai.cli.load import JSON_OPTION
from nsai.cli.load import _print as print_rows

app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="Who or what the key is for; unique."),
    scopes: str = typer.Option(
        "read", "--scopes", help=f"Comma-separated, from {','.join(api_keys.SCOPES)}."
    ),
) -> None:
    """Create a key and print it once: only its hash is stored, so it cannot be shown again."""
    wanted = api_keys.parse_scopes(scopes)
    with engine_of(settings_of(ctx)) as engine:
        new = api_keys.create(engine, name, wanted)
    # The key alone on stdout (KEY=$(nsai keys create ...)); what to do with it on stderr.
    typer.echo(new.key)
    typer.echo(
        f"created key {new.name!r} (prefix {new.prefix}, scopes {','.join(new.scopes)}); "
        "store it now: it is shown only this once",
        err=True,
    )


@app.command("list")
def list_keys(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every key with its prefix, scopes and use; never a secret."""
    with engine_of(settings_of(ctx), current=False) as engine:
        rows = api_keys.listing(engine)
    print_rows(rows, as_json, "no API keys yet: create one with `nsai keys create --name NAME`")


@app.command("revoke")
def revoke(ctx: typer.Context, name: str = typer.Argument(..., help="The key's name.")) -> None:
    """Revoke a key: the API refuses it within NSAI_API_KEY_CACHE_SECONDS."""
    settings = settings_of(ctx)
    with engine_of(settings, current=False) as engine:
        when = api_keys.revoke(engine, name)
    typer.echo(
        f"revoked key {name!r} at {when:%Y-%m-%d %H:%M:%S %Z}; a running API refuses it within "
        f"{settings.api_key_cache_seconds} s (NSAI_API_KEY_CACHE_SECONDS)"
    )
