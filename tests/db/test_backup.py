"""`nsai db backup` and `nsai db restore`: a reconciled gazetteer backed up, restored into a new
database, holds the same rows in every national table and answers the API the same."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from nsai.config import Settings
from tests.conftest import CliRunner, Server
from tests.loaders.conftest import scalar
from tests.published import publish

TABLES = (
    "national_address",
    "address_link",
    "uprn_alias",
    "change_event",
    "review_item",
    "source_record",
    "steward_operation",
    "schema_migration",
)


def _checksums(url: str) -> dict[str, str]:
    return {
        table: scalar(
            url,
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t",
        )
        for table in TABLES
    }


def _answers(url: str, home: Path, uprn: int, line: str) -> list[object]:
    settings = Settings(database_url=url, home=home, anonymous_reads=True)
    with TestClient(create_app(settings)) as client:
        return [
            client.get(path, params=params).json()
            for path, params in (
                (f"/v1/addresses/{uprn}", {}),
                (f"/v1/addresses/{uprn}/sources", {}),
                ("/v1/search", {"q": line}),
                ("/v1/changes", {"limit": 50}),
            )
        ]


def test_a_gazetteer_backed_up_and_restored_is_the_same(
    server: Server, template_db: str, region: Path, tmp_path: Path, cli: CliRunner
) -> None:
    gazetteer = publish(server, template_db, region, tmp_path)
    dump = tmp_path / "nsai.dump"
    out = cli("db", "backup", str(dump), environ=gazetteer.environ)
    assert out.code == 0, out.err
    assert "backed up to" in out.out
    restored = server.url(server.create_database())  # empty: no PostGIS, no tables
    there = {"NSAI_DATABASE_URL": restored, "NSAI_HOME": str(tmp_path / ".nsai")}
    out = cli("db", "restore", str(dump), environ=there)
    assert out.code == 0, out.err
    assert _checksums(restored) == _checksums(gazetteer.url)
    uprn, line = gazetteer.query(
        "SELECT uprn, single_line FROM national_address WHERE status = 'active' ORDER BY uprn "
        "LIMIT 1"
    )[0]
    assert _answers(restored, tmp_path, uprn, line) == _answers(gazetteer.url, tmp_path, uprn, line)

    # Not over a database that holds something, unless forced.
    refused = cli("db", "restore", str(dump), environ=there)
    assert refused.code == 1
    assert "already holds" in refused.err
    assert "--force" in refused.err
    assert cli("db", "restore", str(dump), "--force", environ=there).code == 0
    assert _checksums(restored) == _checksums(gazetteer.url)


def test_a_backup_that_is_not_one_changes_nothing(
    server: Server, template_db: str, tmp_path: Path, cli: CliRunner
) -> None:
    url = server.url(server.create_database())
    environ = {"NSAI_DATABASE_URL": url, "NSAI_HOME": str(tmp_path / ".nsai")}
    missing = cli("db", "restore", str(tmp_path / "nothing.dump"), environ=environ)
    assert missing.code == 1
    assert "no such backup file" in missing.err
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really")
    out = cli("db", "restore", str(broken), environ=environ)
    assert out.code == 1
    assert "pg_restore failed" in out.err
    assert scalar(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
