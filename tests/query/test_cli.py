"""`nsai lookup` and `nsai search`, in-process, over a published gazetteer."""

from __future__ import annotations

import json

from tests.conftest import CliRunner
from tests.published import Published


def test_lookup_prints_the_record(cli: CliRunner, published: Published) -> None:
    uprn, line, code = published.query(
        "SELECT uprn, single_line, custodian_code FROM national_address "
        "WHERE status = 'active' AND geom IS NOT NULL ORDER BY uprn LIMIT 1"
    )[0]
    result = cli("lookup", str(uprn), environ=published.environ)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == f"UPRN {uprn} (active)"
    assert lines[1] == line
    assert f"custodian {code} " in lines[2]
    assert "(EPSG:27700)" in lines[3]
    assert "(WGS84)" in lines[3]
    as_json = cli("lookup", str(uprn), "--json", environ=published.environ)
    record = json.loads(as_json.out)
    assert record["uprn"] == uprn
    assert record["single_line"] == line


def test_lookup_follows_a_merged_uprn_and_refuses_unknown_ones(
    cli: CliRunner, published: Published
) -> None:
    merged, successor = published.query(
        "SELECT uprn, successor_uprn FROM national_address WHERE status = 'merged' LIMIT 1"
    )[0]
    result = cli("lookup", str(merged), "--json", environ=published.environ)
    assert result.code == 0
    assert f"UPRN {merged} resolves to UPRN {successor}" in result.err
    assert json.loads(result.out)["uprn"] == successor
    missing = cli("lookup", "5", environ=published.environ)
    assert missing.code == 1
    assert missing.err.strip() == "nsai: error: UPRN 5 is not in the gazetteer"
    huge = cli("lookup", "1000000000000", environ=published.environ)
    assert huge.code == 1
    assert "uprn: a UPRN is a whole number from 1 to 999999999999" in huge.err


def test_search_ranks_like_the_api(cli: CliRunner, published: Published) -> None:
    uprn, line = published.query(
        "SELECT uprn, single_line FROM national_address WHERE status = 'active' "
        "AND sao_text IS NULL AND pao_text IS NULL AND organisation IS NULL ORDER BY uprn LIMIT 1"
    )[0]
    result = cli("search", line.lower(), "--limit", "3", environ=published.environ)
    assert result.code == 0, result.err
    first = result.out.splitlines()[0]
    assert first.startswith(f"1.0000  {uprn:>12}  {line}")
    hits = json.loads(
        cli("search", line, "--json", "--classification", "RD*", environ=published.environ).out
    )
    assert hits[0]["uprn"] == uprn
    assert hits[0]["score"] == 1.0
    assert all(h["classification"].startswith("RD") for h in hits)
    nothing = cli("search", "qqqqzzzz", environ=published.environ)
    assert nothing.out.strip() == "nothing found for 'QQQQZZZZ'"
    bad = cli("search", "mill", "--classification", "R%", environ=published.environ)
    assert bad.code == 1
    assert "classification:" in bad.err
