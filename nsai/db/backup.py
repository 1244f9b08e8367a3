"""Backups with PostgreSQL's own tools: `pg_dump` in its custom format, `pg_restore` in one
transaction (a restore that fails, or is killed, leaves the database as it was). A restore goes
into an empty database only, unless forced, when what is there is dropped first."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL

from nsai.config import Settings
from nsai.db.cluster import find_bindir
from nsai.db.roles import grant_api_role
from nsai.errors import NsaiError


def backup(settings: Settings, url: URL, path: Path) -> None:
    """Dump the database of `url` to `path` (written whole or not at all)."""
    scratch = path.with_name(path.name + ".partial")
    _run(settings, url, "pg_dump", "--format=custom", f"--file={scratch}")
    scratch.replace(path)


def restore(settings: Settings, url: URL, path: Path, *, force: bool) -> None:
    """Restore the dump `path` into the database of `url`: refused if that database holds any
    table of its own, unless `force` (which drops what the dump holds first)."""
    if not path.is_file():
        raise NsaiError(f"{path}: no such backup file")
    with psycopg.connect(_libpq(url, password=True), autocommit=True) as conn:
        (tables,) = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'spatial_ref_sys'"
        ).fetchone() or (0,)
        if tables and not force:
            raise NsaiError(
                f"the database {url.database} already holds {tables} tables: restore into an "
                "empty database, or give --force to replace what it holds"
            )
    options = ["--clean", "--if-exists"] if force else []
    # Without the dump's owners and grants, which name roles this server may not have: the
    # API's role gets its rights again below.
    _run(
        settings,
        url,
        "pg_restore",
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        *options,
        str(path),
    )
    with psycopg.connect(_libpq(url, password=True), autocommit=True) as conn:
        grant_api_role(conn)


def _libpq(url: URL, *, password: bool) -> str:
    """The URL as libpq reads it; without its password for a program's command line, which any
    user of the machine may read (the program gets it in PGPASSWORD)."""
    bare = url.set(drivername="postgresql")
    if not password:
        bare = bare.set(password=None)
    return bare.render_as_string(hide_password=False)


def _run(settings: Settings, url: URL, program: str, *args: str) -> None:
    found = _program(settings, program)
    environ = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    command = [str(found), *args, f"--dbname={_libpq(url, password=False)}"]
    done = subprocess.run(command, capture_output=True, text=True, env=environ)
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        raise NsaiError(f"{program} failed: {said[-1] if said else f'exit code {done.returncode}'}")


def _program(settings: Settings, program: str) -> Path:
    """PostgreSQL's client program, from the server programs' directory when there is one
    (pg_dump must be at least as new as the server), else from PATH."""
    try:
        candidate = find_bindir(settings) / program
        if candidate.is_file():
            return candidate
    except NsaiError:
        pass
    on_path = shutil.which(program)
    if on_path is None:
        raise NsaiError(f"{program} was not found: install PostgreSQL's client programs")
    return Path(on_path)
