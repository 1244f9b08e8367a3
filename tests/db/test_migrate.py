"""Migrations: applied in order, once, each all or nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine

from nsai.db.engine import to_sqlalchemy_url
from nsai.db.migrate import discover, migrate, sql_dir, status
from nsai.errors import NsaiError
from tests.conftest import CliRunner, Server


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {str(r[0]) for r in rows}


def _ledger(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT version, name FROM schema_migration ORDER BY version"
        ).fetchall()


@pytest.fixture
def empty_db(server: Server) -> str:
    return server.url(server.create_database())


def test_migrate_applies_everything_in_order_then_nothing(empty_db: str) -> None:
    engine = create_engine(to_sqlalchemy_url(empty_db))
    try:
        first = migrate(engine)
        second = migrate(engine)
        states = status(engine)
    finally:
        engine.dispose()
    expected = discover(sql_dir())
    assert [m.label for m in first] == [m.label for m in expected]
    assert second == []
    assert all(s.applied_at is not None for s in states)
    assert [v for v, _ in _ledger(empty_db)] == [m.version for m in expected]
    assert {
        "source",
        "load_batch",
        "source_record",
        "quarantine",
        "street",
        "national_address",
        "address_link",
        "change_event",
        "api_key",
        "custodian",
    } <= _tables(empty_db)


def test_cli_migrate_twice_is_a_no_op(cli: CliRunner, empty_db: str, tmp_path: Path) -> None:
    env = {"NSAI_DATABASE_URL": empty_db, "NSAI_HOME": str(tmp_path)}
    first = cli("db", "migrate", environ=env)
    assert first.code == 0, first.err
    assert "applied 001_initial_schema" in first.out
    second = cli("db", "migrate", environ=env)
    assert second.code == 0
    assert "is up to date" in second.out
    assert len(_ledger(empty_db)) == len(discover(sql_dir()))


def _write(directory: Path, name: str, body: str) -> None:
    (directory / name).write_text(body)


def test_a_failing_migration_is_rolled_back_and_earlier_ones_kept(
    empty_db: str, tmp_path: Path
) -> None:
    _write(tmp_path, "001_first.sql", "CREATE TABLE first_table (id int);")
    _write(
        tmp_path,
        "002_second.sql",
        "CREATE TABLE half_done (id int);\nINSERT INTO half_done VALUES (1);\nSELECT 1/0;",
    )
    engine = create_engine(to_sqlalchemy_url(empty_db))
    try:
        with pytest.raises(NsaiError, match=r"migration 002_second failed .*division by zero"):
            migrate(engine, tmp_path)
        assert [v for v, _ in _ledger(empty_db)] == [1]
        assert "first_table" in _tables(empty_db)
        assert "half_done" not in _tables(empty_db)

        _write(tmp_path, "002_second.sql", "CREATE TABLE half_done (id int);")
        assert [m.label for m in migrate(engine, tmp_path)] == ["002_second"]
    finally:
        engine.dispose()
    assert "half_done" in _tables(empty_db)


def test_an_applied_migration_that_changed_is_refused(empty_db: str, tmp_path: Path) -> None:
    _write(tmp_path, "001_first.sql", "CREATE TABLE t (id int);")
    engine = create_engine(to_sqlalchemy_url(empty_db))
    try:
        migrate(engine, tmp_path)
        _write(tmp_path, "001_first.sql", "CREATE TABLE t (id bigint);")
        with pytest.raises(NsaiError, match="was changed after it was applied"):
            migrate(engine, tmp_path)
    finally:
        engine.dispose()


def test_a_database_newer_than_the_code_is_refused(empty_db: str, tmp_path: Path) -> None:
    _write(tmp_path, "001_first.sql", "CREATE TABLE t (id int);")
    _write(tmp_path, "002_second.sql", "CREATE TABLE u (id int);")
    engine = create_engine(to_sqlalchemy_url(empty_db))
    try:
        migrate(engine, tmp_path)
        (tmp_path / "002_second.sql").unlink()
        with pytest.raises(NsaiError, match="migration 002, which this version of NSAI"):
            migrate(engine, tmp_path)
    finally:
        engine.dispose()


def test_concurrent_migrations_apply_each_file_once(empty_db: str) -> None:
    engine = create_engine(to_sqlalchemy_url(empty_db))
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(len(migrate(engine)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == []
    assert sorted(results) == [0, 0, len(discover(sql_dir()))]


def test_migration_files_must_be_well_named(tmp_path: Path) -> None:
    _write(tmp_path, "1_bad.sql", "")
    with pytest.raises(NsaiError, match=r"is not named NNN_name\.sql"):
        discover(tmp_path)
    (tmp_path / "1_bad.sql").unlink()
    _write(tmp_path, "001_a.sql", "")
    _write(tmp_path, "001_b.sql", "")
    with pytest.raises(NsaiError, match="two migrations share number 001"):
        discover(tmp_path)
