"""A gazetteer with published national records, made by NSAI's own pipeline: `nsai synth`'s
region loaded with `nsai load-manifest` and reconciled; then a steward splits a list record out
of its property and, thinking better of it, accepts the pair again, and a run merges the UPRN the
split made into the property's: so that one UPRN is merged away and the change feed holds
updates, a split and a merge too.

Import `published` into a conftest.py; the database is read-only for the tests that use it. A
test that writes (a steward's decision) makes its own with `publish`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from nsai.cli import main
from tests.conftest import Server


@dataclass(frozen=True)
class Published:
    url: str
    environ: dict[str, str]

    def query(self, statement: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(statement, params).fetchall()

    def scalar(self, statement: str, *params: object) -> Any:
        return self.query(statement, *params)[0][0]


def publish(server: Server, template_db: str, region: Path, home: Path) -> Published:
    """A new database holding the gazetteer described above (for a test that writes to it)."""
    url = server.url(server.create_database(template=template_db))
    environ = {"NSAI_DATABASE_URL": url, "NSAI_HOME": str(home / ".nsai")}
    assert main(["load-manifest", str(region / "manifest.json")], environ) == 0
    assert main(["reconcile"], environ) == 0
    pair = (
        "SELECT s.name, r.source_ref, r.record_id FROM address_link l "
        "JOIN source_record r USING (record_id) JOIN source s USING (source_id) "
        "WHERE l.uprn = (SELECT uprn FROM address_link GROUP BY uprn HAVING count(*) = 2 "
        "                ORDER BY uprn LIMIT 1) ORDER BY s.kind DESC, r.record_id"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        (source, ref, listed), (_, _, council) = conn.execute(pair).fetchall()
    assert main(["steward", "split", source, ref, "--reason", "not the same"], environ) == 0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE match_decision SET decision = 'accept', decided_at = now() "
            "WHERE record_a = least(%s, %s) AND record_b = greatest(%s, %s)",
            (listed, council, listed, council),
        )
    assert main(["reconcile"], environ) == 0
    done = Published(url, environ)
    assert done.scalar("SELECT count(*) FROM national_address WHERE status = 'merged'") >= 1
    return done


@pytest.fixture(scope="session")
def published(
    server: Server, template_db: str, region: Path, tmp_path_factory: pytest.TempPathFactory
) -> Published:
    return publish(server, template_db, region, tmp_path_factory.mktemp("published"))
