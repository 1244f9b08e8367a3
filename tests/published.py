"""A gazetteer with published national records, made by NSAI's own pipeline: `nsai synth`'s
region loaded with `nsai load-manifest` and reconciled, then one pair a steward accepts reconciled
again, so that one UPRN is merged away and the change feed holds updates and a merge too.

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
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO match_decision (record_a, record_b, decision, decided_by) "
            "SELECT r.record_a, r.record_b, 'accept', 'steward' FROM review_item r "
            "JOIN address_link a ON a.record_id = r.record_a "
            "JOIN address_link b ON b.record_id = r.record_b "
            "WHERE a.uprn <> b.uprn ORDER BY r.review_id LIMIT 1"
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
