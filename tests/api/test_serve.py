"""`nsai serve --workers 2` as deployed: a worker killed outright is replaced, and the other
answers meanwhile."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

NSAI = shutil.which("nsai", path=str(Path(sys.executable).parent)) or "nsai"


def _workers(pid: int) -> set[int]:
    """The uvicorn workers of the server `pid` (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    workers = set()
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        if b"spawn_main" in command:
            workers.add(int(child))
    return workers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_worker_killed_is_replaced_and_the_other_answers_meanwhile(
    db_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    environ = {
        "PATH": os.environ["PATH"],
        "NSAI_DATABASE_URL": db_url,
        "NSAI_HOME": str(tmp_path / ".nsai"),
        "NSAI_ANONYMOUS_READS": "true",
        "NSAI_RATE_LIMIT_ANONYMOUS": "0",
    }
    serve = subprocess.Popen(
        [NSAI, "serve", "--workers", "2", "--port", str(port)],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while len(_workers(serve.pid)) < 2 or not _answers(base):
            assert serve.poll() is None, "nsai serve ended"
            assert time.monotonic() < deadline, "nsai serve did not start"
            time.sleep(0.1)
        before = _workers(serve.pid)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        statuses = []
        deadline = time.monotonic() + 30
        while _workers(serve.pid) - before == set() or len(_workers(serve.pid)) < 2:
            assert time.monotonic() < deadline, "the killed worker was not replaced"
            statuses.append(httpx.get(f"{base}/v1/addresses/100000001").status_code)
            time.sleep(0.05)
        assert victim not in _workers(serve.pid)
        assert statuses  # it was asked meanwhile...
        assert set(statuses) == {404}  # ...and every request answered, none such
        assert httpx.get(f"{base}/v1/addresses/100000001").status_code == 404
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
