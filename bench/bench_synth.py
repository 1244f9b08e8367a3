"""`nsai synth` at scale: wall time, throughput, output size and peak memory (RSS) of the
command run as a child process, at two sizes (100k and 1M properties; quick: 10k and 100k).

Baseline: copying the generated files to a fresh directory on the same disk, so the ratio says
how far generation is from merely writing that many bytes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS_PER_MILLION = 120.0
CLI = "import sys; from nsai.cli import main; sys.exit(main())"


def _synth(out: Path, properties: int) -> tuple[float, int]:
    """Runs `nsai synth` in a child process; returns (seconds, peak RSS in bytes)."""
    command = [sys.executable, "-c", CLI, "synth", str(out), "--properties", str(properties)]
    command += ["--queries", str(min(10_000, properties // 10))]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"nsai synth --properties {properties} failed ({child.returncode})")
    return seconds, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def _copy_seconds(source: Path, target: Path) -> float:
    started = time.perf_counter()
    shutil.copytree(source, target)
    os.sync()
    return time.perf_counter() - started


def run(quick: bool) -> str:
    sizes = (10_000, 100_000) if quick else (100_000, 1_000_000)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        for properties in sizes:
            out = Path(tmp) / f"synth-{properties}"
            seconds, peak = _synth(out, properties)
            size = sum(p.stat().st_size for p in out.iterdir())
            copy = _copy_seconds(out, Path(tmp) / f"copy-{properties}")
            rows.append((properties, seconds, size, peak, copy))
            shutil.rmtree(out)
            shutil.rmtree(Path(tmp) / f"copy-{properties}")
    lines = [
        "## nsai synth",
        "",
        "Default region shape (3 councils, one county over two of them), seed 1, queries one per "
        "ten properties up to 10,000. Peak memory is the child process's maximum RSS.",
        "",
        "| properties | seconds | properties/s | output MB | peak RSS MB | copying the output, s "
        "| synth / copy |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for properties, seconds, size, peak, copy in rows:
        lines.append(
            f"| {properties:,} | {seconds:.1f} | {properties / seconds:,.0f} | {size / 1e6:,.0f} "
            f"| {peak / 1e6:,.0f} | {copy:.2f} | {seconds / copy:.0f}x |"
        )
    largest, seconds = rows[-1][0], rows[-1][1]
    projected = seconds * 1_000_000 / largest
    verdict = "meets" if projected < TARGET_SECONDS_PER_MILLION else "misses"
    lines += [
        "",
        f"At {largest:,} properties: {projected:.0f} s per million, which {verdict} the target of "
        f"{TARGET_SECONDS_PER_MILLION:.0f} s per million.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
