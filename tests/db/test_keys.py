"""`nsai keys create|list|revoke` against the test database: the secret shown once, only a hash
stored, and one-line errors for every refusal."""

from __future__ import annotations

import json

import psycopg
import pytest

from nsai.api_keys import digest, prefix_of
from tests.conftest import CliRunner


def _create(cli: CliRunner, environ: dict[str, str], name: str, scopes: str) -> str:
    result = cli("keys", "create", "--name", name, "--scopes", scopes, environ=environ)
    assert result.code == 0, result.err
    return result.out.strip()


def test_create_prints_the_key_once_and_stores_only_its_hash(
    cli: CliRunner, environ: dict[str, str], db_url: str
) -> None:
    result = cli("keys", "create", "--name", "ctax", "--scopes", "match,read", environ=environ)
    assert result.code == 0, result.err
    key = result.out.strip()
    assert result.out == key + "\n"  # nothing else on stdout: KEY=$(nsai keys create ...)
    prefix = prefix_of(key)
    assert prefix is not None
    assert f"created key 'ctax' (prefix {prefix}, scopes read,match)" in result.err
    assert "shown only this once" in result.err
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT name, prefix, key_hash, scopes FROM api_key").fetchall()
    assert rows == [("ctax", prefix, digest(key), ["read", "match"])]
    secret = key.split("_", 2)[2]  # the prefix is hex; the secret may hold "_"
    assert secret not in rows[0][2]
    listed = cli("keys", "list", environ=environ)
    assert listed.code == 0
    assert prefix in listed.out
    assert secret not in listed.out
    assert digest(key) not in listed.out


def test_two_keys_differ(cli: CliRunner, environ: dict[str, str]) -> None:
    first = _create(cli, environ, "a", "read")
    second = _create(cli, environ, "b", "read")
    assert first != second
    assert prefix_of(first) != prefix_of(second)


def test_list_as_json_and_empty(cli: CliRunner, environ: dict[str, str]) -> None:
    empty = cli("keys", "list", environ=environ)
    assert empty.code == 0
    assert empty.out.strip().startswith("no API keys yet")
    key = _create(cli, environ, "steward-team", "steward,read")
    result = cli("keys", "list", "--json", environ=environ)
    assert result.code == 0
    (row,) = json.loads(result.out)
    assert row["name"] == "steward-team"
    assert row["prefix"] == prefix_of(key)
    assert row["scopes"] == "read,steward"
    assert row["revoked_at"] is None
    assert row["last_used_at"] is None
    assert set(row) == {"name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"}


def test_revoke_marks_the_key_and_refuses_a_second_time(
    cli: CliRunner, environ: dict[str, str]
) -> None:
    _create(cli, environ, "old", "read")
    result = cli("keys", "revoke", "old", environ=environ)
    assert result.code == 0, result.err
    assert "revoked key 'old'" in result.out
    assert "within 30 s (NSAI_API_KEY_CACHE_SECONDS)" in result.out
    (row,) = json.loads(cli("keys", "list", "--json", environ=environ).out)
    assert row["revoked_at"] is not None
    again = cli("keys", "revoke", "old", environ=environ)
    assert again.code == 1
    assert again.err.startswith("nsai: error: the key named 'old' was already revoked at ")


def test_revoke_of_an_unknown_key(cli: CliRunner, environ: dict[str, str]) -> None:
    result = cli("keys", "revoke", "nobody", environ=environ)
    assert result.code == 1
    assert result.err.strip() == "nsai: error: no key named 'nobody': see `nsai keys list`"


def test_a_name_is_taken_for_good(cli: CliRunner, environ: dict[str, str]) -> None:
    _create(cli, environ, "fire", "read")
    duplicate = cli("keys", "create", "--name", "fire", environ=environ)
    assert duplicate.code == 1
    assert duplicate.err.strip().startswith(
        "nsai: error: a key named 'fire' already exists (active): choose another name"
    )
    assert cli("keys", "revoke", "fire", environ=environ).code == 0
    after = cli("keys", "create", "--name", "fire", environ=environ)
    assert after.code == 1
    assert "already exists (revoked at " in after.err


@pytest.mark.parametrize(
    ("name", "scopes", "error"),
    [
        ("x", "read,admin", "unknown scope 'admin': choose from read, match, steward"),
        ("x", "Read", "unknown scope 'Read': choose from read, match, steward"),
        ("x", " , ", "give at least one scope: read, match, steward"),
        ("", "read", "a key needs a name: --name NAME"),
        ("   ", "read", "a key needs a name: --name NAME"),
    ],
)
def test_create_refuses_bad_input(
    cli: CliRunner, environ: dict[str, str], db_url: str, name: str, scopes: str, error: str
) -> None:
    result = cli("keys", "create", "--name", name, "--scopes", scopes, environ=environ)
    assert result.code == 1
    assert result.err.strip() == f"nsai: error: {error}"
    assert result.out == ""
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM api_key").fetchone() == (0,)
