"""`nsai synth`: the ground truth is consistent, output is reproducible, noise is present, bad
input is refused. Sizes are small so that the whole module runs in a few seconds."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pyproj import Transformer

from nsai.cli import main
from nsai.errors import NsaiError
from nsai.synth.generate import SynthOptions, generate

DTF_SOURCE = re.compile(r"^\d+,")


def synth(out: Path, *args: str) -> int:
    return main(["synth", str(out), *args], environ={})


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default region (5,000 properties, three councils, 500 queries)."""
    out = tmp_path_factory.mktemp("synth") / "region"
    assert synth(out) == 0
    return out


def manifest(out: Path) -> Any:
    return json.loads((out / "manifest.json").read_text())


def sources(out: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = manifest(out)["sources"]
    return found


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def dtf_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def record_ids(out: Path, source: dict[str, Any]) -> list[str]:
    """The id of every record of a source, read back from its file as a loader would."""
    path = out / source["file"]
    if source["format"] == "dtf73":
        return [row[3] for row in dtf_rows(path) if row[0] == "21"]
    column = source["mapping"]["id-column"]
    if source["format"] == "csv":
        return [row[column] for row in read_csv(path)]
    features = json.loads(path.read_text())["features"]
    return [feature["properties"][column] for feature in features]


def truth_by_source(out: Path) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in read_csv(out / "truth.csv"):
        grouped.setdefault(row["source"], []).append(row)
    return grouped


def properties(out: Path) -> dict[str, dict[str, str]]:
    return {row["true_id"]: row for row in read_csv(out / "properties.csv")}


# -- what the user sees -------------------------------------------------------------------


def test_default_run_writes_every_file_and_one_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert synth(out, "--properties", "600", "--queries", "40") == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"wrote 600 properties to {out} in ")
    names = [s["name"] for s in sources(out)]
    assert [n for n in names if n.startswith("llpg-")]
    assert names[-3:] == ["county", "ctax", "fire"]
    for name in names:
        assert f"{name} " in lines[0]
    assert "queries: 40" in lines[0]
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(
        [
            *(s["file"] for s in sources(out)),
            "manifest.json",
            "properties.csv",
            "queries.csv",
            "truth.csv",
        ]
    )


def test_default_size_is_a_demo(region: Path) -> None:
    options = manifest(region)["options"]
    assert options == {"councils": 3, "properties": 5000, "seed": 1, "queries": 500}
    assert len(properties(region)) == 5000
    assert [c["two_tier"] for c in manifest(region)["councils"]] == [True, True, False]


# -- the truth ----------------------------------------------------------------------------


def test_every_record_of_every_source_has_exactly_one_truth_row(region: Path) -> None:
    truth = truth_by_source(region)
    known = properties(region)
    assert sorted(truth) == sorted(s["name"] for s in sources(region))
    for source in sources(region):
        ids = record_ids(region, source)
        rows = truth[source["name"]]
        assert len(ids) == len(set(ids)), f"{source['name']}: duplicate record ids"
        assert len(rows) == len(ids) == source["records"], source["name"]
        assert sorted(r["source_ref"] for r in rows) == sorted(ids)
        missing = [r for r in rows if r["true_id"] not in known]
        assert not missing, f"{source['name']}: true ids that are no property: {missing[:3]}"


def test_sources_cover_what_they_should(region: Path) -> None:
    known = properties(region)
    truth = truth_by_source(region)
    classes = {
        name: Counter(known[r["true_id"]]["class"] for r in rows) for name, rows in truth.items()
    }
    assert set(classes["ctax"]) <= {"RD02", "RD03", "RD04", "RD06"}
    assert classes["fire"]["PP"] > 0
    assert classes["fire"]["RD06"] < classes["ctax"]["RD06"] / 5
    # Every property is in its own council's LLPG.
    in_llpgs = {
        r["true_id"] for name, rows in truth.items() if name.startswith("llpg-") for r in rows
    }
    assert in_llpgs == set(known)
    # The county covers the two-tier councils only, with gaps.
    two_tier = {str(c["code"]) for c in manifest(region)["councils"] if c["two_tier"]}
    in_county = [p for p in known.values() if p["custodian_code"] in two_tier]
    county_ids = {r["true_id"] for r in truth["county"]}
    assert county_ids <= {p["true_id"] for p in in_county}
    assert 0.88 < len(county_ids) / len(in_county) < 0.98


def test_property_list_is_a_real_gazetteer(region: Path) -> None:
    known = properties(region)
    kinds = Counter(p["class"] for p in known.values())
    for cls in ("RD02", "RD03", "RD04", "RD06", "PP", "CI03"):
        assert kinds[cls] > 0, cls
    # Flats point at parent shells.
    for p in known.values():
        if p["parent_id"]:
            assert known[p["parent_id"]]["class"] == "PP"
    numbers = [p["pao_numbers"] for p in known.values()]
    assert any(re.fullmatch(r"\d+A", n) for n in numbers), "no suffixed numbers"
    assert any(re.fullmatch(r"\d+-\d+", n) for n in numbers), "no number ranges"
    saos = Counter(p["sao"].split(" ")[0] for p in known.values() if p["sao"])
    assert saos["Flat"]
    assert saos["Unit"]
    assert saos["Ground"]
    named = [p for p in known.values() if p["pao_text"] and p["class"] != "PP" and not p["sao"]]
    assert any(p["pao_numbers"] for p in named)
    assert any(not p["pao_numbers"] for p in named)
    # Building names are unique within a street (BS7666).
    by_street = Counter(
        (p["town"], p["street"], p["pao_text"])
        for p in known.values()
        if p["pao_text"] and not p["sao"]
    )
    assert max(by_street.values()) == 1
    # Church Street in most towns; some towns in two councils.
    towns: dict[str, set[str]] = {}
    for p in known.values():
        towns.setdefault(p["town"], set()).add(p["custodian_code"])
    church = {p["town"] for p in known.values() if p["street"] == "Church Street"}
    assert len(church) >= 3
    assert any(len(codes) == 2 for codes in towns.values()), "no town straddles a boundary"
    # British National Grid, in England, in a plausible place.
    for p in known.values():
        assert 400_000 < float(p["x"]) < 560_000
        assert 200_000 < float(p["y"]) < 340_000
        assert re.fullmatch(r"[A-Z]{1,2}\d{1,2} \d[A-Z]{2}", p["postcode"]), p["postcode"]


def test_postcode_units_hold_about_a_dozen_delivery_points(region: Path) -> None:
    units = Counter(p["postcode"] for p in properties(region).values() if p["class"] != "PP")
    assert max(units.values()) <= 16
    assert 6 < sum(units.values()) / len(units) < 16


# -- queries ------------------------------------------------------------------------------


def test_queries_count_and_share_without_answer(region: Path) -> None:
    queries = read_csv(region / "queries.csv")
    known = properties(region)
    assert len(queries) == 500
    assert len({q["id"] for q in queries}) == 500
    without = [q for q in queries if not q["true_id"]]
    assert len(without) == 75
    assert all(q["true_id"] in known for q in queries if q["true_id"])


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^A-Z0-9 ]", " ", text.upper().replace("'", "")).split())


def _prefix_variants(p: dict[str, str]) -> set[str]:
    """What can come before the street in an address that means property `p`."""
    drop = {"FLAT", "APARTMENT", "APT", "UNIT"}

    def words(*parts: str) -> str:
        return " ".join(w for w in _normal(" ".join(parts)).split() if w not in drop)

    variants = {words(p["sao"], p["pao_text"], p["pao_numbers"])}
    if p["pao_numbers"]:
        variants.add(words(p["sao"], p["pao_numbers"]))
    return variants


def test_queries_without_an_answer_match_no_property(region: Path) -> None:
    known = list(properties(region).values())
    towns = {p["town"] for p in known}
    checked = 0
    for query in read_csv(region / "queries.csv"):
        if query["true_id"]:
            continue
        text = _normal(query["address"])
        town_names = [t for t in towns if re.search(rf"\b{_normal(t)}$", text)]
        assert town_names, f"query names no town: {query}"
        for p in known:
            if p["town"] not in town_names:
                continue
            street = re.search(rf"(.*?)\b{_normal(p['street'])}\b", text)
            if street is None:
                continue
            drop = {"FLAT", "APARTMENT", "APT", "UNIT"}
            prefix = " ".join(w for w in street.group(1).split() if w not in drop)
            assert prefix not in _prefix_variants(p), f"{query} matches {p['address']}"
        checked += 1
    assert checked == 75


def test_queries_with_an_answer_are_messy(region: Path) -> None:
    queries = [q for q in read_csv(region / "queries.csv") if q["true_id"]]
    known = properties(region)
    exact = sum(_normal(q["address"]) == _normal(known[q["true_id"]]["address"]) for q in queries)
    lower = sum(q["address"] == q["address"].lower() for q in queries)
    with_postcode = sum(
        bool(re.search(r"\b[a-z]{1,2}\d{1,2} ?\d[a-z]{2}$", q["address"], re.I)) for q in queries
    )
    assert exact < len(queries) * 0.3
    assert 0.3 < lower / len(queries) < 0.7
    assert 0.45 < with_postcode / len(queries) < 0.75


# -- reproducibility ----------------------------------------------------------------------


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    args = ["--properties", "400", "--queries", "30", "--seed", "7"]
    assert synth(tmp_path / "a", *args) == 0
    # The second run is another process with another hash seed: no set order may leak out.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    code = "from nsai.cli import main; raise SystemExit(main())"
    subprocess.run(
        [sys.executable, "-c", code, "synth", str(tmp_path / "b"), *args], check=True, env=env
    )
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between runs of one seed"
    assert synth(tmp_path / "c", *args[:-1], "8") == 0
    other = _files(tmp_path / "c")
    for name in ("truth.csv", "properties.csv", "ctax.csv", "fire.geojson", "queries.csv"):
        assert other[name] != first[name], f"{name} is the same for another seed"


# -- noise --------------------------------------------------------------------------------


def test_council_tax_list_is_typed_by_people(region: Path) -> None:
    rows = read_csv(region / "ctax.csv")
    n = len(rows)
    postcodes = [r["postcode"] for r in rows]
    assert 0.01 < sum(not p for p in postcodes) / n < 0.06
    assert (
        0.02
        < sum(bool(re.fullmatch(r"[A-Za-z]{1,2}\d{1,2}\d[A-Za-z]{2}", p)) for p in postcodes) / n
        < 0.1
    )
    lines = [" ".join(r[f"address_{i}"] for i in range(1, 5)) for r in rows]
    assert 0.25 < sum(line == line.upper() for line in lines) / n < 0.5
    assert 0.02 < sum(line == line.lower() for line in lines) / n < 0.1
    abbreviated = sum(
        bool(re.search(r"\b(Rd|Ave|Av|Gdns|Cl|Dr|Cres|Ln)\b\.?", line, re.I)) for line in lines
    )
    assert 0.1 < abbreviated / n < 0.45
    assert any(re.search(r"\bsaint\b", line, re.I) for line in lines)
    assert any(re.search(r"\b(Apartment|Apt) \d", line, re.I) for line in lines)
    assert any(
        re.search(r"\bSt Marys\b|\bSt Johns\b|\bQueens\b|\bKings\b", line, re.I) for line in lines
    )


def test_fire_points_are_near_their_property_with_a_long_tail(region: Path) -> None:
    truth = {r["source_ref"]: r["true_id"] for r in truth_by_source(region)["fire"]}
    known = properties(region)
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    distances = []
    for feature in json.loads((region / "fire.geojson").read_text())["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -3 < lon < 0.5
        assert 51 < lat < 53.5
        x, y = to_bng.transform(lon, lat)
        p = known[truth[feature["properties"]["id"]]]
        distances.append(math.dist((x, y), (float(p["x"]), float(p["y"]))))
    distances.sort()
    assert distances[len(distances) // 2] < 10
    far = sum(d > 100 for d in distances) / len(distances)
    assert 0.01 < far < 0.06
    assert distances[-1] < 301


def test_fire_addresses_are_one_line_mostly_in_capitals(region: Path) -> None:
    features = json.loads((region / "fire.geojson").read_text())["features"]
    addresses = [f["properties"]["address"] for f in features]
    assert 0.6 < sum(a == a.upper() for a in addresses) / len(addresses) < 0.8
    assert all("\n" not in a for a in addresses)
    types = Counter(f["properties"]["premises_type"] for f in features)
    assert set(types) == {"Dwelling", "Flats", "Commercial"}


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--councils", "0"], "--councils must be between 1 and 50, not 0"),
        (["--councils", "51"], "--councils must be between 1 and 50, not 51"),
        (
            ["--properties", "-5"],
            "--properties must be at least 50 per council (150 for 3), not -5",
        ),
        (["--properties", "0"], "--properties must be at least 50 per council"),
        (["--properties", "20000000"], "--properties must be at most 10,000,000"),
        (["--queries", "-1"], "--queries must be between 0 and --properties (5000), not -1"),
        (
            ["--properties", "200", "--queries", "201"],
            "--queries must be between 0 and --properties",
        ),
        (["--seed", "-3"], "--seed must be 0 or more, not -3"),
    ],
)
def test_impossible_options_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    assert synth(out, *args) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"nsai: error: {message}")
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_outdir_that_is_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "taken"
    target.write_text("mine")
    assert synth(target) == 1
    assert "exists and is not a directory" in capsys.readouterr().err
    assert target.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_outdir_that_cannot_be_written_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert synth(blocker / "out") == 1
    assert f"{blocker} is not a directory" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_non_empty_outdir_needs_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    assert synth(out, "--properties", "300") == 1
    assert "exists and is not empty: choose another or pass --force" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "precious"
    assert synth(out, "--properties", "300", "--force") == 0
    assert not (out / "keep.txt").exists()
    assert (out / "truth.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failure_half_way_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("nsai.synth.generate._write", broken)
    with pytest.raises(NsaiError, match="No space left on device"):
        generate(tmp_path / "out", SynthOptions(properties=300, queries=10))
    assert list(tmp_path.iterdir()) == []


def test_empty_outdir_is_used_with_the_usual_mode(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    result = generate(out, SynthOptions(councils=1, properties=100, queries=5))
    assert result.properties == 100
    assert len(properties(out)) == 100
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask
