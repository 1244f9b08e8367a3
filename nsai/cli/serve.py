"""`nsai serve`: the HTTP API under uvicorn."""

from __future__ import annotations

import typer
import uvicorn


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes."),
) -> None:
    """Serve the NSAI API (settings from the NSAI_* environment)."""
    uvicorn.run(
        "api.app:create_app_from_environ",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
