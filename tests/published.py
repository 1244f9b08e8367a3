"""A gazetteer with published national records, made by NSAI's own pipeline: `nsai synth`'s
region loaded with `nsai load-manifest`, with a list of three of its houses written so that the
matcher is unsure of them (two slips in the street), reconciled; then one of those pairs a steward
accepts reconciled again, so that one UPRN is merged away, the change feed holds updates and a
merge too, and two review items stay open.

Import `published` into a conftest.py; the database is read-only for the tests that use it. A
test that writes (a steward's decision) makes its own with `publish`.
"""

from __future__ import annotations

import csv
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
    callers: dict[tuple[str, str], str]  # the unsure list's truth: (source, ref) -> true_id

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
    unsure, callers = _unsure_list(region, home)
    assert main(["load", str(unsure), "--source", "callers", "--id-column", "ref",
                 "--address-columns", "address", "--x-column", "x", "--y-column", "y",
                 "--crs", "EPSG:27700"], environ) == 0  # fmt: skip
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
    done = Published(url, environ, callers)
    assert done.scalar("SELECT count(*) FROM national_address WHERE status = 'merged'") >= 1
    return done


def _unsure_list(region: Path, home: Path) -> tuple[Path, dict[tuple[str, str], str]]:
    """Three numbered houses of the region, each street written with two slips ("CUHRCH
    STREE") and the postcode kept: a pair the matcher asks a steward about."""
    with (region / "properties.csv").open(newline="") as handle:
        houses = [
            row
            for row in csv.DictReader(handle)
            if row["class"].startswith("RD0")
            and row["class"] != "RD06"
            and row["pao_numbers"]
            and not row["sao"]
            and not row["pao_text"]
            and len(row["street"].split()[0]) >= 5
        ][:3]
    path = home / "callers.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "address", "x", "y"])
        for n, row in enumerate(houses, 1):
            first, *rest = row["street"].split()
            slipped = " ".join([first[0] + first[2] + first[1] + first[3:], *rest])[:-1]
            line = f"{row['pao_numbers']} {slipped}, {row['town']}, {row['postcode']}"
            # A caller's point about 30 m off, on the map beside the house's.
            writer.writerow([f"C{n}", line, float(row["x"]) + 20, float(row["y"]) + 20])
    return path, {("callers", f"C{n}"): row["true_id"] for n, row in enumerate(houses, 1)}


@pytest.fixture(scope="session")
def published(
    server: Server, template_db: str, region: Path, tmp_path_factory: pytest.TempPathFactory
) -> Published:
    return publish(server, template_db, region, tmp_path_factory.mktemp("published"))
