"""NLPG DTF 7.3, the LLPG export: streets (11, 15), BLPUs (21) and LPIs (24) into PostGIS.

Records 10 and 99 frame and check each volume; 11, 15, 21 and 24 are staged; every other record
type is counted as skipped. The header's VERSION must be 7.3: AddressBase Premium files share the
record numbers but not the layouts, and are refused rather than misread. A bad record is
quarantined with its reason; a file that cannot be read (no header, no trailer, a trailer count
that disagrees, unreadable CSV) is refused whole.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Final

from sqlalchemy import Table

from loaders.files import InputFiles, csv_rows, too_long
from loaders.parallel import in_order
from loaders.store import Batch, LoadResult
from nsai import bng
from nsai.address.normalise import match_keys, normalise_street, normalise_text, normalise_town
from nsai.address.parts import AddressParts
from nsai.address.postcode import normalise_postcode
from nsai.db import tables
from nsai.db.queries import copy_rows
from nsai.errors import NsaiError
from nsai.formats import dtf73 as layout

FLUSH_ROWS = 5_000
# Data records parsed at a time. Small: the lines of a chunk and their rows are all alive at
# once, and 5,000 at a time cost a load 8 % in the cyclic GC's sweeps of its older generations.
PARSE_CHUNK = 500
STAGED = {layout.STREET, layout.STREET_DESCRIPTOR, layout.BLPU, layout.LPI}
CHANGE_TYPES = {"I", "U", "D"}
BLPU_STATUSES = {1, 5, 6, 7, 8, 9}
LPI_STATUSES = {1, 3, 5, 6, 7, 8, 9}
CLASSIFICATION = re.compile(r"[A-Z][A-Z0-9]{0,5}")
ADDRESSBASE_VERSIONS = {"1.0", "2.0"}


class RowError(ValueError):
    """A record that cannot be loaded; its message is the quarantine reason."""


@dataclass(frozen=True)
class Header:
    custodian_name: str
    custodian_code: int
    file_type: str  # F full, C change-only
    volume: int
    more_volumes: bool = False  # the trailer names a next volume


# -- field readers: '' is None; anything unparsable is a RowError naming the field ------------

# A record's fields by their names in the layout (nsai.formats.dtf73.FIELDS).
Record = Mapping[str, str]


def _text(record: Record, name: str) -> str | None:
    value = record[name].strip()
    return value or None


def _int(record: Record, name: str, low: int, high: int) -> int | None:
    value = record[name].strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise RowError(f"unparsable {name} {value!r}") from None
    if not low <= number <= high:
        raise RowError(f"{name} {number} is outside {low}..{high}")
    return number


def _required(value: int | None, name: str) -> int:
    if value is None:
        raise RowError(f"missing {name}")
    return value


def _float(record: Record, name: str) -> float | None:
    value = record[name].strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise RowError(f"unparsable {name} {value!r}") from None


def _date(record: Record, name: str) -> dt.date | None:
    value = record[name].strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(f"unparsable {name} {value!r} (expected YYYY-MM-DD)") from None


def _suffix(record: Record, name: str) -> str | None:
    value = record[name].strip().upper()
    if not value:
        return None
    if len(value) != 1 or not "A" <= value <= "Z":
        raise RowError(f"{name} {value!r} is not one letter")
    return value


def _code(record: Record, name: str, allowed: set[str]) -> str | None:
    value = record[name].strip().upper()
    if not value:
        return None
    if value not in allowed:
        raise RowError(f"{name} {value!r} is not one of {', '.join(sorted(allowed))}")
    return value


def _member(value: int | None, name: str, allowed: set[int]) -> int | None:
    if value is not None and value not in allowed:
        raise RowError(
            f"{name} {value} is not in the code list ({', '.join(map(str, sorted(allowed)))})"
        )
    return value


def _classification(value: str) -> str | None:
    code = value.strip().upper()
    if not code:
        return None
    if not CLASSIFICATION.fullmatch(code):
        raise RowError(f"BLPU_CLASS {value.strip()!r} is not a classification code")
    return code


def _range(start: int | None, end: int | None, what: str) -> None:
    if end is not None and start is None:
        raise RowError(f"{what} end number {end} without a start number")


# -- records: each a staged row, its values by the column names of its staging table ----------

Row = dict[str, Any]


def _street_type(r: Record, deleting: bool) -> Row:
    return {
        "usrn": _required(_int(r, "USRN", 1, 99_999_999), "USRN"),
        "record_type": _member(_int(r, "RECORD_TYPE", 1, 9), "RECORD_TYPE", {1, 2, 3, 4, 9}),
        "state": _int(r, "STATE", 0, 9),
        "custodian_code": _int(r, "SWA_ORG_REF_NAMING", 1, 9999),
    }


def _street(r: Record, deleting: bool) -> Row:
    usrn = _required(_int(r, "USRN", 1, 99_999_999), "USRN")
    language = _code(r, "LANGUAGE", {"ENG", "CYM", "GAE"}) or "ENG"
    descriptor, locality, town = (
        _text(r, "STREET_DESCRIPTOR"),
        _text(r, "LOCALITY_NAME"),
        _text(r, "TOWN_NAME"),
    )
    if descriptor is None and not deleting:
        raise RowError(f"street {usrn} has no STREET_DESCRIPTOR")
    return {
        "usrn": usrn,
        "language": language,
        "descriptor": descriptor,
        "locality": locality,
        "town": town,
        "admin_area": _text(r, "ADMINISTRATIVE_AREA"),
        "street_key": normalise_street(descriptor) if descriptor else None,
        "locality_key": normalise_town(locality) if locality else None,
        "town_key": normalise_town(town) if town else None,
    }


def _blpu(r: Record, deleting: bool) -> Row:
    uprn = _required(_int(r, "UPRN", 1, 999_999_999_999), "UPRN")
    if deleting:
        return dict.fromkeys(tables.columns(tables.stage_blpu)) | {"uprn": uprn}
    x, y = _float(r, "X_COORDINATE"), _float(r, "Y_COORDINATE")
    if (x is None) != (y is None):
        raise RowError("only one of X_COORDINATE and Y_COORDINATE is given")
    if x is not None and y is not None and not bng.inside_great_britain(x, y):
        raise RowError(f"coordinates ({x}, {y}) are outside Great Britain")
    organisation = _text(r, "ORGANISATION")
    return {
        "uprn": uprn,
        "logical_status": _member(_int(r, "LOGICAL_STATUS", 1, 9), "LOGICAL_STATUS", BLPU_STATUSES),
        "blpu_state": _int(r, "BLPU_STATE", 1, 7),
        "blpu_class": _classification(r["BLPU_CLASS"]),
        "parent_uprn": _int(r, "PARENT_UPRN", 1, 999_999_999_999),
        "x": x,
        "y": y,
        "rpc": _int(r, "RPC", 1, 9),
        "custodian_code": _int(r, "LOCAL_CUSTODIAN_CODE", 1, 9999),
        "organisation": organisation,
        "organisation_key": normalise_text(organisation) if organisation else None,
        "start_date": _date(r, "START_DATE"),
        "end_date": _date(r, "END_DATE"),
        "last_update_date": _date(r, "LAST_UPDATE_DATE"),
    }


def _number(r: Record, name: str) -> int | None:
    return _int(r, name, 0, 9999)


def _lpi(r: Record, deleting: bool) -> Row:
    lpi_key = _text(r, "LPI_KEY")
    if lpi_key is None:
        raise RowError("missing LPI_KEY")
    uprn = _required(_int(r, "UPRN", 1, 999_999_999_999), "UPRN")
    if deleting:
        return dict.fromkeys(tables.columns(tables.stage_lpi)) | {"lpi_key": lpi_key, "uprn": uprn}
    row: Row = {
        "sao_start_number": _number(r, "SAO_START_NUMBER"),
        "sao_start_suffix": _suffix(r, "SAO_START_SUFFIX"),
        "sao_end_number": _number(r, "SAO_END_NUMBER"),
        "sao_end_suffix": _suffix(r, "SAO_END_SUFFIX"),
        "sao_text": _text(r, "SAO_TEXT"),
        "pao_start_number": _number(r, "PAO_START_NUMBER"),
        "pao_start_suffix": _suffix(r, "PAO_START_SUFFIX"),
        "pao_end_number": _number(r, "PAO_END_NUMBER"),
        "pao_end_suffix": _suffix(r, "PAO_END_SUFFIX"),
        "pao_text": _text(r, "PAO_TEXT"),
    }
    _range(row["sao_start_number"], row["sao_end_number"], "SAO")
    _range(row["pao_start_number"], row["pao_end_number"], "PAO")
    if row["pao_start_number"] is None and row["pao_text"] is None:
        raise RowError(f"LPI {lpi_key} has neither a PAO number nor PAO text")
    raw_postcode, post_town = _text(r, "POSTCODE"), _text(r, "POST_TOWN")
    postcode, valid = normalise_postcode(raw_postcode) if raw_postcode else (None, None)
    keys = match_keys(AddressParts(**row, postcode=postcode, postcode_valid=valid))
    row |= {
        "lpi_key": lpi_key,
        "uprn": uprn,
        "language": _code(r, "LANGUAGE", {"ENG", "CYM", "GAE"}) or "ENG",
        "logical_status": _member(_int(r, "LOGICAL_STATUS", 1, 9), "LOGICAL_STATUS", LPI_STATUSES),
        "start_date": _date(r, "START_DATE"),
        "end_date": _date(r, "END_DATE"),
        "usrn": _int(r, "USRN", 1, 99_999_999),
        "level": _text(r, "LEVEL"),
        "postal_address": _code(r, "POSTAL_ADDRESS", {"A", "L", "N", "P", "Y"}),
        "postcode": postcode,
        "postcode_valid": valid,
        "post_town": post_town,
        "official_flag": _code(r, "OFFICIAL_FLAG", {"Y", "N", "R", "C"}),
        "post_town_key": normalise_town(post_town) if post_town else None,
        "sao_key": keys.sao_key,
        "pao_key": keys.pao_key,
        "building_key": keys.building_key,
        "postcode_key": keys.postcode_key,
    }
    return row


_READERS: dict[int, tuple[Table, Callable[[Record, bool], Row]]] = {
    layout.STREET: (tables.stage_street_type, _street_type),
    layout.STREET_DESCRIPTOR: (tables.stage_street, _street),
    layout.BLPU: (tables.stage_blpu, _blpu),
    layout.LPI: (tables.stage_lpi, _lpi),
}


STAGING: Final = tuple(table for table, _ in _READERS.values())


# -- the file ----------------------------------------------------------------------------


def _header(fields: list[str], where: str) -> Header:
    if fields[0].strip() != str(layout.HEADER):
        raise NsaiError(f"{where}: does not start with a DTF header record (10); is it DTF 7.3?")
    if len(fields) != len(layout.FIELDS[layout.HEADER]):
        raise NsaiError(
            f"{where}: the header record has {len(fields)} fields, DTF 7.3 has "
            f"{len(layout.FIELDS[layout.HEADER])}"
        )
    record = dict(zip(layout.FIELDS[layout.HEADER], fields, strict=True))
    version = record["VERSION"].strip()
    if version in ADDRESSBASE_VERSIONS:
        raise NsaiError(
            f"{where}: header VERSION {version} is AddressBase Premium, not NLPG DTF 7.3: its "
            "records share numbers but not layouts, so it is refused rather than misread"
        )
    if version != layout.VERSION:
        raise NsaiError(f"{where}: header VERSION {version!r} is not DTF {layout.VERSION}")
    file_type = record["FILE_TYPE"].strip().upper()
    if file_type not in {"F", "C"}:
        raise NsaiError(f"{where}: header FILE_TYPE {file_type!r} is neither F (full) nor C")
    try:
        code = _required(_int(record, "LOCAL_CUSTODIAN_CODE", 1, 9999), "LOCAL_CUSTODIAN_CODE")
        volume = _required(_int(record, "VOLUME_NUMBER", 1, 9999), "VOLUME_NUMBER")
    except RowError as exc:
        raise NsaiError(f"{where}: header {exc}") from None
    return Header(record["CUSTODIAN_NAME"].strip(), code, file_type, volume)


class _Stager:
    """Buffers staged rows per table and writes them by COPY in chunks (bounded memory)."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.buffers: dict[int, list[Row]] = {t: [] for t in _READERS}

    def add(self, record_type: int, row: Row) -> None:
        buffer = self.buffers[record_type]
        buffer.append(row)
        self.batch.counts.staged += 1
        if len(buffer) >= FLUSH_ROWS:
            self.flush(record_type)

    def flush(self, record_type: int | None = None) -> None:
        for kind in [record_type] if record_type is not None else list(self.buffers):
            table = _READERS[kind][0]
            columns = tables.columns(table)  # each reader gives them all
            copy_rows(
                self.batch.conn,
                table,
                columns,
                map(operator.itemgetter(*columns), self.buffers[kind]),
            )
            self.buffers[kind].clear()


def load_dtf(
    batch: Batch, files: InputFiles, advance: Callable[[int], None], workers: int = 1
) -> LoadResult:
    """Stage every volume (its records parsed on `workers` processes), apply it to the source's
    state, derive and merge its records."""
    stager = _Stager(batch)
    headers = [
        _load_volume(batch, stager, volume, files, advance, workers)
        for volume in range(1, len(files.paths) + 1)
    ]
    stager.flush()
    header = _check_volumes(headers, files)
    _check_custodian(batch, header)
    full = header.file_type == "F"
    if not full and (earlier := batch.applied_before()) is not None:
        raise NsaiError(
            f"{files.name}: this change-only file was applied before (batch {earlier}); applying "
            "it again could undo the changes loaded since: refused"
        )
    if full:
        for table, key, what in (
            (tables.stage_blpu, ("uprn",), "UPRN"),
            (tables.stage_lpi, ("lpi_key",), "LPI_KEY"),
            (tables.stage_street, ("usrn", "language"), "street descriptor"),
            (tables.stage_street_type, ("usrn",), "street"),
        ):
            batch.quarantine_duplicates(table, key, what)
    batch.run(
        "load/batch.sql",
        "set_custodian",
        code=header.custodian_code,
        custodian_name=header.custodian_name or f"Custodian {header.custodian_code}",
    )
    for section in (
        "net_changes",
        "affected",
        "clear_state",
        "insert_state",
        "quarantine_orphans",
        "derive_records",
    ):
        batch.run("load/dtf.sql", section, full=full)
    records = batch.merge(full=full)
    return batch.finish(records, change_only=not full)


def _check_volumes(headers: list[Header], files: InputFiles) -> Header:
    """The volumes of one file set: numbered 1..n in order, one custodian, one file type."""
    first = headers[0]
    for position, (path, header) in enumerate(zip(files.paths, headers, strict=True), start=1):
        if header.volume != position:
            raise NsaiError(
                f"{path}: is volume {header.volume}, but was given as volume {position}: "
                "give the volumes in order, each once"
            )
        if (header.custodian_code, header.file_type) != (first.custodian_code, first.file_type):
            raise NsaiError(
                f"{path}: this volume's custodian or file type differs from the first volume's"
            )
    if headers[-1].more_volumes:
        raise NsaiError(
            f"{files.paths[-1]}: its trailer says volume {len(headers) + 1} follows: "
            "give every volume of the file set"
        )
    return first


def _check_custodian(batch: Batch, header: Header) -> None:
    if batch.custodian_code is not None and batch.custodian_code != header.custodian_code:
        raise NsaiError(
            f"{batch.files.name}: is custodian {header.custodian_code}'s gazetteer, but source "
            f"{batch.source_name!r} holds custodian {batch.custodian_code}'s: load it into "
            "its own source"
        )


Line = tuple[int, list[str], str]  # a line of a file: its number, its fields, its text


@dataclass
class _Parsed:
    """A chunk of data records read: staged rows by record type, refusals (line, raw, reason),
    and the record types skipped."""

    rows: list[tuple[int, Row]]
    refused: list[tuple[int, str, str]]
    skipped: list[str]


def _parse(chunk: list[Line], file_type: str, volume: int, name: str) -> _Parsed:
    """Data records (line number, fields, raw text) as staged rows: the work of the workers."""
    parsed = _Parsed([], [], [])
    for line_number, fields, raw in chunk:
        kind = fields[0].strip()
        if not kind.isdigit():
            parsed.refused.append((line_number, raw, f"not a DTF record: type {kind!r}"))
            continue
        record_type = int(kind)
        if record_type not in STAGED:
            parsed.skipped.append(kind)
            continue
        refused = too_long(fields)
        if refused is not None:
            parsed.refused.append((line_number, raw, refused))
            continue
        try:
            row = _stage_row(record_type, fields, file_type)
        except RowError as exc:
            parsed.refused.append((line_number, raw, str(exc)))
            continue
        row |= {"volume": volume, "file_name": name, "line_number": line_number, "raw": raw}
        parsed.rows.append((record_type, row))
    return parsed


@dataclass
class _Volume:
    """What reading a volume's lines found besides its data records."""

    header: Header
    data_records: int = 0
    trailer: dict[str, str] | None = None


def _load_volume(
    batch: Batch,
    stager: _Stager,
    volume: int,
    files: InputFiles,
    advance: Callable[[int], None],
    workers: int,
) -> Header:
    path = files.paths[volume - 1]
    where = str(path)
    assert files.encoding is not None
    lines = csv_rows(path, files.encoding)
    first = next(lines, None)
    if first is None:
        raise NsaiError(f"{where}: holds no records")
    batch.counts.read += 1
    batch.counts.framing += 1
    read = _Volume(_header(first[1], where))
    parse = partial(_parse, file_type=read.header.file_type, volume=volume, name=path.name)
    for parsed in in_order(parse, _data_chunks(lines, read, batch, advance, where), workers):
        for line_number, raw, reason in parsed.refused:
            batch.quarantine(path.name, line_number, raw, reason)
        for kind in parsed.skipped:
            batch.counts.skip(kind)
        for record_type, row in parsed.rows:
            stager.add(record_type, row)
    if read.trailer is None:
        raise NsaiError(f"{where}: truncated: it does not end with a trailer record (99)")
    _check_trailer(read.trailer, read.data_records, where)
    next_volume = read.trailer.get("NEXT_VOLUME_NUMBER", "").strip()
    return replace(read.header, more_volumes=next_volume not in ("", "0"))


def _data_chunks(
    lines: Iterator[Line],
    read: _Volume,
    batch: Batch,
    advance: Callable[[int], None],
    where: str,
) -> Iterator[list[Line]]:
    """The volume's data records in chunks, up to its trailer, which goes into `read`."""
    counts = batch.counts
    chunk: list[Line] = []
    for line_number, fields, raw in lines:
        counts.read += 1
        if counts.read % 10_000 == 0:
            advance(10_000)
        if read.trailer is not None:
            raise NsaiError(f"{where} line {line_number}: records after the trailer (99)")
        if fields[0].strip() == str(layout.TRAILER):
            # Read as far as it goes: a short trailer is refused by what it lacks.
            read.trailer = dict(zip(layout.FIELDS[layout.TRAILER], fields, strict=False))
            counts.framing += 1
            continue
        read.data_records += 1
        chunk.append((line_number, fields, raw))
        if len(chunk) >= PARSE_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _stage_row(record_type: int, fields: list[str], file_type: str) -> Row:
    expected = len(layout.FIELDS[record_type])
    if len(fields) != expected:
        raise RowError(
            f"wrong field count: record {record_type} has {len(fields)} fields, expected {expected}"
        )
    record = dict(zip(layout.FIELDS[record_type], fields, strict=True))
    change_type = record["CHANGE_TYPE"].strip().upper()
    if change_type not in CHANGE_TYPES:
        raise RowError(f"CHANGE_TYPE {change_type!r} is not I, U or D")
    if file_type == "F" and change_type == "D":
        raise RowError("a delete (CHANGE_TYPE D) in a full file")
    pro_order = _required(_int(record, "PRO_ORDER", 0, 2**62), "PRO_ORDER")
    row = _READERS[record_type][1](record, change_type == "D")
    row |= {"change_type": change_type, "pro_order": pro_order}
    return row


def _check_trailer(trailer: Record, data_records: int, where: str) -> None:
    # NSAI's generator counts the data records only (nsai.formats.dtf73); other systems' files
    # may count the header and trailer too, so both readings are accepted.
    try:
        declared = int(trailer["RECORD_COUNT"])
    except (KeyError, ValueError):
        raise NsaiError(f"{where}: the trailer record (99) has no RECORD_COUNT") from None
    if declared not in (data_records, data_records + 2):
        raise NsaiError(
            f"{where}: the trailer says {declared} records but the volume holds {data_records}: "
            "the file is incomplete or corrupt"
        )
