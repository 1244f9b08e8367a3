"""The FastAPI application factory. The engine is made in the lifespan, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine

from api import health
from nsai import __version__
from nsai.config import Settings
from nsai.db.engine import make_engine
from nsai.logging import configure_logging


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine: Engine = make_engine(settings)
        app.state.engine = engine
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="NSAI — National Spatial Address Infrastructure",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.include_router(health.router)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never a stack trace to the client; the server log has it.
        return JSONResponse(
            {"type": "about:blank", "title": "Internal Server Error", "status": 500},
            status_code=500,
            media_type="application/problem+json",
        )

    return app


def create_app_from_environ() -> FastAPI:
    """Entry point for `nsai serve` (uvicorn factory): settings from the process environment."""
    settings = Settings.from_environ()
    configure_logging(settings.log_level)
    return create_app(settings)
