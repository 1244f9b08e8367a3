"""A small gazetteer reconciled by the real job, for stewards' operations to work on.

llpg-1505 (Oldtown, Mill Lane): 100001 Rose Cottage, 100002 Ivy House, 100003 No. 3, 100004
No. 4, 100005 No. 5. A list `l`: L1 "Rose Cotage" (unsure against Rose Cottage: a review
item), L2 "The Ivy" (Ivy House, as a steward knows, but not a candidate), L3 and L4 (matched
with 3 and 4), L9 "9 Mill Lane" (a property of its own).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from nsai.config import Settings
from nsai.db.engine import to_sqlalchemy_url
from nsai.match.job import Report, reconcile
from tests.conftest import CliRunner
from tests.loaders.conftest import query, scalar
from tests.loaders.dtf_builder import Dtf

LIST = (
    "ref,address\n"
    'L1,"Rose Cotage, Mill Lane, Oldtown"\n'
    'L2,"The Ivy, Mill Lane, Oldtown"\n'
    'L3,"3 Mill Lane, Oldtown"\n'
    'L4,"4 Mill Ln, Oldtown"\n'
    'L9,"9 Mill Lane, Oldtown"\n'
)


@dataclass
class Gazetteer:
    url: str
    engine: Engine
    settings: Settings
    tmp: Path
    cli: CliRunner
    environ: dict[str, str]

    def reconcile(self, **kwargs: Any) -> Report:
        return reconcile(self.engine, self.settings, **kwargs)

    def record(self, ref: str) -> int:
        return int(
            scalar(
                self.url,
                "SELECT record_id FROM source_record WHERE source_ref = %s "
                "AND removed_batch_id IS NULL",
                ref,
            )
        )

    def uprn_of(self, ref: str) -> int:
        return int(
            scalar(
                self.url,
                "SELECT l.uprn FROM address_link l JOIN source_record r USING (record_id) "
                "WHERE r.source_ref = %s AND r.removed_batch_id IS NULL",
                ref,
            )
        )

    def national(self, uprn: int) -> tuple[Any, ...]:
        """(status, successor_uprn, version, single_line, postcode) of a national record."""
        return query(
            self.url,
            "SELECT status, successor_uprn, version, single_line, postcode "
            "FROM national_address WHERE uprn = %s",
            uprn,
        )[0]

    def review_of(self, ref: str) -> tuple[int, int]:
        """(review_id, version) of the open item holding record `ref`."""
        record = self.record(ref)
        rows = query(
            self.url,
            "SELECT review_id, version FROM review_item WHERE %s IN (record_a, record_b) "
            "AND status IN ('open', 'deferred')",
            record,
        )
        assert rows, f"no review item holds {ref}"
        return int(rows[0][0]), int(rows[0][1])

    def events(self, after: int = 0) -> list[tuple[Any, ...]]:
        """(uprn, kind, related_uprn, cause, actor) of the change events after event `after`."""
        return query(
            self.url,
            "SELECT uprn, kind, related_uprn, cause, actor FROM change_event "
            "WHERE event_id > %s ORDER BY event_id",
            after,
        )

    def last_event(self) -> int:
        return int(scalar(self.url, "SELECT coalesce(max(event_id), 0) FROM change_event"))

    def load_list(self, text: str) -> None:
        listed = self.tmp / "l.csv"
        listed.write_text(text)
        result = self.cli(
            "load",
            str(listed),
            "--source",
            "l",
            "--id-column",
            "ref",
            "--address-columns",
            "address",
            environ=self.environ,
        )
        assert result.code == 0, result.err


@pytest.fixture
def gazetteer(
    db_url: str, environ: dict[str, str], tmp_path: Path, cli: CliRunner
) -> Iterator[Gazetteer]:
    council = Dtf().street(7001, "MILL LANE", "OLDTOWN")
    council.blpu(100001).lpi(100001, 1, PAO_TEXT="ROSE COTTAGE")
    council.blpu(100002, X_COORDINATE=530400.0).lpi(100002, 2, PAO_TEXT="IVY HOUSE")
    for number in (3, 4, 5):
        uprn = 100000 + number
        council.blpu(uprn, X_COORDINATE=530000.0 + 20 * number).lpi(
            uprn, 10 + number, PAO_START_NUMBER=number
        )
    path = council.write(tmp_path / "llpg.csv")
    assert cli("load", str(path), "--source", "llpg-1505", environ=environ).code == 0
    engine = create_engine(to_sqlalchemy_url(db_url))
    settings = Settings(database_url=db_url, home=tmp_path / ".nsai")
    done = Gazetteer(db_url, engine, settings, tmp_path, cli, environ)
    done.load_list(LIST)
    done.reconcile()
    yield done
    engine.dispose()
