"""Fixtures: a real PostGIS server, a uniquely named test database per run, the CLI in-process.

The server is NSAI_TEST_DATABASE_URL when set (any PostGIS server a superuser can reach),
otherwise the repository's own managed cluster in .nsai/, started on demand. If neither can be
reached the suite errors: database tests never skip. In CI (CI=true) a skipped test fails the run.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine

from nsai.cli import main
from nsai.config import Settings
from nsai.db.cluster import LocalCluster
from nsai.db.engine import to_sqlalchemy_url
from nsai.db.migrate import discover, migrate, sql_dir

REPO = Path(__file__).resolve().parents[1]
MIGRATIONS = len(discover(sql_dir()))
RUN_ID = f"{os.getpid()}_{secrets.token_hex(3)}"


def database_url(admin_url: str, name: str) -> str:
    """The admin URL with another database name."""
    return to_sqlalchemy_url(admin_url).set(database=name).render_as_string(hide_password=False)


def plain_url(url: str) -> str:
    """A postgresql:// URL as psycopg takes it (without SQLAlchemy's +psycopg)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@dataclass
class Server:
    """The PostgreSQL server the tests run against, and the databases this run made on it."""

    admin_url: str
    created: list[str]

    def create_database(self, *, template: str | None = None, owner: str | None = None) -> str:
        name = f"nsai_test_{RUN_ID}_{len(self.created)}"
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        if owner:
            query += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
        with psycopg.connect(plain_url(self.admin_url), autocommit=True) as conn:
            conn.execute(query)
        self.created.append(name)
        return name

    def url(self, name: str, *, user: str | None = None, password: str | None = None) -> str:
        url = to_sqlalchemy_url(self.admin_url).set(database=name)
        if user is not None:
            url = url.set(username=user, password=password)
        return plain_url(url.render_as_string(hide_password=False))

    def drop(self, name: str) -> None:
        with psycopg.connect(plain_url(self.admin_url), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def drop_all(self) -> None:
        for name in reversed(self.created):
            self.drop(name)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    admin = os.environ.get("NSAI_TEST_DATABASE_URL")
    if not admin:
        admin = LocalCluster(Settings(home=REPO / ".nsai")).ensure_running(create=True)
        admin = database_url(admin, "postgres")
    with psycopg.connect(plain_url(admin), connect_timeout=10) as conn:
        conn.execute("SELECT 1")
    srv = Server(admin, [])
    yield srv
    srv.drop_all()


@pytest.fixture(scope="session")
def template_db(server: Server) -> str:
    """A database with every migration applied, cloned by the databases tests use."""
    name = server.create_database()
    engine = create_engine(to_sqlalchemy_url(server.url(name)))
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return name


@pytest.fixture(scope="session")
def _shared_db(server: Server, template_db: str) -> str:
    return server.url(server.create_database(template=template_db))


def _user_tables(conn: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    rows = conn.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_migration'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
        """
    ).fetchall()
    return [str(r[0]) for r in rows]


@pytest.fixture
def db_url(_shared_db: str) -> Iterator[str]:
    """A migrated database, emptied after each test (code under test commits for real)."""
    yield _shared_db
    with psycopg.connect(_shared_db, autocommit=True) as conn:
        tables = _user_tables(conn)
        if tables:
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in tables)
                )
            )


@pytest.fixture
def environ(db_url: str, tmp_path: Path) -> dict[str, str]:
    """An NSAI environment on the test database (URL mode)."""
    return {"NSAI_DATABASE_URL": db_url, "NSAI_HOME": str(tmp_path / ".nsai")}


@pytest.fixture(scope="session")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`nsai synth` output for three councils, a county, a CSV list and a GeoJSON list."""
    out = tmp_path_factory.mktemp("synth") / "region"
    assert (
        main(["synth", str(out), "--councils", "3", "--properties", "600", "--seed", "7"], {}) == 0
    )
    return out


@pytest.fixture(scope="session")
def manifest(region: Path) -> dict[str, Any]:
    loaded = json.loads((region / "manifest.json").read_text())
    assert isinstance(loaded, dict)
    return loaded


@dataclass
class CliResult:
    code: int
    out: str
    err: str


CliRunner = Callable[..., CliResult]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run `nsai ARGS` in-process with an explicit environment."""

    def run(*args: str, environ: dict[str, str]) -> CliResult:
        capsys.readouterr()
        code = main(list(args), environ)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(
            f"CI: {len(skipped)} test(s) skipped; every test must run in CI", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
