"""Run every bench/bench_*.py and rewrite BENCHMARKS.md with their sections and the machine.

Each benchmark module exposes `run(quick: bool) -> str`, a Markdown section that states its data
size and reports its figures as ratios to a baseline measured in the same run.
Usage: python bench/run.py [--quick] [NAME ...]   (NAME: e.g. synth for bench_synth.py)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False)
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kib / 1024**2:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {pg.stdout.strip() or 'psql not found'}, "
        f"{platform.system()} {platform.release()}"
    )


MARK = re.compile(r"^<!-- bench:([a-z_]+) -->$", re.MULTILINE)


def _previous_sections(path: Path) -> dict[str, str]:
    """The sections of an earlier BENCHMARKS.md, by benchmark name (kept when not rerun)."""
    if not path.exists():
        return {}
    parts = MARK.split(path.read_text())
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    target = REPO / "BENCHMARKS.md"
    sections = _previous_sections(target)
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if args.names and name not in args.names:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        started = time.monotonic()
        print(f"bench: {name} …", file=sys.stderr)
        stamp = f"_Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC" + (
            " (quick sizes)._" if args.quick else "._"
        )
        sections[name] = module.run(quick=args.quick).strip() + "\n\n" + stamp
        print(f"bench: {name} done in {time.monotonic() - started:.0f} s", file=sys.stderr)
        # Written after each benchmark: one that fails later loses nothing measured before it.
        _write(target, sections)
    return 0


def _write(target: Path, sections: dict[str, str]) -> None:
    header = (
        "# Benchmarks\n\n"
        "Written by `make bench` (`python bench/run.py [NAME ...]` reruns some and keeps the "
        f"others).\n\nMachine: {_machine()}.\n"
    )
    body = "\n\n".join(f"<!-- bench:{name} -->\n{text}" for name, text in sorted(sections.items()))
    target.write_text(header + "\n" + body + "\n")


if __name__ == "__main__":
    sys.exit(main())
