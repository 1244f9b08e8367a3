"""A run cut into any number of partitions, computed in this process or on a Dask LocalCluster,
publishes exactly what one global run publishes: the same national records and UPRNs, links
with their explanations, aliases, review items and events (ids and times aside), after a full
load and after a change-only load."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliRunner, Server
from tests.loaders.conftest import load_args, query
from tests.loaders.dtf_builder import Dtf

EDGE_CASES = Path(__file__).resolve().parents[1] / "data" / "edge_cases"
# What a user sees of each national table, in a fixed order; ids and times left out.
STATE = {
    "national_address": "SELECT n.*, ST_AsText(geom) FROM national_address n",
    "address_link": "SELECT record_id, uprn, score, decision, explanation FROM address_link",
    "change_event": "SELECT uprn, kind, related_uprn, state - 'created_at' - 'updated_at', "
    "cause, actor FROM change_event",
    "uprn_alias": "SELECT uprn, national_uprn FROM uprn_alias",
    "review_item": "SELECT record_a, record_b, score, explanation, status, pairs FROM review_item",
    "record_reading": "SELECT * FROM record_reading",
    "known_name": "SELECT * FROM known_name",
}
TIMES = ("created_at", "updated_at")


def _state(url: str) -> dict[str, list[str]]:
    state = {}
    for table, statement in STATE.items():
        rows = query(url, f"SELECT to_jsonb(t) FROM ({statement}) t")
        state[table] = sorted(
            json.dumps({k: v for k, v in row[0].items() if k not in TIMES}, sort_keys=True)
            for row in rows
        )
    return state


def _ok(result: Any) -> str:
    assert result.code == 0, result.err
    return str(result.out)


def _fresh(server: Server, template_db: str, tmp_path: Path) -> dict[str, str]:
    name = server.create_database(template=template_db)
    return {"NSAI_DATABASE_URL": server.url(name), "NSAI_HOME": str(tmp_path / name)}


def _runs(
    cli: CliRunner, environ: dict[str, str], region: Path, tmp_path: Path, how: list[str]
) -> list[dict[str, list[str]]]:
    """The national state after the region's first run, then after a change-only load of one
    council (a property deleted, one added) and its run."""
    url = environ["NSAI_DATABASE_URL"]
    _ok(cli("load-manifest", str(region / "manifest.json"), environ=environ))
    # Properties no other source holds, each given a new UPRN in record order wherever its
    # partition is; and a gazetteer claiming UPRNs a council gives other properties.
    invented = tmp_path / "invented.csv"
    invented.write_text(
        "ref,address\n" + "".join(f"I{n},{n} Nowhere Lane, Elsewhere, ZZ9 9ZZ\n" for n in range(12))
    )
    _ok(
        cli("load", str(invented), "--source", "invented", "--id-column", "ref",
            "--address-columns", "address", environ=environ)
    )  # fmt: skip
    claimed = [r[0] for r in query(url, "SELECT uprn FROM source_record WHERE uprn IS NOT NULL "
                                        "ORDER BY uprn LIMIT 40")][::10]  # fmt: skip
    other = Dtf(custodian=9999).street(8001, "FARAWAY CLOSE", "YONDER")
    for n, uprn in enumerate(claimed, start=1):
        other.blpu(uprn, X_COORDINATE=400000.0 + n, LOCAL_CUSTODIAN_CODE=9999)
        other.lpi(uprn, n, USRN=8001, PAO_START_NUMBER=n, POSTCODE="YY1 1YY")
    _ok(cli("load", str(other.write(tmp_path / "o.csv")), "--source", "yonder", environ=environ))
    first = _ok(cli("reconcile", *how, environ=environ))
    assert "national records: 0 created" not in first
    states = [_state(url)]
    council, code = query(
        url, "SELECT name, custodian_code FROM source WHERE name LIKE 'llpg-%%' ORDER BY name"
    )[0]
    gone, near = query(
        url,
        "SELECT r.uprn, r.record_id FROM source_record r JOIN source s USING (source_id) "
        "WHERE s.name = %s AND r.usrn IS NOT NULL AND r.postcode IS NOT NULL "
        "AND r.geom IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM source_record c WHERE c.parent_uprn = r.uprn) ORDER BY r.uprn LIMIT 2",
        council,
    )
    usrn, postcode, x, y, new = query(
        url,
        "SELECT usrn, postcode, ST_X(geom), ST_Y(geom), "
        "(SELECT max(uprn) + 1 FROM source_record) FROM source_record WHERE record_id = %s",
        near[1],
    )[0]
    change = Dtf(file_type="C", custodian=code).add(21, "D", UPRN=gone[0])
    change.blpu(new, LOCAL_CUSTODIAN_CODE=code, X_COORDINATE=x, Y_COORDINATE=y)
    change.lpi(new, 99_999_999, USRN=usrn, POSTCODE=postcode, PAO_START_NUMBER=999)
    _ok(cli("load", str(change.write(tmp_path / "c.csv")), "--source", council, environ=environ))
    second = _ok(cli("reconcile", *how, environ=environ))
    assert "national records: 1 created" in second, second
    states.append(_state(url))
    return states


@pytest.mark.parametrize(
    "how",
    [["--partitions", "7"], ["--partitions", "129"], ["--workers", "2", "--partitions", "7"]],
    ids=["7 partitions", "129 partitions", "LocalCluster, 7 partitions"],
)
def test_a_partitioned_run_publishes_what_one_partition_does(
    cli: CliRunner,
    server: Server,
    template_db: str,
    region: Path,
    tmp_path: Path,
    how: list[str],
) -> None:
    one = _runs(cli, _fresh(server, template_db, tmp_path), region, tmp_path, ["--partitions", "1"])
    many = _runs(cli, _fresh(server, template_db, tmp_path), region, tmp_path, how)
    for before, after in zip(one, many, strict=True):
        assert before.keys() == after.keys()
        for table in before:
            assert before[table] == after[table], table


def test_the_edge_cases_are_the_same_in_129_partitions(
    cli: CliRunner, server: Server, template_db: str, tmp_path: Path
) -> None:
    states = []
    for count in ("1", "129"):
        environ = _fresh(server, template_db, tmp_path)
        for source in json.loads((EDGE_CASES / "manifest.json").read_text())["sources"]:
            _ok(cli(*load_args(EDGE_CASES, source, tmp_path), environ=environ))
        out = _ok(cli("reconcile", "--partitions", count, environ=environ))
        assert f"{count} partition{'s' if count != '1' else ''});" in out
        states.append(_state(environ["NSAI_DATABASE_URL"]))
    assert states[0] == states[1]


def test_a_run_sent_to_a_dask_scheduler_publishes_what_one_partition_does(
    cli: CliRunner, server: Server, template_db: str, region: Path, tmp_path: Path
) -> None:
    from distributed import LocalCluster

    one = _runs(cli, _fresh(server, template_db, tmp_path), region, tmp_path, ["--partitions", "1"])
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as dask:
        how = ["--scheduler", dask.scheduler_address, "--partitions", "7"]
        sent = _runs(cli, _fresh(server, template_db, tmp_path), region, tmp_path, how)
    assert sent == one


def test_a_scheduler_that_does_not_answer_fails_the_run_publishing_nothing(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path
) -> None:
    import dask

    _ok(cli("load-manifest", str(region / "manifest.json"), environ=environ))
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = cli("reconcile", "--scheduler", "tcp://127.0.0.1:9", environ=environ)
    assert result.code == 1
    assert "could not reach the Dask scheduler at tcp://127.0.0.1:9" in result.err
    assert query(db_url, "SELECT count(*) FROM national_address") == [(0,)]
    assert query(db_url, "SELECT status FROM reconcile_run") == [("failed",)]


def test_a_worker_lost_mid_run_fails_the_run_publishing_nothing(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path
) -> None:
    from distributed import LocalCluster

    _ok(cli("load-manifest", str(region / "manifest.json"), environ=environ))
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as dask:
        (nanny,) = dask.workers.values()
        pid = nanny.process.pid  # type: ignore[union-attr]

        def kill_when_scoring() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if query(db_url, "SELECT stage FROM reconcile_run") == [("score",)]:
                    os.kill(pid, signal.SIGKILL)
                    return
                time.sleep(0.01)

        killer = threading.Thread(target=kill_when_scoring)
        killer.start()
        # Many small parts, so that scoring lasts well past the kill.
        how = ["--scheduler", dask.scheduler_address, "--partitions", "2000"]
        result = cli("reconcile", *how, environ=environ)
        killer.join()
    assert result.code == 1
    assert "a Dask worker was lost during the run" in result.err
    assert "nothing was published" in result.err
    assert query(db_url, "SELECT count(*) FROM national_address") == [(0,)]
    assert query(db_url, "SELECT status FROM reconcile_run") == [("failed",)]
