"""Liveness and readiness."""

from __future__ import annotations

import logging

import psycopg
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from nsai.db import migrate as migrations
from nsai.errors import NsaiError
from nsai.query.lookup import published

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The database is reachable, its schema is up to date and national records are published."""
    engine: Engine = request.app.state.writes
    has_data = False
    try:
        states = migrations.status(engine)
        pending = [s.migration.label for s in states if s.applied_at is None]
        if not pending:
            with engine.connect() as conn:
                has_data = published(conn)
    except (DBAPIError, PoolTimeout, psycopg.Error, NsaiError):
        # The reason stays in the server's log: its text names hosts, users and databases.
        log.warning("not ready: the database is unavailable", exc_info=True)
        return _not_ready("the database is unavailable")
    if pending:
        return _not_ready(f"migrations pending: {', '.join(pending)}")
    if not has_data:
        return _not_ready("no national records are published yet: run `nsai reconcile`")
    return JSONResponse({"status": "ready", "migrations": len(states)})


def _not_ready(detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": "Not Ready", "status": 503, "detail": detail},
        status_code=503,
        media_type="application/problem+json",
    )
