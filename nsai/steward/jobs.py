"""Reconciliation jobs for stewards: start one (a `nsai reconcile` process of its own, so the
API never runs a job inside a web worker), watch its stage, read past runs, cancel one. One job
at a time: the job's own lock decides, and a second start is refused naming the running one."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from typing import Any, Final

from pydantic import BaseModel
from sqlalchemy.engine import Engine

from nsai.config import Settings
from nsai.db.queries import execute
from nsai.match.job import LOCK_KEY
from nsai.query.errors import BadInput, NotFound
from nsai.steward.work import Conflict

JOBS: Final = "steward/jobs.sql"
STARTING_SECONDS: Final = 20.0  # how long a start waits for the job to show itself
MAX_WORKERS: Final = 8


class Job(BaseModel):
    run_id: int
    status: str  # running, done, failed, cancelled
    stage: str | None
    started_at: datetime
    finished_at: datetime | None
    started_by: str
    workers: int
    report: dict[str, Any]
    message: str | None


def _rows(engine: Engine, section: str, **params: Any) -> list[dict[str, Any]]:
    with engine.begin() as conn:  # committed: a cancel is a write
        return execute(conn, JOBS, section, returning=dict, **params)


def jobs(engine: Engine, limit: int = 20) -> list[Job]:
    if not 1 <= limit <= 200:
        raise BadInput("limit", "1 to 200")
    return [Job(**row) for row in _rows(engine, "runs", run=None, limit=limit)]


def job(engine: Engine, run_id: int) -> Job:
    found = _rows(engine, "runs", run=run_id, limit=1)
    if not found:
        raise NotFound(f"there is no run {run_id}")
    return Job(**found[0])


def running(engine: Engine) -> Job | None:
    """The run holding the job's lock, if any."""
    free = _rows(engine, "probe", key=LOCK_KEY)[0]["free"]
    if free:
        return None
    latest = [j for j in jobs(engine, 5) if j.status == "running"]
    return latest[0] if latest else None


def start(engine: Engine, settings: Settings, workers: int, actor: str) -> Job:
    """Start a reconcile job as its own process; the new run, once it shows itself."""
    if not 1 <= workers <= MAX_WORKERS:
        raise BadInput("workers", f"1 to {MAX_WORKERS}")
    busy = running(engine)
    if busy is not None:
        raise Conflict(_busy(busy))
    latest = _rows(engine, "latest")[0]["latest"]
    command = [sys.executable, "-m", "nsai.cli", "reconcile", "--workers", str(workers)]
    # The job's errors go to a file with no name (gone when both sides close it): read only if
    # it ends before its run begins.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*command, "--started-by", actor],
            # The settings this API runs with, and the PATH that finds PostgreSQL's tools.
            env=settings.as_environ() | {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # not killed with the web worker that started it
        )
        threading.Thread(target=process.wait, daemon=True).start()  # reaped when it ends
        deadline = time.monotonic() + STARTING_SECONDS
        while time.monotonic() < deadline:
            started = [j for j in jobs(engine, 5) if j.run_id > latest and j.started_by == actor]
            if started:
                return started[-1]
            if process.poll() is not None:
                log.seek(0)
                said = log.read().decode(errors="replace").strip().splitlines()
                reason = said[-1] if said else f"exit code {process.returncode}"
                if "already running" in reason:
                    raise Conflict(reason.removeprefix("nsai: error: "))
                raise NotStarted(f"the job did not start: {reason}")
            time.sleep(0.1)
    raise NotStarted(f"the job did not show itself within {STARTING_SECONDS:.0f} s")


class NotStarted(Exception):
    """The job's process ended before its run began, or never began one."""


def cancel(engine: Engine, run_id: int) -> Job:
    """Ask the run to stop: it ends as cancelled, having published nothing."""
    current = job(engine, run_id)
    if current.status != "running":
        raise Conflict(f"run {run_id} is {current.status}: there is nothing to cancel")
    _rows(engine, "cancel", run=run_id, key=LOCK_KEY)
    return job(engine, run_id)


def _busy(busy: Job) -> str:
    return (
        f"a reconcile is already running: run {busy.run_id}, started "
        f"{busy.started_at:%Y-%m-%d %H:%M:%S} by {busy.started_by}"
        + (f", now at {busy.stage}" if busy.stage else "")
    )
