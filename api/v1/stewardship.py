"""The steward routes (scope `steward`): the review queue, corrections and their undo, the
audit log, and reconciliation jobs. The caller's API key name is the actor in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from api.access import Principal, require
from api.errors import PROBLEM_RESPONSES
from api.lookup_cache import LookupCache
from api.problems import Problem
from api.v1.common import BIGINT_MAX, RowId
from nsai.match.national import EditableField
from nsai.steward import audit, corrections, jobs, review
from nsai.steward.work import Conflict

router = APIRouter(prefix="/v1", tags=["stewardship"], responses=PROBLEM_RESPONSES)
Reason = Annotated[str | None, Field(default=None, max_length=1000, description="Why.")]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The state changed since it was read, or does not allow it."}
}


@contextmanager
def _conflict_is_409() -> Iterator[None]:
    try:
        yield
    except Conflict as exc:
        raise Problem(409, str(exc)) from None
    except jobs.NotStarted as exc:
        raise Problem(503, str(exc)) from None


# The steward scope itself is required where the router is included (api/app.py); `Actor` asks
# for the same dependency (one per scope, api/access.py), which runs once a request. Both are
# async so that they run on the event loop, not through the thread pool.
async def _actor(principal: Annotated[Principal, Depends(require("steward"))]) -> str:
    return principal.name or "anonymous"


async def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.writes
    return engine


Actor = Annotated[str, Depends(_actor)]
Writes = Annotated[Engine, Depends(_engine)]


class OperationDone(BaseModel):
    operation_id: int
    kind: str
    uprns: list[int] = Field(description="The national records it changed.")
    message: str


def _done(request: Request, done: corrections.Done) -> OperationDone:
    _forget_lookups(request)
    return OperationDone(
        operation_id=done.operation_id, kind=done.kind, uprns=done.uprns, message=done.message
    )


def _forget_lookups(request: Request) -> None:
    """After a correction: this worker's lookups answer it at once (the others forget theirs
    when the database notifies them, api/lookup_cache.py)."""
    lookups: LookupCache = request.app.state.lookups
    lookups.forget()


# --- the review queue --------------------------------------------------------------------------


@router.get("/review", response_model=review.ReviewPage)
def review_queue(
    engine: Writes,
    status: Annotated[
        list[Literal["open", "deferred", "accepted", "rejected", "closed"]] | None,
        Query(description="Statuses to list (repeat the parameter); open and deferred if none."),
    ] = None,
    source: Annotated[
        str | None, Query(max_length=100, description="Either record's source.")
    ] = None,
    custodian: Annotated[
        int | None, Query(ge=1, le=9999, description="Either record's council.")
    ] = None,
    postcode_area: Annotated[str | None, Query(max_length=2, description="`OX`, `B`.")] = None,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    max_score: Annotated[float, Query(ge=0, le=1)] = 1.0,
    limit: Annotated[int, Query(ge=1, le=review.MAX_PAGE)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=20, description="`next_cursor` of the last page.")
    ] = None,
) -> review.ReviewPage:
    """Uncertain pairs with both records side by side, and the queue's counts."""
    return review.queue(
        engine,
        status=status or ("open", "deferred"),
        source=source,
        custodian=custodian,
        postcode_area=postcode_area,
        min_score=min_score,
        max_score=max_score,
        limit=limit,
        cursor=cursor,
    )


@router.get("/review/{review_id}", response_model=review.ReviewItem)
def review_item(engine: Writes, review_id: RowId) -> review.ReviewItem:
    """One item: both records (every part, source, status, point), their distance, the score and
    each comparison's contribution."""
    return review.item(engine, review_id)


class DecisionIn(BaseModel):
    decision: Literal["accept", "reject", "defer"]
    version: int | None = Field(
        default=None, ge=1, description="The item's version as read: a stale one is a 409."
    )
    reason: Reason


class DecisionOut(BaseModel):
    review: review.ReviewItem
    operation_id: int


@router.post("/review/{review_id}/decision", response_model=DecisionOut, responses=CONFLICT)
def decide(
    request: Request, engine: Writes, actor: Actor, review_id: RowId, body: DecisionIn
) -> DecisionOut:
    """Accept (merge the two national records now), reject (never propose the pair again) or
    defer. Applied at once and in the change feed; two stewards on one item: one wins, the other
    gets a 409."""
    with _conflict_is_409():
        done = review.decide(engine, review_id, body.decision, body.version, actor, body.reason)
    _forget_lookups(request)
    return DecisionOut(review=review.item(engine, review_id), operation_id=done.operation_id)


# --- corrections -------------------------------------------------------------------------------


class MergeIn(BaseModel):
    uprn: int = Field(ge=1, le=999_999_999_999, description="Merged away: resolves to `into`.")
    into: int = Field(ge=1, le=999_999_999_999, description="The survivor.")
    reason: Reason
    versions: dict[int, int] | None = Field(
        default=None, description="UPRN -> version as read; a stale one is a 409."
    )


class SplitIn(BaseModel):
    source: str = Field(min_length=1, max_length=100)
    source_ref: str = Field(min_length=1, max_length=200)
    to: int | None = Field(
        default=None, ge=1, le=999_999_999_999, description="An existing UPRN; a new one if none."
    )
    reason: Reason


class RetireIn(BaseModel):
    uprn: int = Field(ge=1, le=999_999_999_999)
    reason: Reason


class EditIn(BaseModel):
    uprn: int = Field(ge=1, le=999_999_999_999)
    field: EditableField
    value: str | int | dict[str, float] | None = Field(
        description="Text; a logical status; a location {x, y} in EPSG:27700; or null."
    )
    reason: str = Field(min_length=1, max_length=1000)
    version: int | None = Field(default=None, ge=1, le=BIGINT_MAX)


class UndoIn(BaseModel):
    operation_id: int = Field(ge=1, le=BIGINT_MAX)
    reason: Reason


@router.post("/steward/merge", response_model=OperationDone, responses=CONFLICT)
def merge(request: Request, engine: Writes, actor: Actor, body: MergeIn) -> OperationDone:
    """Merge two national records: `uprn` resolves to `into` for ever."""
    with _conflict_is_409():
        done = corrections.merge(engine, body.uprn, body.into, actor, body.reason, body.versions)
    return _done(request, done)


@router.post("/steward/split", response_model=OperationDone, responses=CONFLICT)
def split(request: Request, engine: Writes, actor: Actor, body: SplitIn) -> OperationDone:
    """Split a source record out of its national record, to a new UPRN or to `to`."""
    with _conflict_is_409():
        done = corrections.split(engine, body.source, body.source_ref, actor, body.reason, body.to)
    return _done(request, done)


@router.post("/steward/retire", response_model=OperationDone, responses=CONFLICT)
def retire(request: Request, engine: Writes, actor: Actor, body: RetireIn) -> OperationDone:
    """Retire a national record; its source records stay with it, out of matching."""
    with _conflict_is_409():
        return _done(request, corrections.retire(engine, body.uprn, actor, body.reason))


@router.post("/steward/edit", response_model=OperationDone, responses=CONFLICT)
def edit(request: Request, engine: Writes, actor: Actor, body: EditIn) -> OperationDone:
    """Set one field by hand, with a reason: no later run overrides it."""
    with _conflict_is_409():
        done = corrections.edit(
            engine, body.uprn, body.field, body.value, actor, body.reason, body.version
        )
    return _done(request, done)


@router.post("/steward/undo", response_model=OperationDone, responses=CONFLICT)
def undo(request: Request, engine: Writes, actor: Actor, body: UndoIn) -> OperationDone:
    """Undo an operation; refused (409, saying which) while a later one depends on it."""
    with _conflict_is_409():
        return _done(request, corrections.undo(engine, body.operation_id, actor, body.reason))


class OperationLog(BaseModel):
    data: list[audit.Operation]


@router.get("/steward/operations", response_model=OperationLog)
def operations(
    engine: Writes,
    uprn: Annotated[int | None, Query(ge=1, le=999_999_999_999)] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE)] = 50,
    before: Annotated[int | None, Query(ge=1, description="Operations before this one.")] = None,
) -> OperationLog:
    """The audit log, newest first: who, when, why, before and after."""
    return OperationLog(data=audit.log(engine, uprn, limit, before))


@router.get("/steward/operations/{operation_id}", response_model=audit.Operation)
def operation(engine: Writes, operation_id: RowId) -> audit.Operation:
    return audit.operation(engine, operation_id)


# --- jobs --------------------------------------------------------------------------------------


class JobList(BaseModel):
    data: list[jobs.Job]


class JobIn(BaseModel):
    workers: int = Field(default=1, ge=1, le=jobs.MAX_WORKERS)


@router.get("/jobs", response_model=JobList)
def job_list(engine: Writes, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> JobList:
    """Reconciliation runs, newest first: status, stage, timings and reports."""
    return JobList(data=jobs.jobs(engine, limit))


@router.get("/jobs/{run_id}", response_model=jobs.Job)
def job_show(engine: Writes, run_id: RowId) -> jobs.Job:
    return jobs.job(engine, run_id)


@router.post("/jobs", response_model=jobs.Job, status_code=202, responses=CONFLICT)
def job_start(request: Request, engine: Writes, actor: Actor, body: JobIn) -> jobs.Job:
    """Start a reconciliation job; a 409 names the job already running."""
    with _conflict_is_409():
        return jobs.start(engine, request.app.state.settings, body.workers, actor)


@router.post("/jobs/{run_id}/cancel", response_model=jobs.Job, status_code=202, responses=CONFLICT)
def job_cancel(engine: Writes, run_id: RowId) -> jobs.Job:
    """Cancel a running job: it ends as cancelled and the national tables stay as they were."""
    with _conflict_is_409():
        return jobs.cancel(engine, run_id)
