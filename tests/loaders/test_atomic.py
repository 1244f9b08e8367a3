"""A load is all or nothing, even killed with SIGKILL half-way; a second load into a source that
is being loaded is refused, while loads into other sources go ahead."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from tests.conftest import CliRunner
from tests.loaders.conftest import scalar

NSAI = shutil.which("nsai", path=str(Path(sys.executable).parent)) or "nsai"
LIST_ARGS = [
    "--id-column",
    "ref",
    "--address-columns",
    "address,town",
    "--postcode-column",
    "postcode",
]
TABLES = ("source", "load_batch", "quarantine", "source_record", "custodian")


def _big_list(path: Path, rows: int, first: int = 0) -> Path:
    with path.open("w") as out:
        out.write("ref,address,town,postcode\n")
        for i in range(first, first + rows):
            out.write(f"R{i},{i % 500 + 1} Mill Lane,Oldtown,AB1 {i % 9}CD\n")
    return path


def _checksums(db_url: str) -> dict[str, str]:
    """A digest of every row of the loading tables: equal only if nothing at all changed."""
    return {
        table: str(
            scalar(
                db_url,
                "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"FROM {table} t",
            )
        )
        for table in TABLES
    }


def _nsai_sessions(db_url: str, copying: bool = False) -> int:
    return int(
        scalar(
            db_url,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'nsai' AND (NOT %s OR query LIKE 'COPY%%')",
            copying,
        )
    )


def test_a_load_killed_half_way_leaves_nothing_and_the_next_load_works(
    cli: CliRunner, db_url: str, environ: dict[str, str], tmp_path: Path
) -> None:
    preloaded = _big_list(tmp_path / "first.csv", 2_000)
    assert cli("load", str(preloaded), "--source", "big", *LIST_ARGS, environ=environ).code == 0
    before = _checksums(db_url)
    path = _big_list(tmp_path / "big.csv", 300_000, first=1_000)
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as stderr:
        loader = subprocess.Popen(
            [NSAI, "load", str(path), "--source", "big", *LIST_ARGS],
            env={"PATH": os.environ["PATH"], "NSAI_DATABASE_URL": db_url},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 60
        while not _nsai_sessions(db_url, copying=True):
            assert loader.poll() is None, errors.read_text()
            assert time.monotonic() < deadline, "the load never started copying"
            time.sleep(0.05)
        time.sleep(0.5)  # well into staging
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.wait()
    deadline = time.monotonic() + 30
    while _nsai_sessions(db_url):
        assert time.monotonic() < deadline, "the killed load's session did not end"
        time.sleep(0.1)
    assert _checksums(db_url) == before

    result = cli(
        "load",
        str(_big_list(tmp_path / "small.csv", 1_000)),
        "--source",
        "big",
        *LIST_ARGS,
        "--allow-removal",  # half the records go, on purpose
        environ=environ,
    )
    assert result.code == 0, result.err
    assert "records: 0 new, 0 changed, 1,000 removed, 1,000 unchanged" in result.out


def test_a_second_load_into_the_same_source_is_refused_while_one_runs(
    cli: CliRunner, db_url: str, environ: dict[str, str], tmp_path: Path
) -> None:
    path = _big_list(tmp_path / "l.csv", 10)
    assert cli("load", str(path), "--source", "big", *LIST_ARGS, environ=environ).code == 0
    with psycopg.connect(db_url) as running:
        running.execute("SELECT 1 FROM source WHERE name = 'big' FOR UPDATE")  # a load's lock
        again = _big_list(tmp_path / "m.csv", 20)
        result = cli("load", str(again), "--source", "big", *LIST_ARGS, environ=environ)
        assert result.code == 1
        assert "another load into source 'big' is running" in result.err
        other = cli("load", str(path), "--source", "other", *LIST_ARGS, environ=environ)
        assert other.code == 0, other.err
