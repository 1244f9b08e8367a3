"""What the benchmarks of real data share: the data, a scratch database each, the CLI."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
NSAI = str(Path(sys.executable).with_name("nsai"))
REAL = Path(os.environ.get("NSAI_REAL_DATA", REPO.parent / "shared" / "real"))
MERTHYR = REAL / "merthyr-tydfil-wards-a-e.csv"


def admin_url() -> str:
    """The maintenance database of the bench's server (NSAI_BENCH_DATABASE_URL, else the
    managed cluster's)."""
    url = os.environ.get("NSAI_BENCH_DATABASE_URL")
    if url is None:
        out = subprocess.run(
            [NSAI, "db", "url"], capture_output=True, text=True, check=True, cwd=REPO
        )
        url = out.stdout.strip()
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def env(url: str) -> dict[str, str]:
    """The environment of an `nsai` process on the database `url`, nothing else inherited but
    the weights chosen to score (NSAI_MATCH_WEIGHTS, when set)."""
    chosen = {k: v for k, v in os.environ.items() if k == "NSAI_MATCH_WEIGHTS"}
    return {"PATH": os.environ["PATH"], "NSAI_DATABASE_URL": url, **chosen}


def nsai(url: str, *args: str) -> str:
    """`nsai ARGS` on the database `url`; its output, or a RuntimeError with its error."""
    out = subprocess.run([NSAI, *args], env=env(url), capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"nsai {' '.join(args)} failed: {out.stderr[-2000:]}")
    return out.stdout


def fresh_database(admin: str, name: str) -> str:
    """The URL of a new, migrated database `name` (dropped first if it is there)."""
    drop_database(admin, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    nsai(url, "db", "migrate")
    return url


def copy_database(admin: str, source: str, name: str) -> str:
    """The URL of a new database `name`, a copy of the database `source` (no one connected)."""
    drop_database(admin, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(source)
            )
        )
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_database(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def merthyr_rows() -> list[dict[str, str]]:
    """The Merthyr Tydfil list's rows, each with a ref of its own (a few UPRNs appear twice)."""
    with MERTHYR.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for n, row in enumerate(rows, 1):
        row["ref"] = f"M{n}"
    return rows
