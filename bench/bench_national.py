"""A national run (100 million source records) on paper, projected from the largest reconcile
that `bench/run.py match` measured (its row in BENCHMARKS.md): nothing is run here, so run the
match benchmark first. Each stage is scaled linearly from its measured seconds per million
records, which holds for the stages that handle each record or pair a fixed number of times and
understates the PostgreSQL joins, whose hash tables outgrow memory at that size.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NATIONAL = 100_000_000
MACHINE_GIB = 24
# Where each stage of `nsai reconcile` runs, and what would spread it.
STAGES = {
    "read": ("the run's process, from PostgreSQL", "each worker reading its records"),
    "block": ("PostgreSQL, one backend", "rules as hash-partitioned joins on the workers"),
    "workers": ("starting the Dask workers", "-"),
    "score": ("the partitions (Dask)", "more workers"),
    "cluster": ("the partitions (Dask)", "more workers"),
    "uprns": ("the run's process (allocation in record order)", "stays in one place"),
    "indexes": ("PostgreSQL, first run only (within publish)", "parallel index builds"),
    "publish": ("PostgreSQL, one transaction", "COPY of the deltas from the workers"),
    "vacuum": ("PostgreSQL, after publishing", "-"),
}
POSTGRES = ("block", "indexes", "publish", "vacuum")


def _largest_run(text: str) -> dict[str, str]:
    """The in-process row of the largest size in the match section's speed table."""
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| ") and "| in process |" in line
    ]
    if not rows:
        raise RuntimeError("BENCHMARKS.md has no reconcile measured in process: run match first")
    names = ("properties", "records", "pairs", "where", "seconds", "stages", "largest",
             "group", "partitions", "peak", "rerun")  # fmt: skip
    return dict(zip(names, max(rows, key=lambda r: int(r[1].replace(",", ""))), strict=True))


def run(quick: bool) -> str:
    text = (REPO / "BENCHMARKS.md").read_text()
    match = text.split("<!-- bench:match -->", 1)[-1].split("<!-- bench:", 1)[0]
    row = _largest_run(match)
    stamp = re.findall(r"_Measured (.+?)\.?_", match)
    records = int(row["records"].replace(",", ""))
    scale = NATIONAL / records
    # A stage by its name without a note ("indexes (in publish)" is "indexes").
    stages = {
        name.split(" (")[0]: float(seconds)
        for name, seconds in (part.rsplit(" ", 1) for part in row["stages"].split(", "))
    }
    # The first run's index builds are timed inside its publishing: counted once.
    stages["publish"] -= stages.get("indexes", 0.0)
    peak_mib = float(row["peak"].replace(",", ""))
    lines = [
        "## A national run, on paper",
        "",
        f"Projected from the largest reconcile above ({records:,} source records, in one "
        f"process, {row['seconds']} s, peak {row['peak']} MiB; measured "
        f"{stamp[-1] if stamp else 'in the match section'}) to {NATIONAL:,} source records: "
        "England's 30-40 million addresses in three sources on average. Seconds scale "
        "linearly (a floor: PostgreSQL's joins and sorts spill to disk at that size).",
        "",
        "| stage | runs in | seconds per 1M records | 100M, as built | spread by |",
        "|---|---|---:|---:|---|",
    ]
    for name, seconds in stages.items():
        where, spread = STAGES.get(name, ("?", "?"))
        per_million = seconds * 1_000_000 / records
        lines.append(
            f"| {name} | {where} | {per_million:.1f} | {seconds * scale / 3600:.1f} h | {spread} |"
        )
    total = sum(stages.values()) * scale / 3600
    held = peak_mib * scale / 1024
    lines += [
        "",
        f"- **Time:** {total:.1f} h in all as built, of which the PostgreSQL stages (block, "
        "indexes, publish, vacuum) are "
        f"{sum(v for k, v in stages.items() if k in POSTGRES) * scale / 3600:.1f} h "
        "on one backend each.",
        f"- **Memory:** the run's process holds every record, its pairs and its clusters: "
        f"{peak_mib * 1_000_000 / records:,.0f} MiB per million records, so {held:,.0f} GiB "
        f"at 100M and {held / 10:,.0f} GiB at 10M, against this machine's {MACHINE_GIB} GiB. "
        "Partitions cut the work of scoring and clustering, not what the run's process holds: "
        "a national run needs the records to stay with the workers (each reading its own "
        "partition of one exported snapshot) and the desired state to go back to PostgreSQL "
        "from them, which is not built.",
        "- **Disk:** PostgreSQL's temporary tables hold the run's records, keys and candidate "
        f"pairs ({float(row['pairs']):.2f} per record): about "
        f"{NATIONAL * (1 + float(row['pairs'])) * 100 / 1e9:,.0f} GB at 100 bytes a row.",
    ]
    return "\n".join(lines)
