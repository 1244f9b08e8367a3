"""What a loader knows about its input before reading a row: content hash, format, text encoding.

Councils' exports come as UTF-8, UTF-8 with a byte-order mark, or Latin-1; all three load. A file
that is none of them (binary, or bytes no text encoding explains) is refused with the offset of
the first bad byte, before anything is written.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nsai.errors import NsaiError

CHUNK = 1 << 20
FORMATS = ("dtf73", "csv", "geojson", "gpkg", "shp", "parquet")
TEXT_FORMATS = {"dtf73", "csv", "geojson"}
EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".shp": "shp",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
}
# Latin-1 decodes any byte, so it is accepted only for bytes real text has: no NUL, no C0
# controls but tab/newline/carriage return, no C1 controls (0x80-0x9F).
_NOT_LATIN1_TEXT = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\x9f]")


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
        if not path.exists():
            raise NsaiError(f"{path}: no such file")
        if path.is_dir():
            raise NsaiError(f"{path}: is a directory, not a file")
        if path.stat().st_size == 0:
            raise NsaiError(f"{path}: the file is empty")
    chosen = fmt or detect_format(paths[0])
    if chosen not in FORMATS:
        raise NsaiError(f"unknown format {chosen!r}: use one of {', '.join(FORMATS)}")
    if len(paths) > 1 and chosen != "dtf73":
        raise NsaiError("several files load as one batch only for DTF 7.3 volumes")
    digest = hashlib.sha256()
    encodings = set()
    for path in paths:
        encodings.add(_hash_and_decode(path, digest, text=chosen in TEXT_FORMATS))
    if len(encodings) > 1:
        raise NsaiError(f"the volumes have different encodings ({', '.join(sorted(encodings))})")
    encoding = encodings.pop() if chosen in TEXT_FORMATS else None
    return InputFiles(tuple(paths), chosen, digest.hexdigest(), encoding)


def detect_format(path: Path) -> str:
    """From the content first (a DTF file opens with its header record), then the extension."""
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
    by_extension = EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    raise NsaiError(
        f"{path}: cannot tell the format from its content or extension: give --format "
        f"({', '.join(FORMATS)})"
    )


def _hash_and_decode(path: Path, digest: hashlib._Hash, *, text: bool) -> str:
    """Feed the file to the digest; for text, say which encoding reads it (or refuse it)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    latin1_bad_at: int | None = None
    offset = 0
    bom = False
    has_nul = False
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if not text:
                continue
            if offset == 0:
                bom = chunk.startswith(codecs.BOM_UTF8)
            has_nul = has_nul or b"\x00" in chunk
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if latin1_bad_at is None:
                bad = _NOT_LATIN1_TEXT.search(chunk)
                if bad is not None:
                    latin1_bad_at = offset + bad.start()
            offset += len(chunk)
    if not text:
        return "binary"
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if utf8_ok and not has_nul:
        return "utf-8-sig" if bom else "utf-8"
    if latin1_bad_at is None:
        return "latin-1"
    raise NsaiError(
        f"{path}: undecodable bytes at offset {latin1_bad_at} (neither UTF-8 nor Latin-1 text; "
        "is it a binary file?)"
    )


def csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str], str]]:
    """(line number, fields, raw line) of each non-blank row; unreadable CSV is an NsaiError.

    The raw line is kept for the quarantine; a row whose quoted field spans lines keeps its last.
    """
    last = [""]

    def lines() -> Iterator[str]:
        with path.open(encoding=encoding, newline="") as handle:
            for line in handle:
                last[0] = line
                yield line

    reader = csv.reader(lines(), strict=True)
    try:
        for fields in reader:
            if any(field.strip() for field in fields):
                yield reader.line_num, fields, last[0].rstrip("\r\n")
    except csv.Error as exc:
        raise NsaiError(f"{path} line {reader.line_num + 1}: unreadable CSV ({exc})") from None
