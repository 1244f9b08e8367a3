"""`nsai export`: the national records or their lineage, written to a file."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import typer
from sqlalchemy import select

from nsai.cli.context import engine_of, settings_of
from nsai.db import tables
from nsai.db.queries import statements
from nsai.errors import NsaiError

export_app = typer.Typer(
    help="Write the national records or their lineage to a file.", no_args_is_help=True
)
ADDRESS_FORMATS = {".csv": None, ".geojson": "GeoJSON", ".gpkg": "GPKG", ".parquet": None}
# An export of the national records: every column of national_address, in this order, but its
# status (all are active), successor (none has one) and creation time.
_NATIONAL = tables.national_address
_ACTIVE = (
    select(*(_NATIONAL.c[name] for name in (
        "uprn", "single_line", "organisation", *tables.NUMBERED, "street",
        "locality", "town", "postcode", "classification", "logical_status", "custodian_code",
        "parent_uprn", "usrn", "rpc", "source_count", "version", "updated_at", "geom",
    )))
    .where(_NATIONAL.c.status == "active")
    .order_by(_NATIONAL.c.uprn)
)  # fmt: skip


def _writable(out: Path) -> None:
    """Refuse a path that cannot be written before reading anything from the database."""
    if out.is_dir():
        raise NsaiError(f"{out}: is a directory; give a file name")
    if not out.parent.is_dir():
        raise NsaiError(f"{out.parent}: no such directory")
    if not os.access(out.parent, os.W_OK):
        raise NsaiError(f"{out.parent}: not writable")


@export_app.command("links")
def export_links(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The CSV file to write."),
) -> None:
    """One row per loaded source record: source,source_ref,national_uprn,score,decision."""
    _writable(out)
    (query,) = statements("match/export.sql")["links"]
    scratch = out.with_name(out.name + ".part")
    rows = 0
    try:
        with (
            engine_of(settings_of(ctx), current=False) as engine,
            engine.connect() as conn,
            scratch.open("w", newline="") as handle,
        ):
            writer = csv.writer(handle)
            writer.writerow(["source", "source_ref", "national_uprn", "score", "decision"])
            for row in conn.exec_driver_sql(query).yield_per(10_000):
                writer.writerow(["" if v is None else v for v in row])
                rows += 1
        scratch.replace(out)
    finally:
        scratch.unlink(missing_ok=True)
    typer.echo(f"wrote {rows:,} links to {out}")


@export_app.command("addresses")
def export_addresses(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The file: .csv, .geojson, .gpkg or .parquet."),
) -> None:
    """The active national records, with points in British National Grid."""
    import geopandas as gpd

    suffix = out.suffix.lower()
    if suffix not in ADDRESS_FORMATS:
        raise NsaiError(f"{out}: write .csv, .geojson, .gpkg or .parquet")
    _writable(out)
    with engine_of(settings_of(ctx), current=False) as engine, engine.connect() as conn:
        frame = gpd.read_postgis(_ACTIVE, conn, geom_col="geom", crs="EPSG:27700")
    scratch = out.with_name(out.name + ".part" + suffix)
    try:
        if suffix == ".csv":
            frame.assign(x=frame.geometry.x, y=frame.geometry.y).drop(columns="geom").to_csv(
                scratch, index=False
            )
        elif suffix == ".parquet":
            frame.to_parquet(scratch)
        else:
            frame.to_file(scratch, driver=ADDRESS_FORMATS[suffix])
        scratch.replace(out)
    finally:
        scratch.unlink(missing_ok=True)
    typer.echo(f"wrote {len(frame):,} national records to {out}")
