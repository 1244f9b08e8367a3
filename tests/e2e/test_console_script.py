"""The installed `nsai` console script, run as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import MIGRATIONS

NSAI = shutil.which("nsai", path=str(Path(sys.executable).parent)) or "nsai"


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full_env = {"PATH": os.environ["PATH"], **env}
    return subprocess.run(
        [NSAI, *args], env=full_env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_status_and_migrate_against_a_url(db_url: str, tmp_path: Path) -> None:
    env = {"NSAI_DATABASE_URL": db_url}
    status = _run("db", "status", "--json", env=env, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["migrations"] == f"{MIGRATIONS} applied, 0 pending"
    assert _run("db", "migrate", env=env, cwd=tmp_path).returncode == 0


def test_an_error_is_one_line_and_a_nonzero_exit(tmp_path: Path) -> None:
    result = _run("db", "migrate", env={"NSAI_DATABASE_URL": "nonsense"}, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("nsai: error: NSAI_DATABASE_URL is not a database URL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_health_and_readiness_over_http(db_url: str, tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [NSAI, "serve", "--port", str(port), "--workers", "2"],
        env={"PATH": os.environ["PATH"], "NSAI_DATABASE_URL": db_url},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read() if server.stdout else ""
                    pytest.fail(f"nsai serve did not come up: {output}")
                time.sleep(0.2)
        # Migrated but nothing published yet: up, and saying why it is not ready.
        assert response.status_code == 503
        assert "no national records are published yet" in response.json()["detail"]
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
