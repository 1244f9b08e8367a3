"""Real HTTP servers on a free port of 127.0.0.1: an app served by uvicorn in a thread (for
tests that need a browser or a raw socket rather than the test client's transport), and
`nsai serve` as deployed, in a process of its own (for its tests and bench/bench_soak.py)."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.types import ASGIApp

NSAI = shutil.which("nsai", path=str(Path(sys.executable).parent)) or "nsai"


@contextmanager
def served(app: ASGIApp) -> Iterator[tuple[str, int]]:
    """`app` listening until the block ends; yields its host and port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def workers(pid: int) -> set[int]:
    """The uvicorn workers of the server `pid` (not multiprocessing's resource tracker)."""
    found = set()
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(int(child))
        except OSError:
            continue  # gone meanwhile
    return found


def answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def nsai_serve(
    environ: Mapping[str, str], processes: int = 2, timeout: float = 120
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`nsai serve --workers PROCESSES` in `environ`, once every worker is up and it answers;
    yields its base URL and process, and stops it (SIGTERM) when the block ends."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen(
        [NSAI, "serve", "--workers", str(processes), "--port", str(port)],
        env=dict(environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while len(workers(proc.pid)) < processes or not answers(base):
            if proc.poll() is not None:
                raise RuntimeError("nsai serve ended")
            if time.monotonic() > deadline:
                raise RuntimeError("nsai serve did not start")
            time.sleep(0.1)
        yield base, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
