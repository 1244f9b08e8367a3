"""`nsai lookup` and `nsai search`: the read side (nsai.query) that the API serves, on the
command line."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer

from loaders.files import csv_rows, inspect
from nsai.cli.context import engine_of, settings_of
from nsai.errors import NsaiError
from nsai.query import lookup as lookups
from nsai.query import search as searches
from nsai.query.limits import DEFAULT_RANKED, MAX_RANKED
from nsai.query.models import Address

T = TypeVar("T")


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
    with engine_of(settings_of(ctx)) as engine, engine.connect() as conn:
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
    with engine_of(settings_of(ctx)) as engine, engine.connect() as conn:
        page = searches.search(conn, text, narrowed, limit)
    if as_json:
        typer.echo(json.dumps([hit.model_dump(mode="json") for hit in page.data], indent=2))
        return
    if not page.data:
        typer.echo(f"nothing found for {page.query!r}")
    for hit in page.data:
        typer.echo(f"{hit.score:.4f}  {hit.uprn:>12}  {hit.single_line}  [{hit.match}]")


def match(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A CSV of addresses, with a header row."),
    out: Path = typer.Option(..., "--out", help="Where to write id,uprn,score,address (CSV)."),
    id_column: str = typer.Option("id", help="The column of each row's id."),
    address_column: str = typer.Option("address", help="The column of the one-line address."),
    postcode_column: str | None = typer.Option(None, help="A postcode column, if kept apart."),
) -> None:
    """Match a CSV of messy addresses to UPRNs, as POST /v1/match does: a UPRN only where one
    property is the likely answer, else an empty uprn."""
    from nsai.query import bulk  # it reads the weights that score (NSAI_MATCH_WEIGHTS)

    files = inspect([path], "csv")
    assert files.encoding is not None
    rows = csv_rows(path, files.encoding)
    header = next((fields for _, fields, _ in rows), None)
    if header is None:
        raise NsaiError(f"{path} is empty: nothing to match")
    wanted = [c for c in (id_column, address_column, postcode_column) if c is not None]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise NsaiError(
            f"{path} has no column {', '.join(map(repr, missing))} (it has {', '.join(header)})"
        )
    where = {name: header.index(name) for name in wanted}
    settings = settings_of(ctx)
    matched = total = 0
    with engine_of(settings) as engine, engine.connect() as conn, _written(out) as writer:
        writer.writerow(["id", "uprn", "score", "address"])
        for chunk in _chunks(rows, bulk.MAX_RECORDS):
            queries = [
                bulk.Query(
                    _field(fields, where[id_column]),
                    _field(fields, where[address_column]),
                    _field(fields, where[postcode_column]) if postcode_column else None,
                )
                for _, fields, _ in chunk
            ]
            for result in bulk.match(
                conn, queries, settings.bulk_match_threshold, settings.review_threshold
            ):
                writer.writerow([result.id, result.uprn or "", result.score, result.address or ""])
                matched += result.uprn is not None
            total += len(queries)
    typer.echo(f"matched {matched:,} of {total:,} addresses to a UPRN; wrote {out}")


def _field(fields: list[str], index: int) -> str:
    return fields[index] if index < len(fields) else ""


def _chunks(rows: Iterator[T], size: int) -> Iterator[list[T]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


@contextmanager
def _written(out: Path) -> Iterator[Any]:
    """A CSV writer on a temporary file renamed to `out` only when every row is written."""
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", newline="", encoding="utf-8") as handle:
            yield csv.writer(handle)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
