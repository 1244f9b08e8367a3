"""The ceiling of bench/bench_api.py: a bare FastAPI app returning a constant JSON, served by
uvicorn exactly as `nsai serve` serves NSAI (same uvicorn, workers and log level), so that what
NSAI adds on top of the framework and the server is visible.

    python -m uvicorn ceiling_app:app --app-dir bench --workers 2
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()
CONSTANT = {"uprn": 100000000001, "status": "active"}


@app.get("/async")
async def constant_async() -> dict[str, object]:
    """The ceiling: no thread hop, no database."""
    return CONSTANT


@app.get("/sync")
def constant_sync() -> dict[str, object]:
    """The same in a plain function, which FastAPI runs in its thread pool (NSAI's routes are
    async and hand their database work to a thread pool of their own, api/database.py)."""
    return CONSTANT


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
