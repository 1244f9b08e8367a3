"""Address lists: CSV, GeoJSON, GeoPackage, Shapefile and (Geo)Parquet into source records.

Each format is read as a stream of chunks of rows (never the whole file), mapped onto BS7666
parts by the one address parser, given a point in British National Grid (from the file's
geometry or from coordinate columns, transformed with pyproj), and staged by COPY. A list is a
full snapshot: loading it again replaces the source's records, keeping the unchanged ones.
"""

from __future__ import annotations

import dataclasses
import json
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio
import shapely
from pyproj import CRS, Transformer

from loaders.files import InputFiles, csv_rows, too_long
from loaders.mapping import STRUCTURED, Mapping
from loaders.parallel import in_order
from loaders.store import Batch, LoadResult
from nsai import bng
from nsai.address.normalise import match_keys
from nsai.address.parse import parse_address
from nsai.address.parts import AddressParts
from nsai.db import tables
from nsai.db.queries import copy_rows
from nsai.errors import NsaiError, first_line

CHUNK_ROWS = 5_000
BNG = CRS.from_epsg(bng.SRID)


@dataclass
class Chunk:
    """Rows of the input: where each was, its text for the quarantine, its mapped values."""

    line_numbers: list[int]
    raws: list[str]
    values: dict[str, list[Any]]  # mapped column -> one value per row
    geometry: list[bytes | None] | None  # WKB per row, for spatial formats
    crs: CRS | None  # of `geometry`
    problems: list[str | None]  # a reason to refuse the row, found while reading it


# -- readers --------------------------------------------------------------------------------


def _missing(mapping: Mapping, available: Sequence[str], where: str) -> None:
    absent = [c for c in mapping.columns if c not in available]
    if absent:
        raise NsaiError(
            f"{where}: the mapping names column(s) {', '.join(absent)} that the file does not "
            f"have (it has: {', '.join(available) or 'no columns'})"
        )


def _csv_chunks(path: Path, encoding: str, mapping: Mapping) -> Iterator[Chunk]:
    rows = csv_rows(path, encoding)
    try:
        _, header, _ = next(rows)
    except StopIteration:
        raise NsaiError(f"{path}: the file has no header row") from None
    header = [name.strip() for name in header]
    _missing(mapping, header, str(path))
    index = {name: header.index(name) for name in mapping.columns}
    chunk = _empty_chunk(mapping)
    for line_number, fields, raw in rows:
        chunk.line_numbers.append(line_number)
        chunk.raws.append(raw)
        for name, position in index.items():
            chunk.values[name].append(fields[position] if position < len(fields) else None)
        chunk.problems.append(
            None
            if len(fields) == len(header)
            else f"wrong field count: {len(fields)} fields, the header has {len(header)}"
        )
        if len(chunk.raws) >= CHUNK_ROWS:
            yield chunk
            chunk = _empty_chunk(mapping)
    if chunk.raws:
        yield chunk


def _empty_chunk(mapping: Mapping) -> Chunk:
    return Chunk([], [], {name: [] for name in mapping.columns}, None, None, [])


def _arrow_chunks(
    batches: Iterator[pa.RecordBatch], mapping: Mapping, geometry: str | None, crs: CRS | None
) -> Iterator[Chunk]:
    line = 0
    for record_batch in batches:
        table = record_batch.to_pydict()
        count = record_batch.num_rows
        values = {name: table[name] for name in mapping.columns}
        others = [name for name in table if name != geometry]
        raws = [
            json.dumps({name: table[name][i] for name in others}, default=str) for i in range(count)
        ]
        shapes = table[geometry] if geometry else None
        lines = list(range(line + 1, line + count + 1))
        yield Chunk(lines, raws, values, shapes, crs, [None] * count)
        line += count


def _spatial_chunks(path: Path, mapping: Mapping, fmt: str) -> Iterator[Chunk]:
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        if len(layers) > 1 and mapping.layer is None:
            raise NsaiError(
                f"{path}: holds {len(layers)} layers ({', '.join(layers)}): choose one with "
                "--layer NAME"
            )
        opened = pyogrio.raw.open_arrow(
            path, layer=mapping.layer, batch_size=CHUNK_ROWS, use_pyarrow=True
        )
        meta, reader = opened.__enter__()
    except NsaiError:
        raise
    except Exception as exc:  # pyogrio raises several error types for unreadable input
        raise NsaiError(f"{path}: not a readable {fmt} file ({first_line(exc)})") from None
    try:
        fields = list(meta["fields"])
        if not fields:
            raise NsaiError(f"{path}: holds no features with attributes")
        _missing(mapping, fields, str(path))
        crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
        geometry = meta.get("geometry_name") or "wkb_geometry"
        try:
            yield from _arrow_chunks(iter(reader), mapping, geometry, crs)
        except (OSError, pa.ArrowException) as exc:
            raise NsaiError(f"{path}: unreadable {fmt} content ({first_line(exc)})") from None
    finally:
        opened.__exit__(None, None, None)


def _parquet_chunks(path: Path, mapping: Mapping) -> Iterator[Chunk]:
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError alike
        raise NsaiError(f"{path}: not a readable Parquet file ({first_line(exc)})") from None
    names = parquet.schema_arrow.names
    geometry, crs = _geoparquet_geometry(parquet)
    _missing(mapping, [n for n in names if n != geometry], str(path))
    yield from _arrow_chunks(parquet.iter_batches(batch_size=CHUNK_ROWS), mapping, geometry, crs)


def _geoparquet_geometry(parquet: pq.ParquetFile) -> tuple[str | None, CRS | None]:
    """The primary geometry column of a GeoParquet file, and its CRS (OGC:CRS84 by default)."""
    metadata = parquet.schema_arrow.metadata or {}
    if b"geo" not in metadata:
        return None, None
    geo = json.loads(metadata[b"geo"])
    column = geo.get("primary_column")
    spec = geo.get("columns", {}).get(column, {})
    if "crs" not in spec:
        return column, CRS("OGC:CRS84")  # the specification's default
    # An explicit null means "undefined": --crs must say what the coordinates are.
    return column, CRS.from_user_input(spec["crs"]) if spec["crs"] is not None else None


# -- rows into records ------------------------------------------------------------------------


def _points(
    chunk: Chunk, mapping: Mapping, where: Path
) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """BNG x and y per row (NaN when none), and a refusal reason per row (None when fine)."""
    count = len(chunk.raws)
    xs = np.full(count, np.nan)
    ys = np.full(count, np.nan)
    problems = list(chunk.problems)
    source_crs: CRS | None
    columns = mapping.coordinate_columns
    if columns is not None:
        source_crs = CRS.from_user_input(mapping.column_crs())
        for i, (a, b) in enumerate(
            zip(chunk.values[columns[0]], chunk.values[columns[1]], strict=True)
        ):
            a_text = "" if a is None else str(a).strip()
            b_text = "" if b is None else str(b).strip()
            if problems[i] is not None or (not a_text and not b_text):
                continue
            try:
                xs[i], ys[i] = float(a_text), float(b_text)
            except ValueError:
                problems[i] = f"unparsable coordinates {a_text!r}, {b_text!r}"
            if not (math.isfinite(xs[i]) and math.isfinite(ys[i])):
                xs[i] = ys[i] = np.nan
                problems[i] = f"unparsable coordinates {a_text!r}, {b_text!r}"
    elif chunk.geometry is not None:
        source_crs = CRS.from_user_input(mapping.crs) if mapping.crs else chunk.crs
        shapes = shapely.from_wkb(chunk.geometry, on_invalid="ignore")
        present = ~shapely.is_missing(shapes) & ~shapely.is_empty(shapes)
        points = shapely.point_on_surface(shapes[present])
        xs[present], ys[present] = shapely.get_x(points), shapely.get_y(points)
        if source_crs is None and present.any():
            raise NsaiError(f"{where}: its geometry has no coordinate reference system: give --crs")
    else:
        return xs, ys, problems
    if source_crs is not None and not source_crs.equals(BNG):
        to_bng = Transformer.from_crs(source_crs, BNG, always_xy=True)
        xs, ys = to_bng.transform(xs, ys, errcheck=False)
    inside = (xs > bng.WEST) & (xs <= bng.EAST) & (ys > bng.SOUTH) & (ys <= bng.NORTH)
    for row in np.flatnonzero(~np.isnan(xs) & ~inside):
        problems[row] = problems[row] or "coordinates are outside Great Britain"
    return xs, ys, problems


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


# A row's staged columns: AddressParts' and MatchKeys' fields are named as stage_record's.
_PARTS = tuple(f.name for f in dataclasses.fields(AddressParts))
_PARTS_OF, _KEYS_OF = operator.attrgetter(*_PARTS), operator.attrgetter(*tables.KEYS)
STAGED = ("source_ref", "raw_address", *_PARTS, *tables.KEYS,
          "geom", "volume", "file_name", "line_number", "raw")  # fmt: skip


def _parts(chunk: Chunk, i: int, mapping: Mapping) -> tuple[AddressParts, str]:
    """The row's BS7666 parts, and its address as one line of text."""
    values = chunk.values
    postcode = _text(values[mapping.postcode_column][i]) if mapping.postcode_column else ""
    if mapping.address_columns:
        lines = [line for c in mapping.address_columns if (line := _text(values[c][i]))]
        return parse_address(lines, postcode or None), ", ".join(
            [*lines, postcode] if postcode else lines
        )
    given = {
        part: _text(values[column][i])
        for part in STRUCTURED
        if (column := getattr(mapping, f"{part}_column"))
    }
    lines = [given.get("sao", "")]
    pao, street = given.get("pao", ""), given.get("street", "")
    # A numbered PAO reads with its street ("12A Mill Lane"); a named one stands on its own line.
    if pao[:1].isdigit():
        lines.append(f"{pao} {street}".strip())
    else:
        lines += [pao, street]
    parsed = parse_address([line for line in lines if line], postcode or None)
    # What the columns say outright wins over what the parser made of them.
    parts = replace(
        parsed,
        organisation=given.get("organisation", "").upper() or None,
        street=street.upper() or parsed.street,
        locality=given.get("locality", "").upper() or None,
        town=given.get("town", "").upper() or None,
    )
    return parts, ", ".join(v for v in (*given.values(), postcode) if v)


def _record(chunk: Chunk, i: int, mapping: Mapping, columns: list[str]) -> tuple[Any, ...] | str:
    """Row i as staged up to its keys (STAGED), or why it is refused.
    `columns`: the mapping's (mapping.columns, built once per file, not per row)."""
    ref = _text(chunk.values[mapping.id_column][i])
    if not ref:
        return f"missing id ({mapping.id_column} is empty)"
    refused = too_long((_text(chunk.values[c][i]) for c in columns), columns)
    if refused is not None:
        return refused
    parts, one_line = _parts(chunk, i, mapping)
    if parts.pao_start_number is None and not parts.pao_text and not parts.street:
        return "no address: nothing in it reads as a building or a street"
    return (ref, one_line, *_PARTS_OF(parts), *_KEYS_OF(match_keys(parts)))


@dataclass
class Built:
    """A chunk's rows as staged (STAGED), and the rows refused, each (line, raw, reason)."""

    rows: list[tuple[Any, ...]]
    refused: list[tuple[int, str, str]]

    @property
    def read(self) -> int:
        return len(self.rows) + len(self.refused)


def _build(chunk: Chunk, mapping: Mapping, name: str, where: Path) -> Built:
    """A chunk's rows parsed and placed: the work that runs in the worker processes."""
    built = Built([], [])
    columns = mapping.columns
    xs, ys, problems = _points(chunk, mapping, where)
    for i, line_number in enumerate(chunk.line_numbers):
        row = problems[i] or _record(chunk, i, mapping, columns)
        if isinstance(row, str):
            built.refused.append((line_number, chunk.raws[i], row))
            continue
        geom = None if math.isnan(xs[i]) else f"SRID=27700;POINT({xs[i]:.2f} {ys[i]:.2f})"
        built.rows.append((*row, geom, 1, name, line_number, chunk.raws[i]))
    return built


def load_table(
    batch: Batch,
    files: InputFiles,
    mapping: Mapping,
    advance: Callable[[int], None],
    workers: int = 1,
) -> LoadResult:
    """Stage a list's rows (parsed on `workers` processes), then merge its records."""
    path = files.paths[0]
    if files.format == "csv":
        assert files.encoding is not None
        chunks = _csv_chunks(path, files.encoding, mapping)
    elif files.format == "parquet":
        chunks = _parquet_chunks(path, mapping)
    else:
        chunks = _spatial_chunks(path, mapping, files.format)
    name = path.name
    build = partial(_build, mapping=mapping, name=name, where=path)
    for built in in_order(build, chunks, workers):
        batch.counts.read += built.read
        for line_number, raw, reason in built.refused:
            batch.quarantine(name, line_number, raw, reason)
        copy_rows(batch.conn, tables.stage_record, STAGED, built.rows)
        batch.counts.staged += len(built.rows)
        advance(built.read)
    batch.quarantine_duplicates(tables.stage_record, ("source_ref",), "id")
    records = batch.merge(full=True)
    return batch.finish(records, change_only=False)
