"""The FastAPI application factory. The engine is made in the lifespan, never at import time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from api import access, console, docs, errors, health, lookup_cache, metrics
from api.access import require
from api.body_limit import BodyLimit
from api.database import Database
from api.v1 import (
    addresses,
    changes,
    custodians,
    lineage,
    match,
    postcodes,
    search,
    spatial,
    stewardship,
)
from nsai import __version__, api_keys
from nsai.config import Settings
from nsai.logging import configure_logging


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings)
        app.state.database = database
        app.state.writes = database.writes
        lookups = lookup_cache.LookupCache(
            settings.api_lookup_cache, app.state.metrics.lookup_cache
        )
        app.state.lookups = lookups
        listener = (
            asyncio.create_task(lookup_cache.listen(lookups, database.conninfo))
            if lookups.entries > 0
            else None
        )
        try:
            yield
        finally:
            if listener is not None:
                listener.cancel()
                with suppress(asyncio.CancelledError):
                    await listener
            await database.dispose()

    app = FastAPI(
        title="NSAI — National Spatial Address Infrastructure",
        version=__version__,
        lifespan=lifespan,
        # Served by api/docs from files of their own, not from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.include_router(health.router)
    docs.install(app)
    # Scopes apply where routers are included: read routers with `dependencies=read`, match and
    # steward routers with [Depends(require("match"))] and [Depends(require("steward"))].
    reads: api_keys.Scope = "read"
    read = [Depends(require(reads))]
    app.include_router(access.router, dependencies=read)
    app.include_router(addresses.router, dependencies=read)
    app.include_router(lineage.router, dependencies=read)
    app.include_router(postcodes.router, dependencies=read)
    app.include_router(search.router, dependencies=read)
    app.include_router(spatial.router, dependencies=read)
    app.include_router(changes.router, dependencies=read)
    app.include_router(custodians.router, dependencies=read)
    app.include_router(match.router, dependencies=[Depends(require("match"))])
    app.include_router(stewardship.router, dependencies=[Depends(require("steward"))])
    errors.install(app)
    # Middleware added last runs first: CORS answers preflights before any access check and
    # decorates every response, errors and 429s included. Kept lookups are answered innermost:
    # timed, counted, rate-limited and refused (as problems) as any request.
    app.add_middleware(addresses.KeptLookups, needs=reads)
    app.add_middleware(BodyLimit)
    access.install(app, settings)
    metrics.install(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type", "Accept"],
            expose_headers=[
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "Match-Records-Limit",
                "Match-Records-Remaining",
                "Match-Records-Reset",
                "Retry-After",
            ],
            max_age=600,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never a stack trace to the client; the server log has it.
        return JSONResponse(
            {"type": "about:blank", "title": "Internal Server Error", "status": 500},
            status_code=500,
            media_type="application/problem+json",
        )

    # The web console at `/`: it answers only what no route does.
    console.install(app)
    return app


def create_app_from_environ() -> FastAPI:
    """Entry point for `nsai serve` (uvicorn factory): settings from the process environment."""
    settings = Settings.from_environ()
    configure_logging(settings.log_level)
    return create_app(settings)
