"""A load is all or nothing, even killed with SIGKILL half-way; loads into one source queue."""

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
from tests.loaders.conftest import scalar, snapshot

NSAI = shutil.which("nsai", path=str(Path(sys.executable).parent)) or "nsai"
LIST_ARGS = [
    "--source",
    "big",
    "--id-column",
    "ref",
    "--address-columns",
    "address,town",
    "--postcode-column",
    "postcode",
]


def _big_list(path: Path, rows: int) -> Path:
    with path.open("w") as out:
        out.write("ref,address,town,postcode\n")
        for i in range(rows):
            out.write(f"R{i},{i % 500 + 1} Mill Lane,Oldtown,AB1 {i % 9}CD\n")
    return path


def _copying(db_url: str) -> bool:
    return bool(
        scalar(
            db_url,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'nsai' "
            "AND query LIKE 'COPY%%'",
        )
    )


def test_a_load_killed_half_way_leaves_nothing_and_the_next_load_works(
    cli: CliRunner, db_url: str, environ: dict[str, str], tmp_path: Path
) -> None:
    path = _big_list(tmp_path / "big.csv", 300_000)
    before = snapshot(db_url)
    loader = subprocess.Popen(
        [NSAI, "load", str(path), *LIST_ARGS],
        env={"PATH": os.environ["PATH"], "NSAI_DATABASE_URL": db_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _copying(db_url):
            assert loader.poll() is None, "the load ended before it could be killed"
            assert time.monotonic() < deadline, "the load never started copying"
            time.sleep(0.05)
        time.sleep(0.5)  # well into staging
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.wait()
    deadline = time.monotonic() + 30
    while scalar(db_url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'nsai'"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert snapshot(db_url) == before

    small = _big_list(tmp_path / "small.csv", 1_000)
    result = cli("load", str(small), *LIST_ARGS, environ=environ)
    assert result.code == 0, result.err
    assert scalar(db_url, "SELECT count(*) FROM source_record") == 1_000


def test_a_second_load_into_the_same_source_is_refused_while_one_runs(
    cli: CliRunner, db_url: str, environ: dict[str, str], tmp_path: Path
) -> None:
    path = _big_list(tmp_path / "l.csv", 10)
    with psycopg.connect(db_url) as running:
        running.execute("SELECT pg_advisory_xact_lock(hashtext('nsai.load'), hashtext('big'))")
        result = cli("load", str(path), *LIST_ARGS, environ=environ)
        assert result.code == 1
        assert "another load into source 'big' is running" in result.err
        other = cli("load", str(path), *LIST_ARGS[2:], "--source", "other", environ=environ)
        assert other.code == 0, other.err
