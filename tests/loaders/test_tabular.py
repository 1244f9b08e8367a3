"""Address lists: CSV, GeoJSON, GeoPackage, Shapefile and Parquet, each CRS path, and refusals."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyproj import Transformer
from shapely.geometry import Point, Polygon

from loaders import tabular
from tests.conftest import CliRunner
from tests.loaders.conftest import load_args, query, scalar, snapshot

# A point in Westminster, in British National Grid, and the same place in WGS84.
BNG_X, BNG_Y = 530034.0, 180381.0
LON, LAT = Transformer.from_crs(27700, 4326, always_xy=True).transform(BNG_X, BNG_Y)


def _ok(result: Any) -> str:
    assert result.code == 0, result.err
    return str(result.out)


def _assert_at_reference_point(record: dict[str, Any]) -> None:
    """The record landed on the reference point, in British National Grid, to the centimetre."""
    assert record["srid"] == 27700
    assert abs(record["x"] - BNG_X) < 0.01
    assert abs(record["y"] - BNG_Y) < 0.01


def _records(db_url: str) -> dict[str, dict[str, Any]]:
    rows = query(
        db_url,
        "SELECT source_ref, row_to_json(r), ST_X(geom), ST_Y(geom), ST_SRID(geom) "
        "FROM source_record r WHERE removed_batch_id IS NULL",
    )
    return {r[0]: dict(r[1]) | {"x": r[2], "y": r[3], "srid": r[4]} for r in rows}


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_council_tax_list_without_coordinates(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path, manifest: dict[str, Any]
) -> None:
    source = next(s for s in manifest["sources"] if s["name"] == "ctax")
    out = _ok(cli(*load_args(region, source), environ=environ))
    assert f"{source['records']:,} loaded, 0 quarantined" in out
    records = _records(db_url)
    assert len(records) == source["records"]
    assert all(r["geom"] is None for r in records.values())
    assert sum(1 for r in records.values() if r["street_key"]) >= 0.95 * len(records)
    assert sum(1 for r in records.values() if r["pao_key"] or r["building_key"]) >= 0.95 * len(
        records
    )


def test_a_wgs84_geojson_list_lands_in_british_national_grid(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path, manifest: dict[str, Any]
) -> None:
    source = next(s for s in manifest["sources"] if s["name"] == "fire")
    _ok(cli(*load_args(region, source), environ=environ))
    records = _records(db_url)
    assert len(records) == source["records"]
    features = json.loads((region / source["file"]).read_text())["features"]
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    for feature in features[:20]:
        x, y = to_bng.transform(*feature["geometry"]["coordinates"])
        record = records[feature["properties"]["id"]]
        assert record["srid"] == 27700
        assert abs(record["x"] - x) < 0.01
        assert abs(record["y"] - y) < 0.01


@pytest.mark.parametrize(
    ("header", "row", "options"),
    [
        (
            "ref,address,x,y",
            f'A1,"12 Mill Lane, Oldtown",{BNG_X},{BNG_Y}',
            ["--x-column", "x", "--y-column", "y"],
        ),
        (
            "ref,address,lon,lat",
            f'A1,"12 Mill Lane, Oldtown",{LON},{LAT}',
            ["--lon-column", "lon", "--lat-column", "lat"],
        ),
        (
            "ref,address,e,n",
            f'A1,"12 Mill Lane, Oldtown",{BNG_X},{BNG_Y}',
            ["--x-column", "e", "--y-column", "n", "--crs", "EPSG:27700"],
        ),
    ],
)
def test_coordinate_columns_in_either_system(
    cli: CliRunner,
    environ: dict[str, str],
    db_url: str,
    tmp_path: Path,
    header: str,
    row: str,
    options: list[str],
) -> None:
    path = _csv(tmp_path / "list.csv", f"{header}\n{row}\n")
    _ok(
        cli(
            "load",
            str(path),
            "--source",
            "list",
            "--id-column",
            "ref",
            "--address-columns",
            "address",
            *options,
            environ=environ,
        )
    )
    record = _records(db_url)["A1"]
    _assert_at_reference_point(record)
    assert (record["pao_start_number"], record["street"]) == (12, "MILL LANE")


# The columns of _frame, and coordinate columns by their usual names.
FRAME_MAPPING = ["--id-column", "uid", "--pao-column", "house", "--street-column", "road"]
LON_LAT = ["--lon-column", "lon", "--lat-column", "lat"]


def _frame(crs: int) -> gpd.GeoDataFrame:
    points = gpd.GeoSeries([Point(BNG_X, BNG_Y)], crs=27700).to_crs(crs)
    return gpd.GeoDataFrame(
        {
            "uid": ["G1"],
            "org": ["Red Lion"],
            "house": ["12A"],
            "road": ["Mill Ln"],
            "town": ["Oldtown"],
            "pc": ["ab12cd"],
        },
        geometry=points,
        crs=crs,
    )


@pytest.mark.parametrize(
    ("suffix", "crs", "fmt"),
    [("gpkg", 3857, "GPKG"), ("shp", 27700, "ESRI Shapefile"), ("geojson", 4326, "GeoJSON")],
)
def test_spatial_files_in_their_own_crs_with_structured_columns(
    cli: CliRunner,
    environ: dict[str, str],
    db_url: str,
    tmp_path: Path,
    suffix: str,
    crs: int,
    fmt: str,
) -> None:
    path = tmp_path / f"list.{suffix}"
    _frame(crs).to_file(path, driver=fmt)
    _ok(
        cli(
            "load",
            str(path),
            "--source",
            "list",
            *FRAME_MAPPING,
            "--organisation-column",
            "org",
            "--town-column",
            "town",
            "--postcode-column",
            "pc",
            environ=environ,
        )
    )
    record = _records(db_url)["G1"]
    _assert_at_reference_point(record)
    assert (record["pao_start_number"], record["pao_start_suffix"]) == (12, "A")
    assert (record["organisation"], record["pao_text"]) == ("RED LION", None)
    assert (record["street"], record["town"]) == ("MILL LN", "OLDTOWN")
    assert record["street_key"] == "MILL LANE"
    assert (record["postcode"], record["postcode_valid"]) == ("AB1 2CD", True)


def test_geoparquet_and_plain_parquet(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _frame(4326).to_parquet(tmp_path / "geo.parquet")
    pd.DataFrame(
        {"uid": ["P1"], "address": ["Flat 2, 14 Mill Lane, Oldtown"], "lon": [LON], "lat": [LAT]}
    ).to_parquet(tmp_path / "plain.parquet")
    _ok(
        cli(
            "load",
            str(tmp_path / "geo.parquet"),
            "--source",
            "geo",
            *FRAME_MAPPING,
            environ=environ,
        )
    )
    _ok(
        cli(
            "load",
            str(tmp_path / "plain.parquet"),
            "--source",
            "plain",
            "--id-column",
            "uid",
            "--address-columns",
            "address",
            *LON_LAT,
            environ=environ,
        )
    )
    records = _records(db_url)
    for ref in ("G1", "P1"):
        _assert_at_reference_point(records[ref])
    assert (records["P1"]["sao_key"], records["P1"]["pao_key"]) == ("2", "14")


def test_polygons_are_placed_at_a_point_inside_them(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    square = Polygon(
        [(BNG_X, BNG_Y), (BNG_X + 10, BNG_Y), (BNG_X + 10, BNG_Y + 10), (BNG_X, BNG_Y + 10)]
    )
    gpd.GeoDataFrame(
        {"uid": ["S1"], "address": ["1 Mill Lane"]}, geometry=[square], crs=27700
    ).to_file(tmp_path / "p.gpkg")
    _ok(
        cli(
            "load",
            str(tmp_path / "p.gpkg"),
            "--source",
            "p",
            "--id-column",
            "uid",
            "--address-columns",
            "address",
            environ=environ,
        )
    )
    record = _records(db_url)["S1"]
    assert BNG_X < record["x"] < BNG_X + 10
    assert BNG_Y < record["y"] < BNG_Y + 10


def test_a_yaml_mapping_with_options_overriding_it(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "l.csv", "ref,a1,a2,pc\nR1,3 Church Rd,Newtown,NT1 1AA\n")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("id-column: wrong\naddress-columns: [a1, a2]\npostcode_column: pc\n")
    _ok(
        cli(
            "load",
            str(path),
            "--source",
            "l",
            "--mapping",
            str(mapping),
            "--id-column",
            "ref",
            environ=environ,
        )
    )
    record = _records(db_url)["R1"]
    assert (record["street_key"], record["town"], record["postcode"]) == (
        "CHURCH ROAD",
        "NEWTOWN",
        "NT1 1AA",
    )


def test_bad_rows_are_quarantined_and_the_rest_load(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path / "l.csv",
        "ref,address,x,y\n"
        "R1,1 Mill Lane,530000,180000\n"
        ",2 Mill Lane,530000,180000\n"  # missing id
        "R1,3 Mill Lane,530000,180000\n"  # duplicate id
        "R4,4 Mill Lane,east,north\n"  # unparsable coordinates
        "R5,5 Mill Lane,-5000,180000\n"  # outside Great Britain
        "R6,6 Mill Lane,530000\n"  # a field short
        "R7,,,\n"  # no address
        "R8,8 Mill Lane,,\n",  # no coordinates: fine
    )
    out = _ok(
        cli(
            "load",
            str(path),
            "--source",
            "l",
            "--id-column",
            "ref",
            "--address-columns",
            "address",
            "--x-column",
            "x",
            "--y-column",
            "y",
            environ=environ,
        )
    )
    assert "8 rows read, 2 loaded, 6 quarantined" in out
    reasons = dict(query(db_url, "SELECT line_number, reason FROM quarantine"))
    assert reasons[3].startswith("missing id")
    assert reasons[4] == "duplicate id R1 in one file (first at line 2)"
    assert reasons[5] == "unparsable coordinates 'east', 'north'"
    assert reasons[6] == "coordinates are outside Great Britain"
    assert reasons[7].startswith("wrong field count")
    assert reasons[8].startswith("no address")
    assert set(_records(db_url)) == {"R1", "R8"}


@pytest.mark.parametrize(
    ("name", "content", "args", "message"),
    [
        ("empty.csv", b"", [], "the file is empty"),
        ("binary.csv", bytes(range(256)) * 4, [], "a binary file, not text"),
        ("cp.csv", b"ref,address\nR1,\x81\x8d Mill Lane\n", [], "undecodable bytes at offset 15"),
        ("fmt.csv", b"ref,address\nR1,1 Mill Lane\n", ["--format", "gpkg"], "is not a gpkg file"),
        ("not.geojson", b'{"type": "Nonsense", "x": [1, 2', [], "not a readable geojson file"),
        ("quote.csv", b'ref,address\nR1,"12 Mill Lane\n', [], "unreadable CSV"),
        ("cols.csv", b"ref,addr\nR1,1 Mill Lane\n", [], "names column(s) address that the file"),
        (
            "nomap.csv",
            b"ref,address\nR1,1 Mill Lane\n",
            ["--no-mapping"],
            "--id-column is required",
        ),
        (
            "crs.csv",
            b"ref,address\nR1,1 Mill Lane\n",
            ["--crs", "EPSG:999999"],
            "unknown coordinate",
        ),
    ],
)
def test_unreadable_input_is_one_error_and_changes_nothing(
    cli: CliRunner,
    environ: dict[str, str],
    db_url: str,
    tmp_path: Path,
    name: str,
    content: bytes,
    args: list[str],
    message: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    mapping = (
        []
        if args == ["--no-mapping"]
        else ["--id-column", "ref", "--address-columns", "address", *args]
    )
    before = snapshot(db_url)
    result = cli("load", str(path), "--source", "l", *mapping, environ=environ)
    assert result.code == 1, result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert message in lines[0]
    assert snapshot(db_url) == before


def test_a_list_reloaded_with_changes_keeps_what_is_unchanged(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    args = ["--source", "l", "--id-column", "ref", "--address-columns", "address"]
    first = _csv(
        tmp_path / "a.csv", "ref,address\nR1,1 Mill Lane\nR2,2 Mill Lane\nR3,3 Mill Lane\n"
    )
    _ok(cli("load", str(first), *args, environ=environ))
    second = _csv(
        tmp_path / "b.csv", "ref,address\nR1,1 Mill Lane\nR2,2A Mill Lane\nR4,4 Mill Lane\n"
    )
    out = _ok(cli("load", str(second), *args, environ=environ))
    assert "records: 1 new, 1 changed, 1 removed, 1 unchanged" in out
    assert set(_records(db_url)) == {"R1", "R2", "R4"}
    assert scalar(db_url, "SELECT count(*) FROM source_record") == 5


def test_a_list_cannot_load_into_a_gazetteer_source(
    cli: CliRunner,
    environ: dict[str, str],
    db_url: str,
    tmp_path: Path,
    region: Path,
    manifest: dict[str, Any],
) -> None:
    gazetteer = next(s for s in manifest["sources"] if s["format"] == "dtf73")
    _ok(cli("load", str(region / gazetteer["file"]), "--source", "g", environ=environ))
    path = _csv(tmp_path / "l.csv", "ref,address\nR1,1 Mill Lane\n")
    result = cli(
        "load",
        str(path),
        "--source",
        "g",
        "--id-column",
        "ref",
        "--address-columns",
        "address",
        environ=environ,
    )
    assert result.code == 1
    assert "source 'g' holds gazetteer records" in result.err


def test_the_hand_written_edge_cases_load_whole(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    fixture = Path(__file__).resolve().parents[1] / "data" / "edge_cases"
    manifest = json.loads((fixture / "manifest.json").read_text())
    for source in manifest["sources"]:
        _ok(cli(*load_args(fixture, source, tmp_path), environ=environ))
    assert scalar(db_url, "SELECT count(*) FROM quarantine") == 0
    loaded = dict(
        query(
            db_url,
            "SELECT s.name, count(*) FROM source_record JOIN source s "
            "USING (source_id) GROUP BY s.name",
        )
    )
    assert loaded == {s["name"]: s["records"] for s in manifest["sources"]}


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("latin-1", "Café Row"),
        ("cp1252", "Rose\u2019s Cottage \u2013 Mill Lane"),
        ("utf-8-sig", "Café Row"),
    ],
)
def test_latin1_windows_1252_and_bom_lists_load(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path, encoding: str, text: str
) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes(f'ref,address\nR1,"1 {text}, Oldtown"\n'.encode(encoding))
    _ok(
        cli(
            "load",
            str(path),
            "--source",
            "l",
            "--id-column",
            "ref",
            "--address-columns",
            "address",
            environ=environ,
        )
    )
    assert "1 " + text in _records(db_url)["R1"]["raw_address"]


def test_a_zero_coordinate_is_a_coordinate(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    pd.DataFrame(
        {"uid": ["Z1"], "address": ["1 Mill Lane"], "lon": [0.0], "lat": [51.48]}
    ).to_parquet(tmp_path / "z.parquet")
    _ok(
        cli(
            "load",
            str(tmp_path / "z.parquet"),
            "--source",
            "z",
            "--id-column",
            "uid",
            "--address-columns",
            "address",
            *LON_LAT,
            environ=environ,
        )
    )
    assert _records(db_url)["Z1"]["srid"] == 27700


@pytest.mark.parametrize("workers", ["1", "2"])  # the refusal comes from a worker process
def test_a_shapefile_without_its_crs_needs_crs(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path, workers: str
) -> None:
    _frame(27700).to_file(tmp_path / "n.shp")
    (tmp_path / "n.prj").unlink()
    args = [
        "load",
        str(tmp_path / "n.shp"),
        "--source",
        "n",
        "--workers",
        workers,
        *FRAME_MAPPING,
    ]
    result = cli(*args, environ=environ)
    assert result.code == 1
    assert "its geometry has no coordinate reference system: give --crs" in result.err
    _ok(cli(*args, "--crs", "EPSG:27700", environ=environ))
    _assert_at_reference_point(_records(db_url)["G1"])


def test_a_geopackage_with_several_layers_needs_a_layer(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "two.gpkg"
    _frame(27700).to_file(path, layer="homes")
    _frame(27700).assign(uid=["G2"]).to_file(path, layer="shops")
    args = [
        "load",
        str(path),
        "--source",
        "two",
        *FRAME_MAPPING,
    ]
    result = cli(*args, environ=environ)
    assert result.code == 1
    assert "holds 2 layers (homes, shops): choose one with --layer NAME" in result.err
    _ok(cli(*args, "--layer", "shops", environ=environ))
    assert set(_records(db_url)) == {"G2"}


def test_an_empty_list_may_not_wipe_a_source(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    args = ["--source", "l", "--id-column", "ref", "--address-columns", "address"]
    _ok(
        cli(
            "load",
            str(_csv(tmp_path / "a.csv", "ref,address\nR1,1 Mill Lane\n")),
            *args,
            environ=environ,
        )
    )
    before = snapshot(db_url)
    result = cli("load", str(_csv(tmp_path / "b.csv", "ref,address\n")), *args, environ=environ)
    assert result.code == 1
    assert "yields no records, so loading it would remove all 1 records of source 'l'" in result.err
    assert snapshot(db_url) == before


def test_a_reload_with_another_mapping_is_a_new_load(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "a.csv", "ref,uprn,address\nR1,U1,1 Mill Lane\n")
    base = ["load", str(path), "--source", "l", "--address-columns", "address"]
    _ok(cli(*base, "--id-column", "ref", environ=environ))
    out = _ok(cli(*base, "--id-column", "uprn", environ=environ))
    assert "as batch 2" in out
    assert set(_records(db_url)) == {"U1"}


def test_an_enormous_line_is_refused_without_reading_it_whole(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "l.csv"
    path.write_text("ref,address\nR1," + "x" * 3_000_000 + "\n")
    result = cli(
        "load",
        str(path),
        "--source",
        "l",
        "--id-column",
        "ref",
        "--address-columns",
        "address",
        environ=environ,
    )
    assert result.code == 1
    assert "l.csv line 2: longer than 1,048,576 characters: not an address file" in result.err


def test_a_field_of_a_mebibyte_is_quarantined_naming_its_column(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "l.parquet"  # no line bound in Parquet, unlike CSV
    huge = "12 HIGH STREET, GB" + " " * (1 << 20) + "!"
    pq.write_table(pa.table({"ref": ["R1", "R2"], "address": [huge, "2 Mill Lane"]}), path)
    started = time.monotonic()
    out = _ok(cli("load", str(path), "--source", "l", "--id-column", "ref",
                  "--address-columns", "address", environ=environ))  # fmt: skip
    assert time.monotonic() - started < 10
    assert "2 rows read, 1 loaded, 1 quarantined" in out
    (reason,) = [r for (r,) in query(db_url, "SELECT reason FROM quarantine")]
    assert reason == "address is 1,048,595 characters long: no address field is over 1,000"


def _street_list(path: Path, houses: int, *, x: int = 530000) -> Path:
    rows = [f"R{n},{n} Long Road,{x + n},180000" for n in range(1, houses + 1)]
    return _csv(path, "ref,address,x,y\n" + "\n".join(rows) + "\n")


LONG_ROAD = ["--source", "l", "--id-column", "ref", "--address-columns", "address",
             "--x-column", "x", "--y-column", "y"]  # fmt: skip


def test_a_full_file_cut_short_is_refused_and_changes_nothing(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(cli("load", str(_street_list(tmp_path / "a.csv", 200)), *LONG_ROAD, environ=environ))
    before = snapshot(db_url)
    short = _street_list(tmp_path / "b.csv", 150)  # a quarter of the street gone
    result = cli("load", str(short), *LONG_ROAD, environ=environ)
    assert result.code == 1
    assert "b.csv lacks 50 of the 200 records of source 'l' (25%; at most 10%" in result.err
    assert "nothing was loaded" in result.err
    assert "--allow-removal" in result.err
    assert snapshot(db_url) == before
    # Within the share, or allowed, the records go.
    out = _ok(cli("load", str(short), *LONG_ROAD, "--allow-removal", environ=environ))
    assert "50 removed" in out
    _ok(cli("load", str(_street_list(tmp_path / "c.csv", 140)), *LONG_ROAD, environ=environ))


def test_a_wrong_crs_that_refuses_most_rows_is_refused_whole(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    path = _street_list(tmp_path / "a.csv", 200)
    _ok(cli("load", str(path), *LONG_ROAD, environ=environ))
    before = snapshot(db_url)
    result = cli("load", str(path), *LONG_ROAD, "--crs", "EPSG:4326", environ=environ)
    assert result.code == 1
    assert "lacks 200 of the 200 records" not in result.err  # nothing staged: said so
    assert "yields no records, so loading it would remove all 200 records" in result.err
    # Why, in a word: the commonest kinds of refusal, with the number of all.
    assert "Rows refused while reading: 200 (200 'coordinates are outside Great Britain')" in (
        result.err
    )
    assert snapshot(db_url) == before


# A list of many small chunks: good rows, and rows refused while parsing, in every chunk.
def _messy_list(path: Path, rows: int) -> Path:
    lines = ["ref,address,postcode"]
    for n in range(1, rows + 1):
        if n % 7 == 0:
            lines.append(f",{n} Mill Lane,OX1 1AA")  # missing id
        elif n % 11 == 0:
            lines.append(f"R{n},,")  # no address
        else:
            lines.append(f"R{n},Flat {n % 3 + 1} {n} Mill Lane Oldtown,OX1 {n % 9}AB")
    return _csv(path, "\n".join(lines) + "\n")


LIST_ARGS = ["--id-column", "ref", "--address-columns", "address", "--postcode-column", "postcode"]


def test_a_list_parsed_by_worker_processes_loads_as_in_one(
    cli: CliRunner,
    environ: dict[str, str],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 10)  # 25 chunks, several in flight at once
    path = _messy_list(tmp_path / "l.csv", 250)
    for source, workers in (("one", "1"), ("three", "3")):
        out = _ok(cli("load", str(path), "--source", source, *LIST_ARGS, "--workers", workers,
                      environ=environ))  # fmt: skip
        assert "250 rows read, 196 loaded, 54 quarantined" in out
    records = query(
        db_url,
        "SELECT s.name, row_to_json(r)::jsonb - '{record_id,source_id,batch_id,loaded_at}'::text[]"
        " FROM source_record r JOIN source s USING (source_id)",
    )
    by_source: dict[str, list[str]] = {"one": [], "three": []}
    for name, record in records:
        by_source[name].append(json.dumps(record, sort_keys=True))
    assert len(by_source["one"]) == 196
    assert sorted(by_source["one"]) == sorted(by_source["three"])
    refused = query(
        db_url,
        "SELECT s.name, q.line_number, q.raw, q.reason FROM quarantine q "
        "JOIN load_batch b USING (batch_id) JOIN source s USING (source_id) "
        "ORDER BY q.quarantine_id",
    )
    one = [row[1:] for row in refused if row[0] == "one"]
    assert one == [row[1:] for row in refused if row[0] == "three"]  # same rows, same order


_BUILD = tabular._build


def _dies_on_line_77(chunk: tabular.Chunk, **given: Any) -> tabular.Built:
    if 77 in chunk.line_numbers:
        os._exit(9)  # as a process the kernel killed
    return _BUILD(chunk, **given)


def test_a_worker_process_that_dies_fails_the_load_whole(
    cli: CliRunner,
    environ: dict[str, str],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 10)
    path = _messy_list(tmp_path / "l.csv", 250)
    _ok(cli("load", str(_messy_list(tmp_path / "first.csv", 20)), "--source", "l", *LIST_ARGS,
            environ=environ))  # fmt: skip
    before = snapshot(db_url)
    monkeypatch.setattr(tabular, "_build", _dies_on_line_77)
    result = cli("load", str(path), "--source", "l", *LIST_ARGS, "--workers", "2",
                 environ=environ)  # fmt: skip
    assert result.code == 1
    assert "a process parsing the file's rows ended without finishing" in result.err
    assert snapshot(db_url) == before
