"""`nsai lookup` and `nsai search`: the read side (nsai.query) that the API serves, on the
command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.engine import Connection

from nsai.cli.context import settings_of
from nsai.db.engine import make_engine
from nsai.db.migrate import require_current
from nsai.query import lookup as lookups
from nsai.query import search as searches
from nsai.query.limits import DEFAULT_RANKED, MAX_RANKED
from nsai.query.models import Address


@contextmanager
def _connection(ctx: typer.Context) -> Iterator[Connection]:
    engine = make_engine(settings_of(ctx), pool_size=1)
    try:
        require_current(engine)
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _describe(record: Address) -> list[str]:
    custodian = record.custodian
    point = record.location
    return [
        f"UPRN {record.uprn} ({record.status})",
        record.single_line,
        f"classification {record.classification or '-'}, logical status "
        f"{record.logical_status or '-'}, custodian "
        + (f"{custodian.code} {custodian.name}" if custodian else "-"),
        (
            f"at {point.x:.2f},{point.y:.2f} (EPSG:27700), {point.lon:.6f},{point.lat:.6f} (WGS84)"
            if point
            else "no coordinates"
        ),
        f"{record.source_count} source records, version {record.version}, last changed "
        f"{record.last_changed:%Y-%m-%d %H:%M:%S %Z}",
    ]


def lookup(
    ctx: typer.Context,
    uprn: int = typer.Argument(..., help="A UPRN; a merged-away one or an alias is followed."),
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON."),
) -> None:
    """The national record of a UPRN."""
    with _connection(ctx) as conn:
        found = lookups.address(conn, uprn)
        if isinstance(found, lookups.Moved):
            typer.echo(f"UPRN {uprn} resolves to UPRN {found.successor}", err=True)
            found = lookups.address(conn, found.successor)
    # A successor is never merged itself: `successor` follows the chain to its end.
    assert isinstance(found, Address)
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    for line in _describe(found):
        typer.echo(line)


def search(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="What to look for, free text."),
    limit: int = typer.Option(DEFAULT_RANKED, min=1, max=MAX_RANKED, help="Results."),
    classification: str | None = typer.Option(None, help="A classification code; RD* for any RD."),
    custodian: int | None = typer.Option(None, help="Local custodian code of a council."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Active addresses best answering TEXT, with their score (0-1) and what matched."""
    narrowed = searches.filters(classification, custodian)
    with _connection(ctx) as conn:
        page = searches.search(conn, text, narrowed, limit)
    if as_json:
        typer.echo(json.dumps([hit.model_dump(mode="json") for hit in page.data], indent=2))
        return
    if not page.data:
        typer.echo(f"nothing found for {page.query!r}")
    for hit in page.data:
        typer.echo(f"{hit.score:.4f}  {hit.uprn:>12}  {hit.single_line}  [{hit.match}]")
