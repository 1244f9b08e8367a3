"""What a loader knows about its input before reading a row: content hash, format, text encoding.

Councils' exports come as UTF-8, UTF-8 with a byte-order mark, Latin-1 or its Windows superset
(cp1252, with curly quotes and dashes); all load. A file that is none of them (binary, or bytes no
text encoding explains) is refused with the offset of the first bad byte, before anything is
written.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from nsai.errors import NsaiError

CHUNK = 1 << 20
MAX_LINE = 1 << 20  # no address record is a mebibyte long: such a line is not an address file
FORMATS = ("dtf73", "csv", "geojson", "gpkg", "shp", "parquet")
TEXT_FORMATS = {"dtf73", "csv", "geojson"}
# Formats whose files announce themselves in their first bytes.
SIGNED_FORMATS = {"geojson", "gpkg", "parquet"}
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".geojson": "geojson", ".json": "geojson",
              ".gpkg": "gpkg", ".shp": "shp", ".parquet": "parquet",
              ".geoparquet": "parquet"}  # fmt: skip
# The other files of a shapefile: they hold its attributes, index, CRS and encoding.
SHAPEFILE_PARTS = (".dbf", ".shx", ".prj", ".cpg")
# Bytes no Windows-1252 (hence no Latin-1) text holds: control characters other than tab,
# newline and carriage return, and the five bytes cp1252 leaves undefined.
_NOT_CP1252_TEXT = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f\x81\x8d\x8f\x90\x9d]")


@dataclass(frozen=True)
class InputFiles:
    """The files of one load (several volumes of one DTF file set load as one batch)."""

    paths: tuple[Path, ...]
    format: str
    sha256: str
    encoding: str | None  # None for binary formats

    @property
    def name(self) -> str:
        return ", ".join(p.name for p in self.paths)


def inspect(paths: list[Path], fmt: str | None) -> InputFiles:
    """Check the files exist and are readable, detect the format and encoding, hash the content."""
    if not paths:
        raise NsaiError("no file given")
    for path in paths:
        _check_readable(path)
    if len({p.resolve() for p in paths}) != len(paths):
        raise NsaiError("the same file is given twice: give each volume once")
    if fmt is not None and fmt not in FORMATS:
        raise NsaiError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    content = _format_by_content(paths[0])
    if fmt is not None and content is not None and content != fmt:
        raise NsaiError(f"{paths[0]}: --format {fmt} was given, but the file is {content}")
    if fmt in SIGNED_FORMATS and content != fmt:
        raise NsaiError(f"{paths[0]}: is not a {fmt} file (it does not begin as one does)")
    chosen = fmt or content or _format_by_extension(paths[0])
    if len(paths) > 1 and chosen != "dtf73":
        raise NsaiError("several files load as one batch only for DTF 7.3 volumes")
    digest = hashlib.sha256()
    encodings = {_hash_and_decode(p, digest, text=chosen in TEXT_FORMATS) for p in paths}
    if chosen == "shp":
        for part in _shapefile_parts(paths[0]):
            _hash_and_decode(part, digest, text=False)
    if len(encodings) > 1:
        raise NsaiError(f"the volumes have different encodings ({', '.join(sorted(encodings))})")
    encoding = encodings.pop() if chosen in TEXT_FORMATS else None
    if chosen == "geojson" and encoding == "cp1252":
        raise NsaiError(f"{paths[0]}: GeoJSON must be UTF-8 (RFC 7946); this file is not")
    return InputFiles(tuple(paths), chosen, digest.hexdigest(), encoding)


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise NsaiError(f"{path}: no such file")
    if path.is_dir():
        raise NsaiError(f"{path}: is a directory, not a file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise NsaiError(f"{path}: cannot be read ({exc.strerror})") from None
    if path.stat().st_size == 0:
        raise NsaiError(f"{path}: the file is empty")


def _format_by_content(path: Path) -> str | None:
    with path.open("rb") as handle:
        head = handle.read(4096)
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if stripped.startswith((b"10,", b'"10",')):
        return "dtf73"
    if stripped.startswith(b"PAR1"):
        return "parquet"
    if stripped.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if stripped.startswith(b"{") and b'"type"' in stripped:
        return "geojson"
    return None


def _format_by_extension(path: Path) -> str:
    by_extension = EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    raise NsaiError(
        f"{path}: cannot tell the format from its content or extension: give --format "
        f"({', '.join(FORMATS)})"
    )


def _shapefile_parts(shp: Path) -> list[Path]:
    siblings = {p.name.lower(): p for p in shp.parent.iterdir() if p.stem == shp.stem}
    return [siblings[name] for s in SHAPEFILE_PARTS if (name := shp.stem.lower() + s) in siblings]


def _hash_and_decode(path: Path, digest: hashlib._Hash, *, text: bool) -> str:
    """Feed the file to the digest; for text, say which encoding reads it (or refuse it)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    nul_at: int | None = None
    cp1252_bad_at: int | None = None
    offset = 0
    bom = False
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if not text:
                continue
            if offset == 0:
                bom = chunk.startswith(codecs.BOM_UTF8)
            if nul_at is None and (found := chunk.find(b"\x00")) >= 0:
                nul_at = offset + found
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if cp1252_bad_at is None and (bad := _NOT_CP1252_TEXT.search(chunk)) is not None:
                cp1252_bad_at = offset + bad.start()
            offset += len(chunk)
    if not text:
        return "binary"
    if nul_at is not None:
        raise NsaiError(f"{path}: holds a NUL byte at offset {nul_at}: a binary file, not text")
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if utf8_ok:
        return "utf-8-sig" if bom else "utf-8"
    if cp1252_bad_at is None:
        return "cp1252"
    raise NsaiError(
        f"{path}: undecodable bytes at offset {cp1252_bad_at} (neither UTF-8 nor Latin-1 / "
        "Windows-1252 text)"
    )


# No field of an address is longer (BS7666's longest, a street description, is 100 characters):
# a longer one is a broken row, quarantined before anything parses it.
MAX_FIELD_CHARS: Final = 1_000


def too_long(values: Iterable[str], names: Sequence[str] = ()) -> str | None:
    """Why a row is refused for a field over MAX_FIELD_CHARS (by its name in `names`, else by
    its position), or None."""
    for n, value in enumerate(values):
        if len(value) > MAX_FIELD_CHARS:
            which = names[n] if n < len(names) else f"field {n + 1}"
            return (
                f"{which} is {len(value):,} characters long: "
                f"no address field is over {MAX_FIELD_CHARS:,}"
            )
    return None


def csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str], str]]:
    """(line number, fields, raw line) of each row; unreadable CSV is an NsaiError.

    Empty lines are not rows. Lines are read with a bound, so one enormous line cannot exhaust
    memory. The raw line is kept for the quarantine; a row whose quoted field spans lines keeps
    its last line.
    """
    last = [""]
    line_number = [0]

    def lines() -> Iterator[str]:
        with path.open(encoding=encoding, newline="") as handle:
            while line := handle.readline(MAX_LINE):
                line_number[0] += 1
                if len(line) == MAX_LINE and not line.endswith("\n"):
                    raise NsaiError(
                        f"{path} line {line_number[0]}: longer than {MAX_LINE:,} characters: "
                        "not an address file"
                    )
                last[0] = line
                yield line

    # A field may be as long as a line (the csv module's own bound, 128 KiB, would refuse the
    # whole file for one): too_long quarantines the row that holds it.
    csv.field_size_limit(MAX_LINE)
    reader = csv.reader(lines(), strict=True)
    try:
        for fields in reader:
            if fields:
                yield reader.line_num, fields, last[0].rstrip("\r\n")
    except csv.Error as exc:
        raise NsaiError(f"{path} line {line_number[0]}: unreadable CSV ({exc})") from None
