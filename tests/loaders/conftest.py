"""Shared pieces of the loader tests: a small synthetic region, and reading the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import yaml


def load_args(region: Path, source: dict[str, Any], scratch: Path | None = None) -> list[str]:
    """`nsai load` arguments for one source of a manifest (its mapping written as YAML into
    `scratch`, by default beside the data)."""
    args = ["load", str(region / source["file"]), "--source", source["name"]]
    if "mapping" in source:
        mapping = (scratch or region) / f"{source['name']}.mapping.yaml"
        mapping.write_text(yaml.safe_dump(source["mapping"]))
        args += ["--mapping", str(mapping)]
    return args


def query(url: str, statement: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(statement, params).fetchall()


def scalar(url: str, statement: str, *params: object) -> Any:
    rows = query(url, statement, *params)
    return rows[0][0]


def snapshot(url: str) -> dict[str, int]:
    """Row counts of every loading table: a refused load must leave them all as they were."""
    tables = (
        "source",
        "load_batch",
        "quarantine",
        "street",
        "source_record",
        "dtf_blpu",
        "dtf_lpi",
        "custodian",
    )
    return {t: int(scalar(url, f"SELECT count(*) FROM {t}")) for t in tables}
