"""DTF 7.3 loads: every record type and status, full and change-only files, and refusals."""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from loaders import dtf73
from tests.conftest import CliRunner
from tests.loaders.conftest import query, scalar, snapshot
from tests.loaders.dtf_builder import Dtf


def _load(
    cli: CliRunner,
    environ: dict[str, str],
    *paths: Path,
    source: str = "llpg-1505",
    workers: str = "1",
) -> Any:
    return cli("load", *map(str, paths), "--source", source, "--workers", workers, environ=environ)


def _ok(result: Any) -> str:
    assert result.code == 0, result.err
    return str(result.out)


def _batch(db_url: str, batch_id: int | None = None) -> dict[str, Any]:
    rows = query(
        db_url,
        "SELECT row_to_json(b) FROM load_batch b WHERE batch_id = coalesce(%s, "
        "(SELECT max(batch_id) FROM load_batch))",
        batch_id,
    )
    return dict(rows[0][0])


def _reasons(db_url: str) -> list[str]:
    return [str(r[0]) for r in query(db_url, "SELECT reason FROM quarantine ORDER BY line_number")]


def _record(db_url: str, ref: str, source: str = "llpg-1505") -> dict[str, Any] | None:
    rows = query(
        db_url,
        "SELECT row_to_json(r) FROM source_record r JOIN source s USING (source_id) "
        "WHERE s.name = %s AND r.source_ref = %s AND r.removed_batch_id IS NULL",
        source,
        ref,
    )
    return dict(rows[0][0]) if rows else None


def _base() -> Dtf:
    return (
        Dtf()
        .street(7001, "MILL LANE", "OLDTOWN")
        .blpu(100001)
        .lpi(100001, 1, PAO_START_NUMBER=12)
        .blpu(100002, BLPU_CLASS="PP")
        .lpi(100002, 2, PAO_START_NUMBER=14)
        .blpu(100003, BLPU_CLASS="RD06", PARENT_UPRN=100002)
        .lpi(100003, 3, SAO_START_NUMBER=1, SAO_TEXT="FLAT", PAO_START_NUMBER=14)
    )


# -- the synthetic region, every source -------------------------------------------------------


def test_every_synthetic_gazetteer_loads_with_counts_per_record_type(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path, manifest: dict[str, Any]
) -> None:
    for source in manifest["sources"]:
        if source["format"] != "dtf73":
            continue
        out = _ok(_load(cli, environ, region / source["file"], source=source["name"]))
        assert f"into {source['name']} as batch" in out
        batch = _batch(db_url)
        per_type = source["dtf_records"]
        assert batch["rows_read"] == sum(per_type.values()) + 2  # with header and trailer
        assert batch["rows_quarantined"] == 0, _reasons(db_url)
        assert batch["rows_read"] == (
            batch["rows_loaded"] + batch["rows_quarantined"] + batch["rows_skipped"]
        )
        counts = query(
            db_url,
            "SELECT count(*), sum(jsonb_array_length(other_addresses)), count(geom), "
            "count(street_key), count(pao_key) + count(building_key) > 0 "
            "FROM source_record r JOIN source s USING (source_id) WHERE s.name = %s",
            source["name"],
        )[0]
        assert counts[0] == source["records"] == per_type["21"]
        assert counts[1] == per_type["24"] - per_type["21"]  # the other LPIs, kept
        assert counts[2] == counts[0]
        assert counts[3] == counts[0]
        assert counts[4] is True
        custodian = query(
            db_url,
            "SELECT name FROM custodian WHERE custodian_code = %s",
            source["custodian_code"],
        )
        assert custodian, "the header's custodian is kept"


def test_source_counts_agree_with_the_truth(
    cli: CliRunner, environ: dict[str, str], db_url: str, region: Path, manifest: dict[str, Any]
) -> None:
    out = _ok(cli("load-manifest", str(region / "manifest.json"), environ=environ))
    assert len(out.strip().splitlines()) == len(manifest["sources"])
    with (region / "truth.csv").open() as handle:
        truth = Counter(row["source"] for row in csv.DictReader(handle))
    loaded = dict(
        query(
            db_url,
            "SELECT s.name, count(*) FROM source_record r JOIN source s USING (source_id) "
            "WHERE r.removed_batch_id IS NULL GROUP BY s.name",
        )
    )
    assert loaded == dict(truth)
    assert scalar(db_url, "SELECT count(*) FROM quarantine") == 0, _reasons(db_url)


# -- the choice of address, and what is kept ----------------------------------------------


def test_one_record_per_blpu_with_the_approved_lpi_and_the_others_kept(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    dtf = (
        Dtf()
        .street(7001, "MILL LANE", "OLDTOWN", locality="UPPER END")
        .blpu(100001, ORGANISATION="ACME LTD", RPC=2, BLPU_STATE=2)
        .lpi(100001, 1, LOGICAL_STATUS=8, PAO_TEXT="OLD MILL", END_DATE="2020-01-01")
        .lpi(100001, 2, LOGICAL_STATUS=1, PAO_START_NUMBER=12, PAO_START_SUFFIX="a")
        .lpi(100001, 3, LOGICAL_STATUS=3, PAO_TEXT="THE MILL")
        .blpu(100002, LOGICAL_STATUS=6)
        .lpi(100002, 4, LOGICAL_STATUS=6, PAO_START_NUMBER=10, PAO_END_NUMBER=12)
    )
    _ok(_load(cli, environ, dtf.write(tmp_path / "f.csv")))
    first = _record(db_url, "100001")
    assert first is not None
    assert (first["pao_start_number"], first["pao_start_suffix"]) == (12, "A")
    assert (first["street"], first["locality"], first["town"]) == (
        "MILL LANE",
        "UPPER END",
        "OLDTOWN",
    )
    assert first["organisation"] == "ACME LTD"
    assert first["custodian_code"] == 1505
    assert (first["rpc"], first["blpu_state"], first["logical_status"]) == (2, 2, 1)
    assert [o["logical_status"] for o in first["other_addresses"]] == [3, 8]
    assert first["other_addresses"][1]["pao_text"] == "OLD MILL"
    assert first["attributes"]["lpi_key"] == "1505L000000002"
    provisional = _record(db_url, "100002")
    assert provisional is not None
    assert (provisional["pao_start_number"], provisional["pao_end_number"]) == (10, 12)
    assert provisional["logical_status"] == 6
    assert query(db_url, "SELECT ST_SRID(geom), ST_X(geom) FROM source_record LIMIT 1") == [
        (27700, 530000.0)
    ]


def test_parent_uprn_and_classification_are_kept(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "f.csv")))
    flat = _record(db_url, "100003")
    assert flat is not None
    assert (flat["parent_uprn"], flat["classification"]) == (100002, "RD06")
    assert (flat["sao_start_number"], flat["sao_text"]) == (1, "FLAT")


# -- full and change-only files --------------------------------------------------------------


def test_a_full_file_replaces_the_source_and_keeps_unchanged_records(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "a.csv")))
    ids = dict(query(db_url, "SELECT source_ref, record_id FROM source_record"))
    second = (
        Dtf()
        .street(7001, "MILL LANE", "OLDTOWN")
        .blpu(100001)
        .lpi(100001, 1, PAO_START_NUMBER=12)
        .blpu(100002, BLPU_CLASS="PP")
        .lpi(100002, 2, PAO_START_NUMBER=16)
        .blpu(100004)
        .lpi(100004, 4, PAO_START_NUMBER=18)
    )
    out = _ok(_load(cli, environ, second.write(tmp_path / "b.csv")))
    assert "records: 1 new, 1 changed, 1 removed, 1 unchanged" in out
    current = dict(
        query(
            db_url, "SELECT source_ref, record_id FROM source_record WHERE removed_batch_id IS NULL"
        )
    )
    assert set(current) == {"100001", "100002", "100004"}
    assert current["100001"] == ids["100001"]  # unchanged: the same record
    assert current["100002"] != ids["100002"]  # changed: a new version
    assert (
        scalar(db_url, "SELECT count(*) FROM source_record WHERE removed_batch_id IS NOT NULL") == 2
    )


def test_a_change_only_file_applies_inserts_updates_and_deletes(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "full.csv")))
    changes = (
        Dtf(file_type="C")
        .blpu(100004, "I")
        .lpi(100004, 4, "I", PAO_START_NUMBER=20)
        .lpi(100001, 1, "U", PAO_START_NUMBER=12, PAO_START_SUFFIX="B")  # an LPI-only change
        .blpu(100003, "D")
        .lpi(100003, 3, "D")
    )
    out = _ok(_load(cli, environ, changes.write(tmp_path / "change.csv")))
    # Only the records the changes touch are staged, so none of them is "unchanged".
    assert "records: 1 new, 1 changed, 1 removed, 0 unchanged" in out
    assert _batch(db_url)["change_only"] is True
    changed = _record(db_url, "100001")
    assert changed is not None
    assert changed["pao_start_suffix"] == "B"
    assert _record(db_url, "100003") is None
    assert _record(db_url, "100004") is not None
    assert _record(db_url, "100002") is not None


def test_changes_apply_in_pro_order(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "full.csv")))
    changes = (
        Dtf(file_type="C")
        # Written out of order: by PRO_ORDER, 100001 is updated and then deleted...
        .add(21, "D", PRO_ORDER=9, UPRN=100001)
        .add(
            21,
            "U",
            PRO_ORDER=5,
            UPRN=100001,
            LOGICAL_STATUS=1,
            X_COORDINATE=530001.0,
            Y_COORDINATE=180001.0,
            RPC=1,
            LOCAL_CUSTODIAN_CODE=1505,
        )
        # ...and 100005 deleted, then inserted again.
        .add(21, "D", PRO_ORDER=3, UPRN=100005)
        .add(
            21,
            "I",
            PRO_ORDER=7,
            UPRN=100005,
            LOGICAL_STATUS=1,
            X_COORDINATE=530002.0,
            Y_COORDINATE=180002.0,
            RPC=1,
            LOCAL_CUSTODIAN_CODE=1505,
        )
        .lpi(100005, 5, "I", PRO_ORDER=8, PAO_START_NUMBER=22)
    )
    _ok(_load(cli, environ, changes.write(tmp_path / "change.csv")))
    assert _record(db_url, "100001") is None
    assert _record(db_url, "100005") is not None


def test_a_street_change_updates_the_records_on_it(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "full.csv")))
    rename = Dtf(file_type="C").add(
        15, "U", USRN=7001, STREET_DESCRIPTOR="MILLER LANE", TOWN_NAME="OLDTOWN", LANGUAGE="ENG"
    )
    out = _ok(_load(cli, environ, rename.write(tmp_path / "rename.csv")))
    assert "3 changed" in out
    assert {
        r[0]
        for r in query(db_url, "SELECT street FROM source_record WHERE removed_batch_id IS NULL")
    } == {"MILLER LANE"}


def test_several_volumes_load_as_one_batch(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    one = Dtf(next_volume=2).street().blpu(100001).lpi(100001, 1, PAO_START_NUMBER=1)
    two = Dtf(volume=2).blpu(100002).lpi(100002, 2, PAO_START_NUMBER=2)
    _ok(_load(cli, environ, one.write(tmp_path / "v1.csv"), two.write(tmp_path / "v2.csv")))
    batch = _batch(db_url)
    assert batch["volumes"] == 2
    assert batch["rows_read"] == (4 + 2) + (2 + 2)
    assert scalar(db_url, "SELECT count(*) FROM source_record") == 2


# -- nothing lost: quarantine and skipped record types ------------------------------------


# The refused lines in the quarantine's order (by id), as one process writes them: parsing on
# worker processes must not change it.
ORDER_REFUSED = [16, 14, 17, 18, 12, 13, 15, 19]


# With 3 workers and chunks of 2 records, the records are parsed out of order in 3 processes:
# the refusals, the counts and the records must be the same as in one.
@pytest.mark.parametrize("workers", ["1", "3"])
def test_bad_records_are_quarantined_with_their_reason_and_line(
    cli: CliRunner,
    environ: dict[str, str],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: str,
) -> None:
    monkeypatch.setattr(dtf73, "PARSE_CHUNK", 2)
    dtf = (
        _base()
        .raw('22,"I",30,100001,"1505P000000001",1,"2020-01-01"')  # provenance: skipped
        .raw('23,"I",31,100001,"1505X000000001","X","Y"')  # cross reference: skipped
        .raw('21,"I",90,100010,1,2')  # wrong field count
        .blpu(100011, X_COORDINATE=9_000_000.0)
        .lpi(100011, 11, PAO_START_NUMBER=1)
        .blpu(100012, RPC="X")
        .blpu(100001)  # the same UPRN twice in a full file
        .lpi(100099, 99, PAO_START_NUMBER=5)  # an LPI without its BLPU
        .blpu(100013)  # a BLPU without an LPI
        .lpi(100001, 20, PAO_START_NUMBER=12, SAO_END_NUMBER=3)  # an end without a start
    )
    out = _ok(_load(cli, environ, dtf.write(tmp_path / "f.csv"), workers=workers))
    batch = _batch(db_url)
    assert batch["rows_read"] == len(dtf.lines) + 2
    assert batch["rows_skipped"] == 2
    assert batch["skipped_by_type"] == {"22": 1, "23": 1}
    assert batch["rows_read"] == batch["rows_loaded"] + batch["rows_quarantined"] + 2
    reasons = _reasons(db_url)
    assert len(reasons) == batch["rows_quarantined"] == 8
    expected = [
        "wrong field count: record 21 has 6 fields, expected 23",
        "coordinates (9000000.0, 180000.0) are outside Great Britain",
        "unparsable RPC 'X'",
        "duplicate UPRN 100001 in one file",
        "LPI 1505L000000099 is for UPRN 100099, which has no BLPU record",
        "LPI 1505L000000011 is for UPRN 100011, which has no BLPU record",
        "BLPU 100013 has no LPI, so no address",
        "SAO end number 3 without a start number",
    ]
    for reason in expected:
        assert any(r.startswith(reason) for r in reasons), (reason, reasons)
    line = query(db_url, "SELECT line_number, raw FROM quarantine WHERE reason LIKE 'wrong%%'")
    assert line[0][1] == '21,"I",90,100010,1,2'
    assert dtf.text().splitlines()[line[0][0] - 1] == line[0][1]
    assert "8 quarantined, 2 skipped (record types 22: 1, 23: 1)" in out
    assert scalar(db_url, "SELECT count(*) FROM source_record") == 3
    refused = query(db_url, "SELECT line_number FROM quarantine ORDER BY quarantine_id")
    assert [line for (line,) in refused] == ORDER_REFUSED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ('11,"I",1,7001\n', "does not start with a DTF header record (10)"),
        (
            '10,"OS",1505,2026-01-01,1,2026-01-01,00:00:00,"2.0","F"\n99,0,0,2026-01-01,00:00:00\n',
            "header VERSION 2.0 is AddressBase Premium, not NLPG DTF 7.3",
        ),
    ],
)
def test_unreadable_files_are_refused_whole(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_text(text)
    before = snapshot(db_url)
    result = cli("load", str(path), "--source", "llpg-1505", "--format", "dtf73", environ=environ)
    assert result.code == 1
    assert message in result.err
    assert str(path) in result.err
    assert snapshot(db_url) == before


def test_a_truncated_file_or_a_wrong_trailer_count_is_refused(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "a.csv")))
    before = snapshot(db_url)
    truncated = _base().blpu(100004).write(tmp_path / "t.csv", trailer=False)
    result = _load(cli, environ, truncated)
    assert result.code == 1
    assert "truncated" in result.err
    wrong = _base().blpu(100004).write(tmp_path / "w.csv", record_count=3)
    result = _load(cli, environ, wrong)
    assert result.code == 1
    assert "the trailer says 3 records but the volume holds 9" in result.err
    half = tmp_path / "half.csv"
    half.write_text(_base().text()[:-40])  # cut inside a quoted field of the last LPI
    cut = _load(cli, environ, half)
    assert cut.code == 1
    assert "half.csv line 9: unreadable CSV (unexpected end of data)" in cut.err
    assert snapshot(db_url) == before


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8-sig"])
def test_latin1_and_utf8_with_bom_load(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path, encoding: str
) -> None:
    dtf = (
        Dtf()
        .street(7001, "CAFÉ ROW", "OLDTOWN")
        .blpu(100001)
        .lpi(100001, 1, PAO_TEXT="MAISON DÉCOR")
    )
    path = tmp_path / "f.csv"
    path.write_bytes(dtf.text().encode(encoding))
    _ok(_load(cli, environ, path))
    record = _record(db_url, "100001")
    assert record is not None
    assert (record["street"], record["pao_text"]) == ("CAFÉ ROW", "MAISON DÉCOR")


def test_undecodable_bytes_are_a_clear_error(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(_base().text().encode() + b"\x81\x9d\x9f not text")
    result = _load(cli, environ, path)
    assert result.code == 1
    assert "undecodable bytes at offset" in result.err
    assert scalar(db_url, "SELECT count(*) FROM load_batch") == 0


# -- idempotent -----------------------------------------------------------------------------


def test_loading_the_same_file_again_changes_nothing(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    a = _base().write(tmp_path / "a.csv")
    _ok(_load(cli, environ, a))
    before = snapshot(db_url)
    out = _ok(_load(cli, environ, a))
    assert "is already the latest load of source llpg-1505 (batch 1): nothing changed" in out
    assert snapshot(db_url) == before
    b = Dtf().street().blpu(100001).lpi(100001, 1, PAO_START_NUMBER=99).write(tmp_path / "b.csv")
    _ok(_load(cli, environ, b))
    out = _ok(_load(cli, environ, a))  # A again, after B: A's content comes back
    assert "as batch 3" in out
    assert scalar(db_url, "SELECT count(*) FROM source_record WHERE removed_batch_id IS NULL") == 3


def test_the_summary_and_listings(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    out = _ok(_load(cli, environ, _base().write(tmp_path / "a.csv")))
    assert out.startswith(
        "loaded a.csv into llpg-1505 as batch 1: 10 rows read, 10 loaded, 0 quarantined"
    )
    assert out.rstrip().endswith("rows/s")
    sources = json.loads(_ok(cli("sources", "--json", environ=environ)))
    assert sources[0] | {"last_loaded": None} == {
        "source": "llpg-1505",
        "kind": "gazetteer",
        "custodian": 1505,
        "records": 3,
        "batches": 1,
        "last_loaded": None,
    }
    batches = json.loads(_ok(cli("batches", "--source", "llpg-1505", "--json", environ=environ)))
    assert {
        k: batches[0][k]
        for k in (
            "id",
            "source",
            "file",
            "status",
            "rows_read",
            "rows_loaded",
            "rows_quarantined",
            "rows_skipped",
        )
    } == {
        "id": 1,
        "source": "llpg-1505",
        "file": "a.csv",
        "status": "loaded",
        "rows_read": 10,
        "rows_loaded": 10,
        "rows_quarantined": 0,
        "rows_skipped": 0,
    }
    assert "no rows" in _ok(cli("quarantine", "1", environ=environ))
    missing = cli("quarantine", "42", environ=environ)
    assert missing.code == 1
    assert "no batch 42" in missing.err
    assert cli("batches", "--source", "nope", environ=environ).code == 1


def test_a_mapping_for_a_dtf_file_is_refused(
    cli: CliRunner, environ: dict[str, str], tmp_path: Path
) -> None:
    path = _base().write(tmp_path / "a.csv")
    result = cli("load", str(path), "--source", "x", "--id-column", "id", environ=environ)
    assert result.code == 1
    assert "DTF 7.3 files need no column mapping" in result.err


@pytest.mark.parametrize("name", ["Bad Name", "llpg-1505\n", "\nllpg"])
def test_a_bad_source_name_is_refused(
    cli: CliRunner, environ: dict[str, str], tmp_path: Path, name: str
) -> None:
    result = _load(cli, environ, _base().write(tmp_path / "a.csv"), source=name)
    assert result.code == 1
    assert f"source name {name!r}" in result.err


def test_a_broken_manifest_is_one_clear_error(
    cli: CliRunner, environ: dict[str, str], tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"sources": [{"file": "x.csv"}]}')
    result = cli("load-manifest", str(manifest), environ=environ)
    assert result.code == 1
    assert "not a readable manifest" in result.err


def test_every_status_and_state_of_the_code_lists_loads_and_others_are_refused(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    dtf = Dtf().street()
    for n, status in enumerate((1, 5, 6, 7, 8, 9), start=1):
        dtf.blpu(100000 + n, LOGICAL_STATUS=status, BLPU_STATE=n)
        dtf.lpi(100000 + n, n, LOGICAL_STATUS=status, PAO_START_NUMBER=n)
    dtf.blpu(100007, BLPU_STATE=7).lpi(100007, 7, LOGICAL_STATUS=3, PAO_TEXT="ALT ONLY")
    dtf.blpu(100008, LOGICAL_STATUS=3).blpu(100009, BLPU_CLASS="residential")
    dtf.blpu(100010).lpi(100010, 10, LOGICAL_STATUS=2, PAO_START_NUMBER=10)
    _ok(_load(cli, environ, dtf.write(tmp_path / "f.csv")))
    loaded = dict(query(db_url, "SELECT uprn, logical_status FROM source_record"))
    assert loaded == {100001: 1, 100002: 5, 100003: 6, 100004: 7, 100005: 8, 100006: 9, 100007: 1}
    states = [r[0] for r in query(db_url, "SELECT blpu_state FROM source_record ORDER BY uprn")]
    assert states == [1, 2, 3, 4, 5, 6, 7]
    reasons = _reasons(db_url)
    assert "LOGICAL_STATUS 3 is not in the code list (1, 5, 6, 7, 8, 9)" in reasons
    assert "BLPU_CLASS 'residential' is not a classification code" in reasons
    assert "LOGICAL_STATUS 2 is not in the code list (1, 3, 5, 6, 7, 8, 9)" in reasons
    assert any(r.startswith("BLPU 100010 has no LPI") for r in reasons)


def test_a_descriptor_change_keeps_the_street_record_attributes(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "full.csv")))
    street = "SELECT record_type, state, custodian_code, descriptor FROM street"
    assert query(db_url, street) == [(1, 2, 1505, "MILL LANE")]
    rename = Dtf(file_type="C").add(
        15, "U", USRN=7001, STREET_DESCRIPTOR="MILLER LANE", TOWN_NAME="OLDTOWN", LANGUAGE="ENG"
    )
    _ok(_load(cli, environ, rename.write(tmp_path / "c.csv")))
    assert query(db_url, street) == [(1, 2, 1505, "MILLER LANE")]


def test_deletes_reach_across_record_types_in_pro_order(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "full.csv")))
    changes = (
        Dtf(file_type="C")
        .add(15, "I", PRO_ORDER=1, USRN=7002, STREET_DESCRIPTOR="NEW ROAD", LANGUAGE="ENG")
        .add(11, "D", PRO_ORDER=2, USRN=7002)  # ends the descriptor given before it
        .blpu(100002, "D", PRO_ORDER=3)  # takes its LPI with it
    )
    _ok(_load(cli, environ, changes.write(tmp_path / "c.csv")))
    assert query(db_url, "SELECT usrn FROM street") == [(7001,)]
    assert scalar(db_url, "SELECT count(*) FROM dtf_lpi WHERE uprn = 100002") == 0
    assert _record(db_url, "100002") is None


def test_an_lpi_moved_to_another_blpu(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(
        _load(
            cli,
            environ,
            _base().blpu(100004).lpi(100004, 4, PAO_START_NUMBER=20).write(tmp_path / "full.csv"),
        )
    )
    move = Dtf(file_type="C").lpi(100001, 4, "U", PAO_START_NUMBER=20)  # 100004's LPI
    out = _ok(_load(cli, environ, move.write(tmp_path / "c.csv")))
    assert "1 removed" in out  # 100004 is left with no address
    record = _record(db_url, "100001")
    assert record is not None
    assert [o["pao_start_number"] for o in record["other_addresses"]] == [20]
    assert _record(db_url, "100004") is None


def test_a_change_only_file_applied_again_is_refused(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "full.csv")))
    first = Dtf(file_type="C").lpi(100001, 1, "U", PAO_START_NUMBER=50).write(tmp_path / "c1.csv")
    second = Dtf(file_type="C").lpi(100001, 1, "U", PAO_START_NUMBER=99).write(tmp_path / "c2.csv")
    _ok(_load(cli, environ, first))
    _ok(_load(cli, environ, second))
    result = _load(cli, environ, first)
    assert result.code == 1
    assert "this change-only file was applied before (batch 2)" in result.err
    record = _record(db_url, "100001")
    assert record is not None
    assert record["pao_start_number"] == 99


def test_volumes_must_be_complete_and_in_order(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    one = Dtf(next_volume=2).street().blpu(100001).lpi(100001, 1, PAO_START_NUMBER=1)
    two = Dtf(volume=2).blpu(100002).lpi(100002, 2, PAO_START_NUMBER=2)
    v1, v2 = one.write(tmp_path / "v1.csv"), two.write(tmp_path / "v2.csv")
    swapped = _load(cli, environ, v2, v1)
    assert swapped.code == 1
    assert "is volume 2, but was given as volume 1" in swapped.err
    alone = _load(cli, environ, v1)
    assert alone.code == 1
    assert "its trailer says volume 2 follows: give every volume" in alone.err
    twice = _load(cli, environ, v1, v1)
    assert twice.code == 1
    assert "the same file is given twice" in twice.err
    assert scalar(db_url, "SELECT count(*) FROM load_batch") == 0


def test_another_councils_gazetteer_is_refused(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "full.csv")))
    other = Dtf(custodian=4720).street().blpu(100001).lpi(100001, 1, PAO_START_NUMBER=1)
    result = _load(cli, environ, other.write(tmp_path / "o.csv"))
    assert result.code == 1
    assert (
        "is custodian 4720's gazetteer, but source 'llpg-1505' holds custodian 1505's" in result.err
    )


def test_an_empty_full_file_may_not_wipe_a_gazetteer(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    _ok(_load(cli, environ, _base().write(tmp_path / "full.csv")))
    result = _load(cli, environ, Dtf().write(tmp_path / "empty.csv"))
    assert result.code == 1
    assert "yields no records, so loading it would remove all 3 records" in result.err


def test_a_field_of_a_mebibyte_is_quarantined_at_once(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    # What made the country pattern backtrack for hours; a line stays under the file's bound of
    # a mebibyte (a longer line refuses the file).
    huge = "G B" + " " * 1_000_000 + "X"
    dtf = (
        _base()
        .blpu(100020)
        .lpi(100020, 20, PAO_TEXT=huge)
        .blpu(100021)
        .lpi(100021, 21, PAO_START_NUMBER=1)
    )
    started = time.monotonic()
    out = _ok(_load(cli, environ, dtf.write(tmp_path / "f.csv")))
    assert time.monotonic() - started < 10  # the whole load, the database's part included
    assert " 0 quarantined" not in out
    reasons = _reasons(db_url)
    assert len(reasons) == 2  # the LPI, and its BLPU, which is left without one
    assert "field 21 is 1,000,004 characters long: no address field is over 1,000" in reasons
    assert "BLPU 100020 has no LPI, so no address" in reasons
