"""Numbered SQL migrations (sql/NNN_name.sql), applied in order, each recorded in one transaction.

A migration and the row recording it commit together, so a migration that fails half-way leaves
nothing behind, and running `migrate` twice applies nothing the second time. A session advisory
lock lets concurrent runs wait for each other instead of racing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy.engine import Engine

from nsai.db.engine import describe, driver_connection
from nsai.db.roles import grant_api_role
from nsai.errors import NsaiError, first_line

MIGRATION_FILE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
LOCK_KEY = 0x4E534149  # "NSAI"
REQUIRED_EXTENSIONS = ("postgis", "pg_trgm")

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS schema_migration (
    version     integer PRIMARY KEY,
    name        text        NOT NULL,
    checksum    text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version:03d}_{self.name}"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass(frozen=True)
class MigrationState:
    migration: Migration
    applied_at: datetime | None


def sql_dir() -> Path:
    """The migrations: inside the package when installed from a wheel, else the repo's sql/."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "sql", package.parent / "sql"):
        if candidate.is_dir():
            return candidate
    raise NsaiError(f"the migrations directory (sql/) was not found beside {package}")


def discover(directory: Path) -> list[Migration]:
    """The migrations in `directory`, in order; refuses misnamed or duplicate files."""
    migrations: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = MIGRATION_FILE.match(path.name)
        if match is None:
            raise NsaiError(f"{path} is not named NNN_name.sql (digits, then lower-case words)")
        version = int(match.group(1))
        if version in migrations:
            raise NsaiError(f"two migrations share number {version:03d} in {directory}")
        migrations[version] = Migration(version, match.group(2), path.read_text(encoding="utf-8"))
    return [migrations[v] for v in sorted(migrations)]


@contextmanager
def _locked(engine: Engine) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with driver_connection(engine) as conn:
        conn.autocommit = True
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            yield conn
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
            # The connection goes back to the pool: leave it as the pool lent it.
            conn.autocommit = False


def _applied(conn: psycopg.Connection[tuple[object, ...]]) -> dict[int, tuple[str, datetime]]:
    if conn.execute("SELECT to_regclass('schema_migration')").fetchone() == (None,):
        return {}
    rows = conn.execute("SELECT version, checksum, applied_at FROM schema_migration").fetchall()
    return {int(v): (str(c), a) for v, c, a in rows}  # type: ignore[misc, call-overload]


def _check_history(migrations: list[Migration], applied: dict[int, tuple[str, datetime]]) -> None:
    known = {m.version: m for m in migrations}
    for version, (checksum, _) in sorted(applied.items()):
        if version not in known:
            raise NsaiError(
                f"the database has migration {version:03d}, which this version of NSAI "
                "does not know: upgrade NSAI"
            )
        if known[version].checksum != checksum:
            raise NsaiError(
                f"migration {known[version].label} was changed after it was applied: "
                "restore the file, and put the change in a new migration"
            )


def _require_extensions(conn: psycopg.Connection[tuple[object, ...]], where: str) -> None:
    rows = conn.execute(
        "SELECT name FROM pg_available_extensions WHERE name = ANY(%s)",
        (list(REQUIRED_EXTENSIONS),),
    ).fetchall()
    missing = sorted(set(REQUIRED_EXTENSIONS) - {str(r[0]) for r in rows})
    if missing:
        major = (conn.info.server_version // 10000) or 15
        raise NsaiError(
            f"{' and '.join(missing)} not installed on the server at {where}: install it there "
            f"(Debian: apt-get install postgresql-{major}-postgis-3 postgresql-contrib)"
        )


def migrate(engine: Engine, directory: Path | None = None) -> list[Migration]:
    """Apply the pending migrations in order; returns those applied (empty when up to date)."""
    migrations = discover(directory or sql_dir())
    where = describe(engine.url)
    done: list[Migration] = []
    with _locked(engine) as conn:
        conn.execute(LEDGER_DDL)
        applied = _applied(conn)
        _check_history(migrations, applied)
        pending = [m for m in migrations if m.version not in applied]
        if pending:
            _require_extensions(conn, where)
        for migration in pending:
            try:
                with conn.transaction():
                    conn.execute(migration.sql.encode())
                    conn.execute(
                        "INSERT INTO schema_migration (version, name, checksum) "
                        "VALUES (%s, %s, %s)",
                        (migration.version, migration.name, migration.checksum),
                    )
            except pg_errors.InsufficientPrivilege as exc:
                raise NsaiError(
                    f"migration {migration.label} needs rights that user "
                    f"{engine.url.username!r} lacks in {where} ({first_line(exc)}): ask an "
                    "administrator to run CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm; "
                    "there, or connect as the database owner"
                ) from None
            except psycopg.Error as exc:
                raise NsaiError(
                    f"migration {migration.label} failed and was rolled back, with the "
                    f"earlier ones kept: {first_line(exc)}"
                ) from None
            done.append(migration)
        if directory is None:
            # The API's role gets its rights on what the migrations made, whenever it exists.
            grant_api_role(conn)
    return done


def status(engine: Engine, directory: Path | None = None) -> list[MigrationState]:
    """Every known migration with the time it was applied (None when pending)."""
    migrations = discover(directory or sql_dir())
    with driver_connection(engine) as conn:
        applied = _applied(conn)
        conn.rollback()
    _check_history(migrations, applied)
    return [
        MigrationState(m, applied[m.version][1] if m.version in applied else None)
        for m in migrations
    ]


def require_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is behind this NSAI's."""
    pending = [s.migration.label for s in status(engine) if s.applied_at is None]
    if pending:
        raise NsaiError(
            f"the database at {describe(engine.url)} needs `nsai db migrate` "
            f"(pending: {', '.join(pending)})"
        )
