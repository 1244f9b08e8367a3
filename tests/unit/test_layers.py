"""Imports point one way: the core (nsai/, less the command line) imports neither the loaders nor
the API; only `nsai/cli` and the app put them together."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "nsai"


def _imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_core_imports_neither_loaders_nor_api() -> None:
    modules = [p for p in CORE.rglob("*.py") if "cli" not in p.relative_to(CORE).parts]
    assert len(modules) > 50  # the walk found the core
    crossing = {
        str(p.relative_to(CORE)): sorted(_imported(p) & {"loaders", "api"}) for p in modules
    }
    assert {path: names for path, names in crossing.items() if names} == {}
