"""Loader speed: DTF 7.3 and CSV loads of `nsai synth` regions, against raw COPY of the same rows.

For each size the biggest council's DTF file and the council-tax CSV are loaded with `nsai load`
(a fresh process, so its peak memory is its own) into a freshly migrated database; the baseline
is COPY of the same file's rows, unparsed, into an unindexed table, in the same run.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import psycopg
import yaml
from psycopg import sql
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
# A database of this run alone: the benchmark never touches one it did not make.
BENCH_DB = f"nsai_bench_load_{os.getpid()}"
NSAI = str(Path(sys.executable).with_name("nsai"))
COUNCILS_IN_TURN = 20
PROPERTIES_PER_COUNCIL = 6_000  # a district council's LLPG holds 5-6k properties and more
# Runs a command and prints its peak resident memory (KiB) and wall seconds.
MEASURE = (
    "import resource, subprocess, sys, time; t = time.monotonic(); "
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.monotonic() - t, "
    "r.returncode)"
)


def _server_url() -> str:
    """A superuser URL: NSAI_BENCH_DATABASE_URL, else the repository's managed cluster."""
    url = os.environ.get("NSAI_BENCH_DATABASE_URL")
    if url:
        return url
    out = subprocess.run([NSAI, "db", "url"], capture_output=True, text=True, check=True, cwd=REPO)
    return _with_database(out.stdout.strip(), "postgres")


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _fresh_database(admin: str, name: str) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = _with_database(admin, name)
    subprocess.run([NSAI, "db", "migrate"], env=_env(url), check=True, capture_output=True)
    return url


def _env(url: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "NSAI_DATABASE_URL": url}


def _measure(command: list[str], url: str) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        env=_env(url),
        capture_output=True,
        text=True,
        check=True,
    )
    peak_kib, seconds, code = out.stdout.split()
    if code != "0":
        raise RuntimeError(f"{' '.join(command)} failed")
    return float(seconds), int(peak_kib) / 1024


def _raw_copy(url: str, path: Path, csv_header: bool) -> float:
    """Seconds to COPY the file's rows, unparsed, into an unindexed table."""
    with psycopg.connect(url) as conn:
        if csv_header:
            with path.open(newline="") as handle:
                header = next(csv.reader(handle))
            columns = sql.SQL(", ").join(
                sql.SQL("{} text").format(sql.Identifier(c)) for c in header
            )
            conn.execute(sql.SQL("CREATE TABLE raw_copy ({})").format(columns))
            command = "COPY raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
        else:
            conn.execute("CREATE TABLE raw_copy (line text)")
            command = (
                "COPY raw_copy FROM STDIN WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')"
            )
        started = time.monotonic()
        with conn.cursor().copy(command) as copy, path.open("rb") as data:
            while block := data.read(1 << 20):
                copy.write(block)
        conn.commit()
        elapsed = time.monotonic() - started
        conn.execute("DROP TABLE raw_copy")
        conn.commit()
    return elapsed


def _rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def run(quick: bool) -> str:
    sizes = [10_000, 100_000] if quick else [100_000, 1_000_000]
    admin = _server_url()
    lines = [
        "## Loading (`nsai load`)",
        "",
        "Input: `nsai synth --councils 3 --properties N`; the biggest council's DTF 7.3 file and "
        "the council-tax CSV (four address lines and a postcode, parsed by the address parser). "
        "Baseline: COPY of the same rows, unparsed, into an unindexed table, in the same run. "
        "With `--workers 2` a list's rows are parsed on two forked processes while the loading "
        "process reads the file and stages what they return (peak: the largest one process).",
        "",
        "| properties | file | rows | load s | rows/s | raw COPY s | load / COPY | peak MiB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        with TemporaryDirectory(prefix="nsai-bench-") as tmp:
            out = Path(tmp) / "region"
            subprocess.run(
                [NSAI, "synth", str(out), "--properties", str(size), "--councils", "3"],
                check=True,
                capture_output=True,
            )
            manifest = json.loads((out / "manifest.json").read_text())
            council = max(
                (s for s in manifest["sources"] if s["name"].startswith("llpg-")),
                key=lambda s: s["records"],
            )
            ctax, ctax_mapping = _ctax(out, manifest)
            load = [NSAI, "load"]
            cases = [
                ("DTF 7.3", out / council["file"], ["--source", council["name"]], False),
                ("CSV", ctax, ["--source", "ctax", "--mapping", str(ctax_mapping)], True),
                (
                    "CSV, `--workers 2`",
                    ctax,
                    ["--source", "ctax", "--mapping", str(ctax_mapping), "--workers", "2"],
                    True,
                ),
            ]
            for label, path, command, header in cases:
                url = _fresh_database(admin, BENCH_DB)
                raw = _raw_copy(url, path, header)
                seconds, peak = _measure([*load, str(path), *command], url)
                rows = _rows(path) - (1 if header else 0)
                lines.append(
                    f"| {size:,} | {label} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | "
                    f"{raw:.2f} | {seconds / raw:.1f}x | {peak:,.0f} |"
                )
    lines += ["", *_in_turn(admin, 5 if quick else COUNCILS_IN_TURN)]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB))
        )
    return "\n".join(lines)


def _ctax(out: Path, manifest: dict[str, Any]) -> tuple[Path, Path]:
    """The region's council-tax list, and a mapping file of its columns."""
    ctax = next(s for s in manifest["sources"] if s["name"] == "ctax")
    mapping = out / "ctax.mapping.yaml"
    mapping.write_text(yaml.safe_dump(ctax["mapping"]))
    return out / ctax["file"], mapping


def _in_turn(admin: str, councils: int) -> list[str]:
    """Every council's LLPG of one region loaded one after another into one database: a load's
    time should depend on its own file, not on what was loaded before it."""
    properties = councils * PROPERTIES_PER_COUNCIL
    with TemporaryDirectory(prefix="nsai-bench-") as tmp:
        out = Path(tmp) / "region"
        subprocess.run(
            [NSAI, "synth", str(out), "--properties", str(properties), "--councils", str(councils)],
            check=True,
            capture_output=True,
        )
        manifest = json.loads((out / "manifest.json").read_text())
        llpgs = [s for s in manifest["sources"] if s["name"].startswith("llpg-")]
        url = _fresh_database(admin, BENCH_DB)
        loads = []
        for llpg in llpgs:
            path = out / llpg["file"]
            seconds, _ = _measure([NSAI, "load", str(path), "--source", llpg["name"]], url)
            loads.append((llpg["name"], _rows(path), seconds))
        # Then the region's council-tax list, and the list again with one row changed and one
        # added: a reload compares every row with the source's records.
        ctax, mapping = _ctax(out, manifest)
        with ctax.open(newline="") as handle:
            rows = list(csv.reader(handle))
        rows[1][1] += " CHANGED"
        rows.append(["CT-ADDED", "1 ADDED ROAD", *rows[1][2:]])
        changed = out / "ctax-changed.csv"
        with changed.open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
        for label, path in (("ctax", ctax), ("ctax, 2 rows changed", changed)):
            load = [NSAI, "load", str(path), "--source", "ctax", "--mapping", str(mapping)]
            seconds, _ = _measure(load, url)
            loads.append((label, _rows(path) - 1, seconds))
    times = [seconds for _, _, seconds in loads[:councils]]
    ends = min(5, councils // 2)  # loads compared at each end
    lines = [
        f"Loads in turn: the {councils} councils' LLPGs (DTF 7.3) of `nsai synth --councils "
        f"{councils} --properties {properties:,}`, loaded one after another into one freshly "
        "migrated database, each by its own `nsai load` (process start included), then the "
        "region's council-tax list, and the list again with one row changed and one added. "
        f"Median of the last {ends} LLPG loads against the first {ends}: "
        f"{statistics.median(times[-ends:]) / statistics.median(times[:ends]):.2f}.",
        "",
        "| load | source | rows | load s | rows/s |",
        "|---:|---|---:|---:|---:|",
    ]
    lines += [
        f"| {i} | {name} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} |"
        for i, (name, rows, seconds) in enumerate(loads, start=1)
    ]
    return lines
