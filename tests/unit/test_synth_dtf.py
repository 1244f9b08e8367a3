"""DTF 7.3: the writer's quoting, and the structure of every DTF file `nsai synth` writes and of
the hand-written edge-case fixture."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from nsai.cli import main
from nsai.formats import dtf73

FIXTURE = Path(__file__).parent.parent / "data" / "edge_cases"
FIELD_COUNTS = {10: 9, 11: 20, 15: 9, 21: 23, 24: 30, 99: 5}
CLASSES = {
    "RD", "RD02", "RD03", "RD04", "RD06", "PP", "CI01", "CI03", "CI04", "CO01", "CR01", "CR02",
    "CR06", "CR07", "CR08",
}  # fmt: skip
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
COORDINATE = re.compile(r"\d{6}\.\d{2}")


# -- the writer ---------------------------------------------------------------------------


def test_layouts_match_the_reference() -> None:
    assert {k: len(v) for k, v in dtf73.FIELDS.items()} == FIELD_COUNTS
    assert dtf73.FIELDS[24][11] == "SAO_START_NUMBER"
    assert dtf73.FIELDS[24][9] == "ENTRY_DATE"
    assert dtf73.FIELDS[21][9:11] == ("X_COORDINATE", "Y_COORDINATE")


def test_encode_quotes_text_only() -> None:
    values: list[dtf73.Value] = [None] * 23
    values[:12] = [21, "I", 1, 123, 1, 2, dt.date(2001, 2, 3), "RD04", None, 445000.5, 255000.0, 1]
    values[17] = 'THE "OLD" FORGE'
    line = dtf73.encode(21, values)
    assert line.startswith('21,"I",1,123,1,2,2001-02-03,"RD04",,445000.50,255000.00,1,')
    assert ',"THE ""OLD"" FORGE",' in line
    assert next(csv.reader([line]))[17] == 'THE "OLD" FORGE'


def test_encode_refuses_a_wrong_field_count() -> None:
    with pytest.raises(ValueError, match="DTF record 15 has 9 fields, got 3"):
        dtf73.encode(15, [15, "I", 1])


def test_writer_frames_the_volume() -> None:
    out = io.StringIO()
    writer = dtf73.DtfWriter(
        out,
        custodian_name="ASHBY",
        custodian_code=7105,
        process_date=dt.date(2024, 3, 1),
        time_stamp=dt.time(9, 0, 0),
    )
    writer.write(15, [15, "I", 1, 71050001, "CHURCH STREET", None, "ASHBY", "ASHBY", "ENG"])
    writer.close()
    assert out.getvalue().splitlines() == [
        '10,"ASHBY",7105,2024-03-01,1,2024-03-01,09:00:00,"7.3","F"',
        '15,"I",1,71050001,"CHURCH STREET",,"ASHBY","ASHBY","ENG"',
        "99,0,1,2024-03-01,09:00:00",
    ]
    with pytest.raises(ValueError, match="header and trailer"):
        writer.write(99, [99, 0, 1, None, None])


# -- checking a file ----------------------------------------------------------------------


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def check_dtf(path: Path) -> dict[str, str]:
    """Asserts that `path` is a well-formed DTF 7.3 volume; returns its BLPUs' UPRN -> class.

    The header and trailer frame the file; RECORD_COUNT counts the records between them.
    """
    rows = read(path)
    assert rows[0][0] == "10", rows[0]
    assert rows[0][7:] == ["7.3", "F"], rows[0]
    code = rows[0][2]
    assert re.fullmatch(r"\d{4}", code)
    assert rows[-1][0] == "99", rows[-1]
    assert int(rows[-1][2]) == len(rows) - 2, rows[-1]
    types = Counter(row[0] for row in rows)
    assert set(types) == {"10", "11", "15", "21", "24", "99"}
    assert types["10"] == types["99"] == 1
    assert types["11"] == types["15"]
    streets: set[str] = set()
    blpus: dict[str, str] = {}
    lpi_keys: set[str] = set()
    for row in rows:
        assert len(row) == FIELD_COUNTS[int(row[0])], row
        if row[0] == "11":
            streets.add(row[3])
        elif row[0] == "21":
            uprn, cls = row[3], row[7]
            assert re.fullmatch(r"\d{1,12}", uprn), row
            assert uprn not in blpus, row
            assert cls in CLASSES, row
            assert COORDINATE.fullmatch(row[9]), row
            assert COORDINATE.fullmatch(row[10]), row
            assert row[4] in {"1", "6"}, row
            assert row[11] in {"1", "2", "5"}, row
            assert DATE.fullmatch(row[13]), row
            assert DATE.fullmatch(row[16]), row
            blpus[uprn] = cls
        elif row[0] == "24":
            assert row[3] in blpus, f"LPI before or without its BLPU: {row}"
            assert row[21] in streets, f"LPI on a street not in the file: {row}"
            assert re.fullmatch(rf"{code}L\d{{9}}", row[4]), row
            assert row[4] not in lpi_keys, row
            lpi_keys.add(row[4])
            assert row[6] in {"1", "3", "6", "8"}, row
            assert bool(row[8]) == (row[6] == "8"), f"END_DATE only on historical LPIs: {row}"
            assert row[11] or row[15] or row[16] or row[20], f"LPI without SAO or PAO: {row}"
    return blpus


def parents(path: Path) -> dict[str, str]:
    """Child UPRN -> PARENT_UPRN for the BLPUs of `path` that have one."""
    return {row[3]: row[8] for row in read(path) if row[0] == "21" and row[8]}


# -- generated files ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "region"
    assert main(["synth", str(out), "--properties", "3000", "--queries", "10"], environ={}) == 0
    return out


def dtf_sources(out: Path) -> dict[str, Path]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {s["name"]: out / s["file"] for s in manifest["sources"] if s["format"] == "dtf73"}


def test_every_generated_dtf_file_is_well_formed(region: Path) -> None:
    files = dtf_sources(region)
    assert "county" in files
    assert len(files) == 4
    blpus = {name: check_dtf(path) for name, path in files.items()}
    llpg_blpus = {
        uprn: cls
        for name, found in blpus.items()
        if name.startswith("llpg-")
        for uprn, cls in found.items()
    }
    for name, path in files.items():
        children = parents(path)
        assert children, f"{name} has no flats"
        for child, parent in children.items():
            if parent in blpus[name]:
                assert blpus[name][parent] == "PP"
            else:
                # A cross-boundary flat may point at its building in the neighbour's file.
                assert name != "county", (child, parent)
                assert llpg_blpus.get(parent) == "PP", (name, child, parent)


def test_council_files_carry_all_lpi_statuses(region: Path) -> None:
    statuses: Counter[str] = Counter()
    for name, path in dtf_sources(region).items():
        if name.startswith("llpg-"):
            statuses.update(row[6] for row in read(path) if row[0] == "24")
    assert statuses["1"] > 1000
    assert statuses["3"] > 0
    assert statuses["8"] > 0
    assert statuses["6"] > 0
    assert 0.005 < statuses["8"] / statuses["1"] < 0.04


def flat_convention(row: list[str]) -> str | None:
    """How an approved LPI writes a numbered flat, or None when it is no numbered flat."""
    if row[0] != "24" or row[6] != "1" or row[15].startswith("UNIT"):
        return None
    if row[11]:
        return "number and text" if row[15] else "number alone"
    if re.fullmatch(r"(FLAT|APARTMENT) \d+", row[15]):
        return "text"
    return None


def test_councils_write_flats_their_own_way_and_the_county_another(region: Path) -> None:
    conventions = {
        name: Counter(c for row in read(path) if (c := flat_convention(row)))
        for name, path in dtf_sources(region).items()
    }
    assert set(conventions.pop("county")) == {"text"}
    usual = {name: counts.most_common(1)[0][0] for name, counts in conventions.items()}
    assert set(usual.values()) == {"number and text", "number alone"}, conventions


def test_cross_boundary_records(region: Path) -> None:
    truth: dict[str, dict[str, str]] = {}
    with (region / "truth.csv").open() as f:
        for row in csv.DictReader(f):
            truth.setdefault(row["source"], {})[row["source_ref"]] = row["true_id"]
    under_neighbour = under_own = 0
    for name, refs in truth.items():
        if not name.startswith("llpg-"):
            continue
        code = name.removeprefix("llpg-")
        for ref, true_id in refs.items():
            if not true_id.startswith(code):
                if ref == true_id:
                    under_neighbour += 1
                else:
                    assert ref.startswith(code)
                    under_own += 1
    assert under_neighbour > 0
    assert under_own > under_neighbour


def test_county_is_coarser_and_in_capitals(region: Path) -> None:
    rows = read(dtf_sources(region)["county"])
    code = rows[0][2]
    blpus = [row for row in rows if row[0] == "21"]
    assert all(row[3].startswith(code) for row in blpus)
    assert 0.05 < sum(row[11] == "5" for row in blpus) / len(blpus) < 0.15
    assert all(row[9].endswith(".00") for row in blpus)
    descriptors = [row[4] for row in rows if row[0] == "15"]
    assert all(d == d.upper() for d in descriptors)
    assert any(d.endswith((" RD", " ST", " CL")) for d in descriptors)
    assert not any(d.endswith((" ROAD", " STREET", " CLOSE")) for d in descriptors)


# -- the hand-written fixture -------------------------------------------------------------


def test_edge_case_fixture_is_valid_dtf_with_complete_truth() -> None:
    manifest = json.loads((FIXTURE / "manifest.json").read_text())
    with (FIXTURE / "truth.csv").open() as f:
        truth = list(csv.DictReader(f))
    for source in manifest["sources"]:
        path = FIXTURE / source["file"]
        if source["format"] == "dtf73":
            blpus = check_dtf(path)
            for child, parent in parents(path).items():
                assert blpus[parent] == "PP", child
            ids = list(blpus)
        else:
            with path.open(newline="") as f:
                ids = [row[source["mapping"]["id-column"]] for row in csv.DictReader(f)]
        refs = [row["source_ref"] for row in truth if row["source"] == source["name"]]
        assert sorted(refs) == sorted(ids), source["name"]
        assert len(ids) == source["records"], source["name"]
    true_ids = {row["true_id"] for row in truth}
    council_uprns = {row["source_ref"] for row in truth if row["source"].startswith("llpg-")}
    assert true_ids == council_uprns
