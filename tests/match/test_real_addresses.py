"""Real council addresses (tests/data/real/): a list and its re-spellings reconciled against a
real PostGIS, judged by the council's UPRNs."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from nsai.match.reread import READING_COLUMNS
from tests.conftest import CliRunner
from tests.loaders.conftest import query

REAL = Path(__file__).resolve().parents[1] / "data" / "real"


def _uprns(name: str) -> dict[str, str]:
    with (REAL / name).open(newline="") as handle:
        return {row["ref"]: row["uprn"] for row in csv.DictReader(handle)}


def _national(db_url: str) -> dict[str, int]:
    """source_ref -> its national UPRN."""
    rows = query(
        db_url,
        "SELECT r.source_ref, l.uprn FROM address_link l JOIN source_record r USING (record_id)",
    )
    return {str(ref): int(uprn) for ref, uprn in rows}


def _load_sample(cli: CliRunner, environ: dict[str, str]) -> None:
    """The sample of the list as one source, its re-spellings as another."""
    for name, source in (("merthyr-sample.csv", "electoral"), ("respelt.csv", "services")):
        result = cli(
            "load", str(REAL / name), "--source", source, "--id-column", "ref",
            "--address-columns", "address", environ=environ,
        )  # fmt: skip
        assert result.code == 0, result.err


def test_a_real_list_and_its_respellings_make_one_record_per_property(
    cli: CliRunner, environ: dict[str, str], db_url: str
) -> None:
    _load_sample(cli, environ)
    result = cli("reconcile", environ=environ)
    assert result.code == 0, result.err
    truth = _uprns("merthyr-sample.csv") | _uprns("respelt.csv")
    national = _national(db_url)
    held: dict[int, set[str]] = defaultdict(set)
    for ref, uprn in national.items():
        held[uprn].add(truth[ref])
    # Never two real properties in one national record: the HIGH STREET of DOWLAIS TOP and of
    # CAEHARRIS, the houses named inside FAIR VIEW ESTATE and CLWYDYFAGWYR, a caravan in the
    # grounds of 106 HEOLGERRIG and 106 itself, the flat at the ANTELOPE HOTEL and the hotel.
    assert {uprn: found for uprn, found in held.items() if len(found) > 1} == {}
    # Every re-spelling is with the line it re-spells.
    by_uprn = {uprn: ref for ref, uprn in _uprns("merthyr-sample.csv").items()}
    apart = {
        ref: uprn
        for ref, uprn in _uprns("respelt.csv").items()
        if national[ref] != national[by_uprn[uprn]]
    }
    assert apart == {}


def test_a_list_record_read_again_is_kept_as_read_for_bulk_matching_and_stewards(
    cli: CliRunner, environ: dict[str, str], db_url: str
) -> None:
    _load_sample(cli, environ)
    assert cli("reconcile", environ=environ).code == 0
    # As loaded, "64 the hawthorns pant cf482ej" has the street THE HAWTHORNS PANT; as read,
    # THE HAWTHORNS in PANT, and bulk matching's copy of its keys says so.
    loaded, read, matched = query(
        db_url,
        "SELECT r.street_key, x.street_key, k.street_key FROM source_record r "
        "JOIN record_reading x USING (record_id) JOIN national_match_key k USING (record_id) "
        "WHERE r.source_ref = 'R1'",
    )[0]
    assert (loaded, read, matched) == ("THE HAWTHORNS PANT", "THE HAWTHORNS", "THE HAWTHORNS")
    # The names the run knew are kept for bulk matching.
    known = query(db_url, "SELECT kind, area, name FROM known_name WHERE name = 'THE HAWTHORNS'")
    assert ("street", "SCF482", "THE HAWTHORNS") in known


def test_readings_are_stored_as_the_code_describes_them(db_url: str) -> None:
    columns = query(
        db_url,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'record_reading' ORDER BY ordinal_position",
    )
    assert tuple(c for (c,) in columns) == ("record_id", *READING_COLUMNS)


def test_one_review_item_per_pair_of_national_records_and_one_decision_for_all(
    cli: CliRunner, environ: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    # Two lists agree on ROSE VILLA; a third spells it ROSE VILA with no postcode: uncertain
    # against each of the two, and both pairs are between the same two national records.
    lines = {
        "a": "ROSE VILLA, MILL LANE, OLDTOWN, AB1 2CD",
        "b": "Rose Villa, Mill Lane, Oldtown, AB1 2CD",
        "c": "ROSE VILA, MILL LANE, OLDTOWN",
    }
    for source, line in lines.items():
        path = tmp_path / f"{source}.csv"
        path.write_text(f'ref,address\n{source}1,"{line}"\n')
        result = cli(
            "load", str(path), "--source", source, "--id-column", "ref",
            "--address-columns", "address", environ=environ,
        )  # fmt: skip
        assert result.code == 0, result.err
    assert cli("reconcile", environ=environ).code == 0
    items = query(db_url, "SELECT review_id, jsonb_array_length(pairs) FROM review_item")
    assert [count for _, count in items] == [2]
    ((review_id, _),) = items
    result = cli("review", "reject", str(review_id), "--reason", "two houses", environ=environ)
    assert result.code == 0, result.err
    assert query(db_url, "SELECT count(*) FROM match_decision WHERE decision = 'reject'") == [(2,)]
    assert cli("reconcile", environ=environ).code == 0
    assert query(db_url, "SELECT count(*) FROM review_item WHERE status = 'open'") == [(0,)]
    assert query(db_url, "SELECT count(DISTINCT uprn) FROM address_link") == [(2,)]
