"""Reconciliation against a real PostGIS: one national record per property, persistent UPRNs,
lineage, incremental reruns, the lock, a killed run, and stewards' decisions respected."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import psycopg
import pytest

from tests.conftest import CliRunner, Server
from tests.loaders.conftest import load_args, query, scalar
from tests.loaders.dtf_builder import Dtf

NSAI = shutil.which("nsai", path=str(Path(sys.executable).parent)) or "nsai"
EDGE_CASES = Path(__file__).resolve().parents[1] / "data" / "edge_cases"
# The columns of `nsai export addresses`, in order (the file's layout, as users read it).
EXPORTED = [
    "uprn", "single_line", "organisation", "sao_start_number", "sao_start_suffix",
    "sao_end_number", "sao_end_suffix", "sao_text", "pao_start_number", "pao_start_suffix",
    "pao_end_number", "pao_end_suffix", "pao_text", "street", "locality", "town", "postcode",
    "classification", "logical_status", "custodian_code", "parent_uprn", "usrn", "rpc",
    "source_count", "version", "updated_at",
]  # fmt: skip
NATIONAL = ("national_address", "address_link", "change_event", "uprn_alias", "review_item")


def _ok(result: Any) -> str:
    assert result.code == 0, result.err
    return str(result.out)


def _truth(directory: Path) -> dict[tuple[str, str], str]:
    with (directory / "truth.csv").open() as handle:
        return {(r["source"], r["source_ref"]): r["true_id"] for r in csv.DictReader(handle)}


def _clusters(db_url: str) -> dict[int, list[tuple[str, str]]]:
    """National UPRN -> the (source, source_ref) of every record linked to it."""
    rows = query(
        db_url,
        "SELECT l.uprn, s.name, r.source_ref FROM address_link l "
        "JOIN source_record r USING (record_id) JOIN source s USING (source_id)",
    )
    members: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for uprn, source, ref in rows:
        members[int(uprn)].append((str(source), str(ref)))
    return members


def _quality(db_url: str, truth: dict[tuple[str, str], str]) -> tuple[int, float, float]:
    """(national records holding more than one true property, pairwise precision, recall)."""
    clusters = _clusters(db_url)
    false_merges = sum(1 for m in clusters.values() if len({truth[r] for r in m}) > 1)
    predicted = {frozenset((x, y)) for m in clusters.values() for x in m for y in m if x < y}
    by_truth: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for record, true_id in truth.items():
        by_truth[true_id].append(record)
    actual = {frozenset((x, y)) for m in by_truth.values() for x in m for y in m if x < y}
    hits = len(predicted & actual)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(actual) if actual else 1.0
    return false_merges, precision, recall


def _checksums(db_url: str) -> dict[str, str]:
    return {
        table: str(
            scalar(
                db_url,
                "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"FROM {table} t",
            )
        )
        for table in NATIONAL
    }


def _load_region(cli: CliRunner, environ: dict[str, str], region: Path) -> None:
    _ok(cli("load-manifest", str(region / "manifest.json"), environ=environ))


def test_the_edge_cases_never_merge_two_properties(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    import json

    for source in json.loads((EDGE_CASES / "manifest.json").read_text())["sources"]:
        _ok(cli(*load_args(EDGE_CASES, source, tmp_path), environ=environ))
    out = _ok(cli("reconcile", environ=environ))
    assert "national records" in out
    false_merges, precision, _ = _quality(db_url, _truth(EDGE_CASES))
    assert false_merges == 0, _clusters(db_url)
    assert precision == 1.0


def test_a_region_reconciles_to_one_record_per_property(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path
) -> None:
    _load_region(cli, environ, region)
    out = _ok(cli("reconcile", environ=environ))
    assert "candidate pairs:" in out
    truth = _truth(region)
    false_merges, precision, recall = _quality(db_url, truth)
    assert false_merges == 0
    assert precision >= 0.999
    assert recall >= 0.9, recall
    # Every current record is linked exactly once, and every link points at an active record.
    assert scalar(db_url, "SELECT count(*) FROM address_link") == len(truth)
    assert (
        scalar(
            db_url,
            "SELECT count(*) FROM address_link l JOIN national_address n USING (uprn) "
            "WHERE n.status <> 'active'",
        )
        == 0
    )
    # A property keeps its own council's UPRN.
    kept = query(
        db_url,
        "SELECT count(*) FILTER (WHERE l.uprn = r.uprn), count(*) FROM address_link l "
        "JOIN source_record r USING (record_id) JOIN source s USING (source_id) "
        "WHERE s.kind = 'gazetteer' AND s.custodian_code = r.custodian_code "
        "AND s.name LIKE 'llpg-%%'",
    )[0]
    assert kept[0] >= 0.99 * kept[1], kept
    events = dict(query(db_url, "SELECT kind, count(*) FROM change_event GROUP BY kind"))
    assert events == {"created": scalar(db_url, "SELECT count(*) FROM national_address")}
    assert (
        scalar(db_url, "SELECT count(*) FROM change_event WHERE state->>'single_line' IS NULL") == 0
    )
    _assert_invariants(db_url)


def _assert_invariants(db_url: str) -> None:
    """A UPRN is a national record's or an alias, never both; a review item pairs records that
    were left apart; a merged record's successor is active; the bulk matcher's keys are the
    links' records, each on its link's UPRN."""
    assert (
        scalar(db_url, "SELECT count(*) FROM uprn_alias a JOIN national_address n USING (uprn)")
        == 0
    )
    assert (
        scalar(
            db_url,
            "SELECT count(*) FROM review_item r JOIN address_link la ON la.record_id = r.record_a "
            "JOIN address_link lb ON lb.record_id = r.record_b "
            "WHERE r.status = 'open' AND la.uprn = lb.uprn",
        )
        == 0
    )
    assert (
        scalar(
            db_url,
            "SELECT count(*) FROM national_address m JOIN national_address s "
            "ON s.uprn = m.successor_uprn WHERE m.status = 'merged' AND s.status <> 'active'",
        )
        == 0
    )
    assert (
        scalar(
            db_url,
            "SELECT count(*) FROM address_link l FULL JOIN national_match_key k USING (record_id) "
            "WHERE l.uprn IS DISTINCT FROM k.uprn",
        )
        == 0
    )


def test_a_rerun_over_unchanged_data_changes_nothing(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path
) -> None:
    _load_region(cli, environ, region)
    _ok(cli("reconcile", environ=environ))
    before = _checksums(db_url)
    out = _ok(cli("reconcile", environ=environ))
    assert out.startswith("nothing changed since run 1")
    assert _checksums(db_url) == before


def test_a_rerun_after_a_change_touches_only_what_changed(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    base = (
        Dtf()
        .street(7001, "MILL LANE", "OLDTOWN")
        .blpu(100001)
        .lpi(100001, 1, PAO_START_NUMBER=12)
        .blpu(100002)
        .lpi(100002, 2, PAO_START_NUMBER=14)
        .blpu(100003)
        .lpi(100003, 3, PAO_START_NUMBER=16)
    )
    _ok(cli("load", str(base.write(tmp_path / "f.csv")), "--source", "llpg-1505", environ=environ))
    _ok(cli("reconcile", environ=environ))
    assert scalar(db_url, "SELECT count(*) FROM national_address") == 3
    change = Dtf(file_type="C").lpi(100002, 2, "U", PAO_START_NUMBER=14, PAO_START_SUFFIX="A")
    change.blpu(100003, "D").lpi(100003, 3, "D")
    _ok(
        cli("load", str(change.write(tmp_path / "c.csv")), "--source", "llpg-1505", environ=environ)
    )
    out = _ok(cli("reconcile", environ=environ))
    assert "0 created, 1 updated, 0 merged, 1 retired" in out
    rows = dict(query(db_url, "SELECT uprn, status FROM national_address"))
    assert rows == {100001: "active", 100002: "active", 100003: "retired"}
    assert scalar(db_url, "SELECT single_line FROM national_address WHERE uprn = 100002") == (
        "14A MILL LANE, OLDTOWN, AB1 2CD"
    )
    assert scalar(db_url, "SELECT version FROM national_address WHERE uprn = 100001") == 1
    # The change feed carries the new state.
    assert (
        scalar(
            db_url,
            "SELECT state->>'single_line' FROM change_event "
            "WHERE uprn = 100002 AND kind = 'updated'",
        )
        == "14A MILL LANE, OLDTOWN, AB1 2CD"
    )


def test_only_one_reconcile_runs_at_a_time(
    cli: CliRunner, environ: dict[str, str], db_url: str
) -> None:
    with psycopg.connect(db_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (0x4E534152,))
        result = cli("reconcile", environ=environ)
    assert result.code == 1
    assert "a reconcile is already running" in result.err


def _reconciled_with_a_change(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path, tmp_path: Path
) -> dict[str, str]:
    """The region loaded and reconciled, then a change (one BLPU deleted) loaded for the next
    run to publish; the national tables' checksums before that run."""
    _load_region(cli, environ, region)
    _ok(cli("reconcile", environ=environ))
    council, code = _council(db_url)
    change = Dtf(file_type="C", custodian=code).add(21, "D", UPRN=_some_uprn(db_url, code))
    _ok(cli("load", str(change.write(tmp_path / "c.csv")), "--source", council, environ=environ))
    return _checksums(db_url)


def _kill_while_publishing(db_url: str) -> None:
    """Start a run and kill it once it waits on change_event, well into publishing."""
    with psycopg.connect(db_url) as blocker:
        # Holding this lock stops the run at its first write of events.
        blocker.execute("LOCK TABLE change_event IN SHARE MODE")
        job = subprocess.Popen(
            [NSAI, "reconcile"],
            env={"PATH": os.environ["PATH"], "NSAI_DATABASE_URL": db_url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while not scalar(
            db_url,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'nsai' AND wait_event_type = 'Lock'",
        ):
            assert job.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "the run never reached publishing"
            time.sleep(0.05)
        job.send_signal(signal.SIGKILL)
        job.wait()
        blocker.rollback()
    while scalar(
        db_url,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = 'nsai'",
    ):
        time.sleep(0.1)


def test_a_run_killed_while_publishing_leaves_the_national_tables_as_they_were(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path, tmp_path: Path
) -> None:
    before = _reconciled_with_a_change(cli, environ, db_url, region, tmp_path)
    _kill_while_publishing(db_url)
    assert _checksums(db_url) == before
    _ok(cli("reconcile", environ=environ))
    assert _checksums(db_url) != before  # the change the killed run never published, now is
    statuses = query(db_url, "SELECT status FROM reconcile_run ORDER BY run_id")
    assert statuses == [("done",), ("failed",), ("done",)]


def _schema(db_url: str) -> list[tuple[str, str]]:
    """Every index and constraint of the schema, as the catalog defines it."""
    return query(
        db_url,
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace "
        "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
    )


def test_a_first_run_builds_indexes_after_the_data_and_leaves_them_as_they_were(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path, tmp_path: Path
) -> None:
    schema = _schema(db_url)
    _load_region(cli, environ, region)
    _kill_while_publishing(db_url)  # after it dropped the indexes of national_address
    assert _schema(db_url) == schema
    assert scalar(db_url, "SELECT count(*) FROM national_address") == 0
    first = _ok(cli("reconcile", environ=environ))
    assert ", indexes (in publish) " in first  # built after the data
    assert _schema(db_url) == schema
    council, code = _council(db_url)
    change = Dtf(file_type="C", custodian=code).add(21, "D", UPRN=_some_uprn(db_url, code))
    _ok(cli("load", str(change.write(tmp_path / "c.csv")), "--source", council, environ=environ))
    later = _ok(cli("reconcile", environ=environ))
    assert later.startswith("run 3:")  # a run that published (run 1 was killed)
    assert "indexes" not in later  # the register is not empty: rows are written with them
    assert _schema(db_url) == schema


def _council(db_url: str) -> tuple[str, int]:
    """The first council's LLPG source: its name and custodian code."""
    name, code = query(
        db_url, "SELECT name, custodian_code FROM source WHERE name LIKE 'llpg-%%' ORDER BY name"
    )[0]
    return str(name), int(code)


def _some_uprn(db_url: str, code: int) -> int:
    """A UPRN of the council's own that no record has as its parent."""
    return int(
        scalar(
            db_url,
            "SELECT r.uprn FROM source_record r JOIN source s USING (source_id) "
            "WHERE s.custodian_code = %s AND s.name LIKE 'llpg-%%' AND r.custodian_code = %s "
            "AND NOT EXISTS (SELECT 1 FROM source_record c WHERE c.parent_uprn = r.uprn) "
            "ORDER BY r.uprn LIMIT 1",
            code,
            code,
        )
    )


def test_steward_decisions_are_respected(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path
) -> None:
    _load_region(cli, environ, region)
    _ok(cli("reconcile", environ=environ))
    a, b = query(
        db_url,
        "SELECT min(record_id), max(record_id) FROM address_link GROUP BY uprn "
        "HAVING count(*) > 1 LIMIT 1",
    )[0]
    psql = psycopg.connect(db_url, autocommit=True)
    psql.execute(
        "INSERT INTO match_decision (record_a, record_b, decision, decided_by) "
        "VALUES (%s, %s, 'reject', 'steward')",
        (a, b),
    )
    _ok(cli("reconcile", environ=environ))
    _assert_invariants(db_url)
    linked = dict(
        query(db_url, "SELECT record_id, uprn FROM address_link WHERE record_id IN (%s, %s)", a, b)
    )
    assert linked[a] != linked[b]
    psql.close()


def test_exports(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path, tmp_path: Path
) -> None:
    _load_region(cli, environ, region)
    _ok(cli("reconcile", environ=environ))
    links = tmp_path / "links.csv"
    _ok(cli("export", "links", "--out", str(links), environ=environ))
    with links.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["source", "source_ref", "national_uprn", "score", "decision"]
    assert len(rows) == len(_truth(region))
    assert {r["decision"] for r in rows} <= {"matched", "new", "review", "manual"}
    active = scalar(db_url, "SELECT count(*) FROM national_address WHERE status = 'active'")
    uprn, line, x, y = query(
        db_url,
        "SELECT uprn, single_line, ST_X(geom), ST_Y(geom) FROM national_address "
        "WHERE status = 'active' AND geom IS NOT NULL ORDER BY uprn LIMIT 1",
    )[0]
    for suffix in ("csv", "gpkg", "geojson", "parquet"):
        out = tmp_path / f"addresses.{suffix}"
        _ok(cli("export", "addresses", "--out", str(out), environ=environ))
        if suffix == "csv":
            frame = pd.read_csv(out)
            assert list(frame.columns) == [*EXPORTED, "x", "y"]
            point = frame.set_index("uprn").loc[uprn, ["x", "y"]].tolist()
        else:
            frame = gpd.read_parquet(out) if suffix == "parquet" else gpd.read_file(out)
            assert frame.crs.to_epsg() == 27700, suffix
            assert list(frame.columns) == [*EXPORTED, "geometry" if suffix != "parquet" else "geom"]
            geometry = frame.set_index("uprn").geometry.loc[uprn]
            point = [geometry.x, geometry.y]
        assert len(frame) == active, suffix
        assert frame.set_index("uprn").loc[uprn, "single_line"] == line, suffix
        assert point == pytest.approx([x, y], abs=0.01), suffix
    bad = cli("export", "addresses", "--out", str(tmp_path / "a.xlsx"), environ=environ)
    assert bad.code == 1
    assert "write .csv, .geojson, .gpkg or .parquet" in bad.err


def _load_two_houses(cli: CliRunner, environ: dict[str, str], tmp_path: Path) -> None:
    """llpg-1505: Rose Cottage (100001) and Ivy House (100002), Mill Lane, Oldtown."""
    houses = (
        Dtf()
        .street(7001, "MILL LANE", "OLDTOWN")
        .blpu(100001)
        .lpi(100001, 1, PAO_TEXT="ROSE COTTAGE")
        .blpu(100002, X_COORDINATE=530400.0)
        .lpi(100002, 2, PAO_TEXT="IVY HOUSE")
    )
    _ok(
        cli("load", str(houses.write(tmp_path / "f.csv")), "--source", "llpg-1505", environ=environ)
    )


def test_a_steward_accept_merges_and_a_later_reject_parts_them(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _load_two_houses(cli, environ, tmp_path)
    listed = tmp_path / "l.csv"
    listed.write_text('ref,address\nL1,"The Ivy, Mill Lane, Oldtown"\n')
    _ok(
        cli(
            "load",
            str(listed),
            "--source",
            "l",
            "--id-column",
            "ref",
            "--address-columns",
            "address",
            environ=environ,
        )
    )
    _ok(cli("reconcile", environ=environ))
    ids = dict(query(db_url, "SELECT source_ref, record_id FROM source_record"))

    def uprn_of(ref: str) -> int:
        return int(scalar(db_url, "SELECT uprn FROM address_link WHERE record_id = %s", ids[ref]))

    first = uprn_of("L1")
    assert first >= 999000000001  # no source gave it a UPRN: NSAI's own range
    steward = psycopg.connect(db_url, autocommit=True)
    pair = tuple(sorted((ids["L1"], ids["100002"])))
    steward.execute("INSERT INTO match_decision VALUES (%s, %s, 'accept', 'steward')", pair)
    _ok(cli("reconcile", environ=environ))
    assert uprn_of("L1") == 100002
    assert (
        scalar(db_url, "SELECT decision FROM address_link WHERE record_id = %s", ids["L1"])
        == "manual"
    )
    assert query(
        db_url, "SELECT status, successor_uprn FROM national_address WHERE uprn = %s", first
    ) == [("merged", 100002)]
    steward.execute("UPDATE match_decision SET decision = 'reject'")
    out = _ok(cli("reconcile", environ=environ))
    assert not out.startswith("nothing changed")
    assert uprn_of("L1") not in (100002, first)
    _assert_invariants(db_url)
    steward.close()


def test_a_full_rerun_over_the_same_data_writes_nothing(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path
) -> None:
    _load_region(cli, environ, region)
    _ok(cli("reconcile", environ=environ))
    before = _checksums(db_url)
    # Another review threshold makes the run a real one; nothing scores between the two.
    out = _ok(cli("reconcile", environ=environ | {"NSAI_REVIEW_THRESHOLD": "0.50001"}))
    assert "0 created, 0 updated, 0 merged, 0 retired, 0 splits" in out
    assert _checksums(db_url) == before


def test_an_unmigrated_database_is_named(cli: CliRunner, server: Server, tmp_path: Path) -> None:
    url = server.url(server.create_database())
    result = cli("reconcile", environ={"NSAI_DATABASE_URL": url, "NSAI_HOME": str(tmp_path)})
    assert result.code == 1
    assert "needs `nsai db migrate` (pending: 001_initial_schema" in result.err


def test_an_export_to_an_unwritable_place_is_refused(
    cli: CliRunner, environ: dict[str, str], tmp_path: Path
) -> None:
    missing = cli("export", "links", "--out", str(tmp_path / "no" / "l.csv"), environ=environ)
    assert missing.code == 1
    assert "no such directory" in missing.err


def test_decisions_and_reviews_follow_a_record_through_a_reload(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _load_two_houses(cli, environ, tmp_path)
    listed = tmp_path / "l.csv"
    mapping = ("--source", "l", "--id-column", "ref", "--address-columns", "address")

    listed.write_text(
        'ref,address\nL1,"The Ivy, Mill Lane, Oldtown"\nL2,"Rose Cotage, Mill Lane"\n'
    )
    _ok(cli("load", str(listed), *mapping, environ=environ))
    _ok(cli("reconcile", environ=environ))
    ids = dict(query(db_url, "SELECT source_ref, record_id FROM source_record"))
    (review_id,) = query(
        db_url,
        "SELECT review_id FROM review_item WHERE %s IN (record_a, record_b) AND status = 'open'",
        ids["L2"],
    )[0]
    steward = psycopg.connect(db_url, autocommit=True)
    steward.execute("UPDATE review_item SET status = 'deferred' WHERE review_id = %s", (review_id,))
    pair = tuple(sorted((ids["L1"], ids["100002"])))
    steward.execute("INSERT INTO match_decision VALUES (%s, %s, 'accept', 'steward')", pair)
    steward.close()

    # The list corrects L1's name and L2's town: both are new versions with new record_ids.
    listed.write_text(
        'ref,address\nL1,"The Ivy Cottage, Mill Lane, Oldtown"\n'
        'L2,"Rose Cotage, Mill Lane, Oldtown"\n'
    )
    _ok(cli("load", str(listed), *mapping, environ=environ))
    _ok(cli("reconcile", environ=environ))
    current = dict(
        query(
            db_url,
            "SELECT source_ref, record_id FROM source_record WHERE removed_batch_id IS NULL",
        )
    )
    assert current["L1"] != ids["L1"]
    assert current["L2"] != ids["L2"]
    assert query(
        db_url, "SELECT uprn, decision FROM address_link WHERE record_id = %s", current["L1"]
    ) == [(100002, "manual")]
    assert query(
        db_url,
        "SELECT status, %s IN (record_a, record_b) FROM review_item WHERE review_id = %s",
        current["L2"],
        review_id,
    ) == [("deferred", True)]
    _assert_invariants(db_url)


def test_a_unit_number_is_the_unit_and_a_flat_is_never_the_shop_below_it(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    council = (
        Dtf()
        .street(7001, "OAKWOOD DRIVE", "OLDTOWN")
        .street(7002, "HIGH STREET", "OLDTOWN")
        # Unit 3 of a trading estate, numbered without its designator, as many LLPGs do.
        .blpu(100003, BLPU_CLASS="CI03")
        .lpi(100003, 1, SAO_START_NUMBER=3, PAO_TEXT="KINGSWAY ENTERPRISE CENTRE")
        # 10 High Street: a shop unit 1 at the front and a flat 1 above.
        .blpu(100010, BLPU_CLASS="PP", X_COORDINATE=530500.0)
        .lpi(100010, 2, PAO_START_NUMBER=10, USRN=7002)
        .blpu(100011, BLPU_CLASS="CR01", PARENT_UPRN=100010, X_COORDINATE=530500.0)
        .lpi(100011, 3, SAO_TEXT="UNIT 1", PAO_START_NUMBER=10, USRN=7002)
        .blpu(100012, BLPU_CLASS="RD06", PARENT_UPRN=100010, X_COORDINATE=530500.0)
        .lpi(100012, 4, SAO_START_NUMBER=1, SAO_TEXT="FLAT", PAO_START_NUMBER=10, USRN=7002)
    )
    council_file = council.write(tmp_path / "f.csv")
    _ok(cli("load", str(council_file), "--source", "llpg-1505", environ=environ))
    listed = tmp_path / "l.csv"
    listed.write_text(
        "ref,address\n"
        'U3,"Unit 3, Kingsway Enterprise Centre, Oakwood Drive, Oldtown"\n'
        'F1,"Flat 1, 10 High Street, Oldtown"\n'
        'S1,"Unit 1, 10 High Street, Oldtown"\n'
    )
    mapping = ("--source", "l", "--id-column", "ref", "--address-columns", "address")
    _ok(cli("load", str(listed), *mapping, environ=environ))
    _ok(cli("reconcile", environ=environ))
    national = dict(
        query(
            db_url,
            "SELECT r.source_ref, l.uprn "
            "FROM address_link l JOIN source_record r USING (record_id)",
        )
    )
    assert national["U3"] == 100003
    assert national["F1"] == 100012
    assert national["S1"] == 100011
    _assert_invariants(db_url)


def test_reconcile_reports_its_quality_against_a_truth(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path, tmp_path: Path
) -> None:
    _load_region(cli, environ, region)
    # A file that is no truth is refused before any run starts.
    result = cli("reconcile", "--truth", str(region / "ctax.csv"), environ=environ)
    assert result.code == 1
    assert "needs the columns source, source_ref, true_id" in result.err
    assert scalar(db_url, "SELECT count(*) FROM reconcile_run") == 0
    out = _ok(cli("reconcile", "--truth", str(region / "truth.csv"), environ=environ))
    line = next(line for line in out.splitlines() if line.startswith("against the truth"))
    _, precision, recall = _quality(db_url, _truth(region))
    assert f"pairwise precision {precision:.4f}, recall {recall:.4f}" in line
    assert "0 national records hold more than one true property" in line


def test_a_run_that_would_retire_too_much_publishes_nothing(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    def street(houses: int) -> Path:
        path = tmp_path / f"road-{houses}.csv"
        rows = [f"R{n},{n} Long Road,Oldtown,{530000 + 10 * n},180000" for n in range(houses)]
        path.write_text("ref,address,town,x,y\n" + "\n".join(rows) + "\n")
        return path

    args = ["--source", "l", "--id-column", "ref", "--address-columns", "address,town",
            "--x-column", "x", "--y-column", "y"]  # fmt: skip
    _ok(cli("load", str(street(100)), *args, environ=environ))
    _ok(cli("reconcile", environ=environ))
    # Forty houses gone from a list: loaded on purpose, but the run will not retire them alone.
    _ok(cli("load", str(street(60)), *args, "--allow-removal", environ=environ))
    before = _checksums(db_url)
    refused = cli("reconcile", environ=environ)
    assert refused.code == 1
    assert "would retire 40 of the 100 active national records (40%" in refused.err
    assert "nothing was published" in refused.err
    assert _checksums(db_url) == before
    assert scalar(db_url, "SELECT status FROM reconcile_run ORDER BY run_id DESC LIMIT 1") == (
        "failed"
    )
    out = _ok(cli("reconcile", "--allow-removal", environ=environ))
    assert "40 retired" in out


# Run in a process of its own, killed (SIGKILL, as the OOM killer would) as it enters a stage.
KILLED_AT = """
import os, signal, sys
from sqlalchemy import create_engine
from nsai.config import Settings
from nsai.db.engine import to_sqlalchemy_url
from nsai.match.job import reconcile

url, stage = sys.argv[1], sys.argv[2]

def progress(now: str) -> None:
    if now == stage:
        os.kill(os.getpid(), signal.SIGKILL)

engine = create_engine(to_sqlalchemy_url(url))
reconcile(engine, Settings(database_url=url), progress=progress)
"""


@pytest.mark.parametrize("stage", ["read", "block", "score", "cluster", "uprns", "publish"])
def test_a_run_killed_at_any_stage_changes_nothing_it_had_not_published(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path, tmp_path: Path, stage: str
) -> None:
    before = _reconciled_with_a_change(cli, environ, db_url, region, tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AT, db_url, stage],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _checksums(db_url) == before
    # The next run does the work.
    _ok(cli("reconcile", environ=environ))
    assert _checksums(db_url) != before
