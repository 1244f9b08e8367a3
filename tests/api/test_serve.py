"""`nsai serve --workers 2` as deployed: a worker killed outright is replaced, and the other
answers meanwhile."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from tests.served import nsai_serve, workers


def test_a_worker_killed_is_replaced_and_the_other_answers_meanwhile(
    db_url: str, tmp_path: Path
) -> None:
    environ = {
        "PATH": os.environ["PATH"],
        "NSAI_DATABASE_URL": db_url,
        "NSAI_HOME": str(tmp_path / ".nsai"),
        "NSAI_ANONYMOUS_READS": "true",
        "NSAI_RATE_LIMIT_ANONYMOUS": "0",
    }
    with nsai_serve(environ, timeout=60) as (base, serve):
        before = workers(serve.pid)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        statuses = []
        deadline = time.monotonic() + 30
        while workers(serve.pid) - before == set() or len(workers(serve.pid)) < 2:
            assert time.monotonic() < deadline, "the killed worker was not replaced"
            statuses.append(httpx.get(f"{base}/v1/addresses/100000001").status_code)
            time.sleep(0.05)
        assert victim not in workers(serve.pid)
        assert statuses  # it was asked meanwhile...
        assert set(statuses) == {404}  # ...and every request answered, none such
        assert httpx.get(f"{base}/v1/addresses/100000001").status_code == 404
