"""NSAI_DATABASE_URL mode: an existing server, and clear errors when it is wrong."""

from __future__ import annotations

import json
import secrets
import socket
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.conftest import MIGRATIONS, CliRunner, Server, plain_url


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {"NSAI_DATABASE_URL": url, "NSAI_HOME": str(tmp_path / ".nsai")}


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nsai: error: ")
    return lines[0]


def test_status_reports_the_server_postgis_and_migrations(
    cli: CliRunner, environ: dict[str, str]
) -> None:
    result = cli("db", "status", "--json", environ=environ)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["mode"] == "url"
    assert report["server"].startswith("PostgreSQL ")
    assert report["postgis"][0].isdigit()
    assert report["migrations"] == f"{MIGRATIONS} applied, 0 pending"


def test_url_mode_never_creates_a_local_cluster(
    cli: CliRunner, environ: dict[str, str], tmp_path: Path
) -> None:
    assert cli("db", "migrate", environ=environ).code == 0
    assert not (tmp_path / ".nsai").exists()


def test_a_malformed_url_is_one_clear_error(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("db", "migrate", environ=_env("not a url", tmp_path))
    assert result.code == 1
    assert "NSAI_DATABASE_URL is not a database URL" in _one_error_line(result.err)


def test_a_non_postgres_url_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("db", "migrate", environ=_env("mysql://u@localhost/x", tmp_path))
    assert result.code == 1
    assert "must be a postgresql:// URL" in _one_error_line(result.err)


def test_an_unreachable_server_is_one_clear_error(cli: CliRunner, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli("db", "migrate", environ=_env(f"postgresql://u@127.0.0.1:{port}/x", tmp_path))
    assert result.code == 1
    line = _one_error_line(result.err)
    assert f"cannot connect to the database at 127.0.0.1:{port}/x" in line
    assert "check NSAI_DATABASE_URL" in line


def test_a_wrong_password_is_one_clear_error(
    cli: CliRunner, server: Server, tmp_path: Path
) -> None:
    role = f"nsai_pw_{secrets.token_hex(4)}"
    with psycopg.connect(plain_url(server.admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'right'").format(sql.Identifier(role)))
    try:
        url = server.url("postgres", user=role, password="wrong")
        result = cli("db", "status", environ=_env(url, tmp_path))
        assert result.code == 1
        assert "cannot connect" in _one_error_line(result.err)
    finally:
        with psycopg.connect(plain_url(server.admin_url), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_a_user_who_may_not_enable_postgis_is_told_what_to_ask_for(
    cli: CliRunner, server: Server, tmp_path: Path
) -> None:
    role = f"nsai_limited_{secrets.token_hex(4)}"
    with psycopg.connect(plain_url(server.admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw'").format(sql.Identifier(role)))
    name = server.create_database(owner=role)
    try:
        url = server.url(name, user=role, password="pw")
        result = cli("db", "migrate", environ=_env(url, tmp_path))
        assert result.code == 1
        line = _one_error_line(result.err)
        assert f"user '{role}' lacks" in line
        assert "CREATE EXTENSION postgis" in line
        with psycopg.connect(server.url(name)) as conn:
            assert conn.execute("SELECT to_regclass('source')").fetchone() == (None,)
    finally:
        server.drop(name)
        with psycopg.connect(plain_url(server.admin_url), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_what_the_database_refuses_is_one_line(
    cli: CliRunner, server: Server, tmp_path: Path
) -> None:
    unmigrated = server.url(server.create_database())
    result = cli("sources", environ=_env(unmigrated, tmp_path))
    assert result.code == 1
    line = _one_error_line(result.err)
    assert 'the database refused this (relation "source" does not exist' in line


def test_api_login_gives_the_apis_url_its_role(
    cli: CliRunner, server: Server, template_db: str, tmp_path: Path
) -> None:
    name = server.create_database(template=template_db)
    user = f"nsai_web_{secrets.token_hex(3)}"
    environ = _env(server.url(name), tmp_path)
    # Again: the password follows the URL, whatever it holds ("%" is no placeholder).
    for password in ("first", "pa%s%%wo'rd"):
        api = server.url(name, user=user, password=password)
        out = cli("db", "api-login", environ=environ | {"NSAI_API_DATABASE_URL": api})
        assert out.code == 0, out.err
        assert f"the API logs in as {user} (a member of nsai_api)" in out.out
        with psycopg.connect(plain_url(api)) as conn:
            assert conn.execute("SELECT count(*) FROM national_address").fetchone() == (0,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("CREATE TABLE taken (n int)")
            conn.rollback()
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(user)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(user)))
    assert cli("db", "api-login", environ=environ).out.startswith(
        "NSAI_API_DATABASE_URL is not set"
    )
