"""`nsai serve`: the HTTP API under uvicorn."""

from __future__ import annotations

import os

import typer
import uvicorn

from nsai.cli.context import settings_of


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes."),
) -> None:
    """Serve the NSAI API with this command's settings."""
    settings = settings_of(ctx)
    # uvicorn's workers are new processes that build their app from the environment: hand them
    # exactly the settings this command was given.
    for name in [k for k in os.environ if k.startswith("NSAI_")]:
        del os.environ[name]
    os.environ.update(settings.as_environ())
    uvicorn.run(
        "api.app:create_app_from_environ",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        # The client's address is the connection's; X-Forwarded-For is read by the access
        # layer, from NSAI_TRUSTED_PROXIES only (uvicorn would believe it from 127.0.0.1).
        proxy_headers=False,
    )
