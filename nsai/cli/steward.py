"""`nsai review …`, `nsai steward …` and `nsai jobs …`: the stewards' work on the command line,
through the same functions as the API's steward routes (nsai/steward)."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from typing import Any, TypeVar, get_args

import typer
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from nsai.cli.context import engine_of, settings_of
from nsai.errors import NsaiError
from nsai.match.national import EditableField
from nsai.steward import audit, corrections, jobs, review
from nsai.steward.corrections import Done

review_app = typer.Typer(
    help="The review queue: list, show, accept, reject, defer.", no_args_is_help=True
)
steward_app = typer.Typer(
    help="Corrections: merge, split, retire, edit, undo; the audit log.", no_args_is_help=True
)
jobs_app = typer.Typer(
    help="Reconciliation jobs: list, show, cancel (start: nsai reconcile).", no_args_is_help=True
)

AS = typer.Option("", "--as", help="Who does it, for the audit log (default: cli:USER).")
REASON = typer.Option(None, "--reason", help="Why, for the audit log.")
JSON = typer.Option(False, "--json", help="Print JSON.")
T = TypeVar("T")
_FIELDS = get_args(EditableField)  # in order (EDITABLE is a set)


def _run(ctx: typer.Context, action: Callable[[Engine], T]) -> T:
    with engine_of(settings_of(ctx)) as engine:
        return action(engine)


def _actor(given: str) -> str:
    return given or f"cli:{getpass.getuser()}"


def _said(done: Done) -> None:
    typer.echo(f"operation {done.operation_id}: {done.message}")


def _json(value: BaseModel | list[Any]) -> str:
    if isinstance(value, BaseModel):
        return value.model_dump_json(indent=2)
    return json.dumps([v.model_dump(mode="json") for v in value], indent=2)


# --- review ------------------------------------------------------------------------------------


@review_app.command("list")
def review_list(
    ctx: typer.Context,
    status: list[str] = typer.Option(["open", "deferred"], help="Statuses (repeat)."),
    source: str | None = typer.Option(None, help="Either record's source."),
    custodian: int | None = typer.Option(None, help="Either record's council."),
    postcode_area: str | None = typer.Option(None, help="Postcode area letters (OX)."),
    min_score: float = typer.Option(0.0, min=0, max=1),
    max_score: float = typer.Option(1.0, min=0, max=1),
    limit: int = typer.Option(50, min=1, max=review.MAX_PAGE),
    as_json: bool = JSON,
) -> None:
    """Uncertain pairs, with the queue's counts."""
    page = _run(
        ctx,
        lambda e: review.queue(
            e,
            status=status,
            source=source,
            custodian=custodian,
            postcode_area=postcode_area,
            min_score=min_score,
            max_score=max_score,
            limit=limit,
        ),
    )
    if as_json:
        typer.echo(_json(page))
        return
    typer.echo(f"{page.counts['open']:,} open, {page.counts['deferred']:,} deferred")
    for item in page.data:
        a, b = item.record_a, item.record_b
        typer.echo(
            f"{item.review_id:>7}  {item.score:.3f}  {item.status:<8}  "
            f"{a.source}:{a.source_ref} ~ {b.source}:{b.source_ref}"
        )


@review_app.command("show")
def review_show(ctx: typer.Context, review_id: int, as_json: bool = JSON) -> None:
    """Both records side by side, their distance, the score and each comparison's part."""
    item = _run(ctx, lambda e: review.item(e, review_id))
    if as_json:
        typer.echo(_json(item))
        return
    typer.echo(
        f"review {item.review_id} ({item.status}, version {item.version}): score "
        f"{item.score:.4f}" + (f", {item.distance_m} m apart" if item.distance_m else "")
    )
    for side in (item.record_a, item.record_b):
        where = f" at {side.location.x:.0f},{side.location.y:.0f}" if side.location else ""
        typer.echo(
            f"  {side.source}:{side.source_ref} (UPRN {side.uprn}): "
            + ", ".join(
                str(v)
                for v in (
                    side.organisation,
                    side.sao.text,
                    side.sao.start_number,
                    side.pao.text,
                    side.pao.start_number,
                    side.street,
                    side.locality,
                    side.town,
                    side.postcode,
                )
                if v not in (None, "")
            )
            + f" [{side.classification or '-'}]{where}"
        )
    for name, part in item.explanation.items():
        typer.echo(f"    {name:<15} {part.level:<14} {part.bits:+.1f}")


def _decide(decision: review.Decision) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        review_id: int,
        reason: str | None = REASON,
        version: int | None = typer.Option(None, help="The version you read (else current)."),
        actor: str = AS,
    ) -> None:
        _said(
            _run(
                ctx, lambda e: review.decide(e, review_id, decision, version, _actor(actor), reason)
            )
        )

    command.__doc__ = {
        "accept": "Accept: the two national records become one, now.",
        "reject": "Reject: the pair stays apart, and is never proposed again.",
        "defer": "Defer: put the item aside.",
    }[decision]
    return command


for _decision in ("accept", "reject", "defer"):
    review_app.command(_decision)(_decide(_decision))


# --- corrections -------------------------------------------------------------------------------


@steward_app.command("merge")
def merge(
    ctx: typer.Context,
    uprn: int = typer.Argument(..., help="Merged away: resolves to --into for ever."),
    into: int = typer.Option(..., "--into", help="The surviving UPRN."),
    reason: str | None = REASON,
    actor: str = AS,
) -> None:
    """Merge two national records."""
    _said(_run(ctx, lambda e: corrections.merge(e, uprn, into, _actor(actor), reason)))


@steward_app.command("split")
def split(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="The record's source name."),
    source_ref: str = typer.Argument(..., help="The record's id in its source."),
    to: int | None = typer.Option(None, "--to", help="An existing UPRN; a new one if not given."),
    reason: str | None = REASON,
    actor: str = AS,
) -> None:
    """Split a source record out of its national record."""
    _said(_run(ctx, lambda e: corrections.split(e, source, source_ref, _actor(actor), reason, to)))


@steward_app.command("retire")
def retire(ctx: typer.Context, uprn: int, reason: str | None = REASON, actor: str = AS) -> None:
    """Retire a national record (its records stay with it, out of matching)."""
    _said(_run(ctx, lambda e: corrections.retire(e, uprn, _actor(actor), reason)))


@steward_app.command("edit")
def edit(
    ctx: typer.Context,
    uprn: int,
    field: str = typer.Argument(..., help=f"{', '.join(_FIELDS[:-1])} or {_FIELDS[-1]}."),
    value: str = typer.Argument(..., help='The value; a location as "X,Y"; "" for none.'),
    reason: str = typer.Option(..., "--reason", help="Why (required)."),
    actor: str = AS,
) -> None:
    """Set one field of a national record by hand; no later run overrides it."""
    parsed = _value(field, value)
    _said(_run(ctx, lambda e: corrections.edit(e, uprn, field, parsed, _actor(actor), reason)))


def _value(field: str, value: str) -> Any:
    if value == "":
        return None
    if field == "logical_status":
        if not value.isdigit():
            raise NsaiError("a logical status is 1, 5, 6, 7, 8 or 9")
        return int(value)
    if field == "location":
        try:
            x, y = (float(v) for v in value.split(","))
        except ValueError:
            raise NsaiError('a location is "EASTING,NORTHING" in EPSG:27700') from None
        return {"x": x, "y": y}
    return value


@steward_app.command("undo")
def undo(
    ctx: typer.Context, operation_id: int, reason: str | None = REASON, actor: str = AS
) -> None:
    """Undo an operation (refused while a later one depends on it)."""
    _said(_run(ctx, lambda e: corrections.undo(e, operation_id, _actor(actor), reason)))


@steward_app.command("log")
def log(
    ctx: typer.Context,
    uprn: int | None = typer.Option(None, help="Only operations on this UPRN."),
    limit: int = typer.Option(50, min=1, max=audit.MAX_PAGE),
    as_json: bool = JSON,
) -> None:
    """The audit log, newest first."""
    found = _run(ctx, lambda e: audit.log(e, uprn, limit))
    if as_json:
        typer.echo(_json(found))
        return
    for op in found:
        undone = f" (undone by {op.undone_by})" if op.undone_by else ""
        typer.echo(
            f"{op.operation_id:>6}  {op.created_at:%Y-%m-%d %H:%M:%S}  {op.kind:<7} "
            f"{op.actor:<16} {op.reason or ''}{undone}"
        )


# --- jobs --------------------------------------------------------------------------------------


@jobs_app.command("list")
def jobs_list(
    ctx: typer.Context, limit: int = typer.Option(20, min=1, max=200), as_json: bool = JSON
) -> None:
    """Reconciliation runs, newest first."""
    found = _run(ctx, lambda e: jobs.jobs(e, limit))
    if as_json:
        typer.echo(_json(found))
        return
    for run in found:
        typer.echo(
            f"{run.run_id:>5}  {run.status:<9} {run.stage or '':<8} "
            f"{run.started_at:%Y-%m-%d %H:%M:%S}  by {run.started_by}"
            + (f"  {run.message}" if run.message else "")
        )


@jobs_app.command("show")
def jobs_show(ctx: typer.Context, run_id: int) -> None:
    """One run, with its report."""
    typer.echo(_json(_run(ctx, lambda e: jobs.job(e, run_id))))


@jobs_app.command("cancel")
def jobs_cancel(ctx: typer.Context, run_id: int) -> None:
    """Cancel a running job: it publishes nothing."""
    run = _run(ctx, lambda e: jobs.cancel(e, run_id))
    typer.echo(f"run {run.run_id}: cancel asked for; it ends as cancelled")
