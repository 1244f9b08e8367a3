"""A soak and faults: `nsai serve --workers 2` over a reconciled synthetic region, mixed traffic
at a steady rate (lookups, postcodes, search, typeahead, bulk matching), then the faults an
operator meets: a worker killed outright, and the database gone and back.

Run alone: `python bench/bench_soak.py [--quick]` prints the section.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.scratch import admin_url, drop_database, env, fresh_database, nsai  # noqa: E402
from tests.served import nsai_serve, workers  # noqa: E402

BENCH_DB = f"nsai_bench_soak_{os.getpid()}"
RATE = 40  # requests a second, open loop: each sent on time whether or not others have answered
# The mix, by share of requests.
MIX = {"lookup": 0.55, "postcode": 0.10, "search": 0.10, "typeahead": 0.20, "bulk": 0.05}
BULK_RECORDS = 50


@dataclass
class Traffic:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: dict[str, Counter[int]] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)  # no answer at all, by kind

    def add(self, other: Traffic) -> None:
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        self.statuses.update(other.statuses)
        self.failures.update(other.failures)
        for kind, counted in other.by_kind.items():
            self.by_kind.setdefault(kind, Counter()).update(counted)

    def p(self, kind: str | None, q: float) -> float:
        values = sorted(v for k, vs in self.latencies.items() if kind in (None, k) for v in vs)
        return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _environ(url: str, home: Path) -> dict[str, str]:
    """The server's environment: anonymous reads, no limit to what the load asks."""
    return env(url) | {
        "NSAI_HOME": str(home),
        "NSAI_ANONYMOUS_READS": "true",
        "NSAI_RATE_LIMIT_ANONYMOUS": "0",
        "NSAI_RATE_LIMIT_PER_KEY": "0",
        "NSAI_MATCH_RECORDS_PER_MINUTE": "0",
    }


def _samples(url: str) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT uprn, postcode, single_line FROM national_address "
            "WHERE status = 'active' AND postcode IS NOT NULL ORDER BY random() LIMIT 20000"
        ).fetchall()
    return {
        "uprn": [str(r[0]) for r in rows],
        "postcode": [r[1] for r in rows],
        "line": [r[2] for r in rows],
    }


def _request(kind: str, rng: random.Random, samples: dict[str, list[str]], key: str) -> tuple:
    line = rng.choice(samples["line"])
    if kind == "lookup":
        return "GET", f"/v1/addresses/{rng.choice(samples['uprn'])}", None, {}
    if kind == "postcode":
        return "GET", f"/v1/postcodes/{rng.choice(samples['postcode'])}/addresses", None, {}
    if kind == "search":
        return "GET", "/v1/search", None, {"q": line.lower()}
    if kind == "typeahead":
        # As typed: up to a word of three letters or more, and maybe one more (a start without
        # such a word is refused as too short, a 422, as documented).
        words = line.split()
        first = next((n for n, w in enumerate(words) if len(w.strip(",")) >= 3), len(words) - 1)
        typed = words[: first + 1 + rng.randrange(2)]
        return "GET", "/v1/autocomplete", None, {"q": " ".join(typed)}
    records = [
        {"id": str(n), "address": rng.choice(samples["line"]).lower()} for n in range(BULK_RECORDS)
    ]
    return "POST", "/v1/match", {"records": records}, {"X-API-Key": key}


async def _drive(
    base: str, seconds: float, samples: dict[str, list[str]], key: str, seed: int
) -> Traffic:
    """Requests at RATE a second for `seconds`, each at its time whatever else is in flight."""
    rng = random.Random(seed)
    kinds, weights = zip(*MIX.items(), strict=True)
    traffic = Traffic()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one(kind: str) -> None:
            method, path, body, extra = _request(kind, rng, samples, key)
            headers = extra if "X-API-Key" in extra else {}
            params = extra if "X-API-Key" not in extra else {}
            started = time.perf_counter()
            try:
                response = await client.request(
                    method, path, json=body, params=params, headers=headers
                )
            except httpx.TransportError:
                traffic.failures[kind] += 1
                return
            traffic.latencies.setdefault(kind, []).append(time.perf_counter() - started)
            traffic.statuses[response.status_code] += 1
            traffic.by_kind.setdefault(kind, Counter())[response.status_code] += 1

        tasks = []
        start = time.monotonic()
        for n in range(int(seconds * RATE)):
            await asyncio.sleep(max(0.0, start + n / RATE - time.monotonic()))
            tasks.append(asyncio.create_task(one(rng.choices(kinds, weights)[0])))
        await asyncio.gather(*tasks)
    return traffic


def _probe_until(base: str, ok: set[int], deadline: float) -> tuple[float, Counter[int]]:
    """Ask for one address every 50 ms until an answer in `ok`; seconds taken and what came."""
    seen: Counter[int] = Counter()
    started = time.monotonic()
    while time.monotonic() < deadline:
        try:
            status = httpx.get(f"{base}/v1/addresses/100000001", timeout=5).status_code
        except httpx.TransportError:
            status = 0
        seen[status] += 1
        if status in ok:
            return time.monotonic() - started, seen
        time.sleep(0.05)
    raise RuntimeError(f"no answer in {sorted(ok)} before the deadline: {dict(seen)}")


def _faults(base: str, proc: subprocess.Popen[bytes], url: str) -> list[str]:
    lines = []
    # A worker killed outright: the other answers, asked every 50 ms from a thread of its own
    # for two seconds after the replacement; uvicorn starts another.
    victim = min(workers(proc.pid))
    seen: Counter[int] = Counter()
    asking = threading.Event()
    asking.set()

    def ask() -> None:
        while asking.is_set():
            try:
                seen[httpx.get(f"{base}/v1/addresses/100000001", timeout=5).status_code] += 1
            except httpx.TransportError:
                seen[0] += 1
            time.sleep(0.05)

    asker = threading.Thread(target=ask)
    asker.start()
    os.kill(victim, signal.SIGKILL)
    started = time.monotonic()
    while victim in workers(proc.pid) or len(workers(proc.pid)) < 2:
        if time.monotonic() - started > 60:
            raise RuntimeError("the killed worker was not replaced")
        time.sleep(0.01)
    replaced = time.monotonic() - started
    time.sleep(2)
    asking.clear()
    asker.join()
    lines.append(
        f"| an API worker killed (SIGKILL) | a new worker process started {replaced:.1f} s later | "
        f"{sum(seen.values())} requests meanwhile: {_statuses(seen)} |"
    )
    # The database gone (every session ended, new ones refused, as in a restart) and back.
    name = url.rsplit("/", 1)[1]
    admin = admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
    down, during = _probe_until(base, {503}, time.monotonic() + 30)
    retry = httpx.get(f"{base}/v1/addresses/100000001", timeout=5).headers.get("retry-after")
    time.sleep(5)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    back, after = _probe_until(base, {200, 404}, time.monotonic() + 60)
    lines.append(
        f"| the database gone for 5 s, then back | 503 (Retry-After: {retry}) within "
        f"{down:.2f} s; answering again {back:.2f} s after it returned, no restart | "
        f"{_statuses(during + after)} |"
    )
    return lines


def _key(said: str) -> str:
    """The key `nsai keys create` printed (the word that looks like one)."""
    return next(word for word in said.split() if word.startswith("nsai_"))


def _statuses(seen: Counter[int]) -> str:
    return ", ".join(f"{n} x {'no answer' if s == 0 else s}" for s, n in sorted(seen.items()))


def run(quick: bool) -> str:
    properties = 30_000 if quick else 330_000
    seconds = 60 if quick else 600
    admin = admin_url()
    try:
        with TemporaryDirectory(prefix="nsai-bench-soak-") as tmp:
            region = Path(tmp) / "region"
            nsai(admin, "synth", str(region), "--properties", str(properties))
            url = fresh_database(admin, BENCH_DB)
            nsai(url, "load-manifest", str(region / "manifest.json"))
            nsai(url, "reconcile", "--workers", "2")
            key = _key(nsai(url, "keys", "create", "--name", "soak", "--scopes", "read,match"))
            samples = _samples(url)
            with psycopg.connect(url) as conn:
                (records,) = conn.execute("SELECT count(*) FROM source_record").fetchone() or (0,)
                (national,) = conn.execute(
                    "SELECT count(*) FROM national_address WHERE status = 'active'"
                ).fetchone() or (0,)
            with nsai_serve(_environ(url, Path(tmp) / ".nsai")) as (base, proc):
                serving = sorted(workers(proc.pid))
                # Warm: each worker's caches (the gazetteer's names that bulk matching reads with
                # are held per worker once it has matched) and the database's.
                asyncio.run(_drive(base, 60, samples, key, 1))
                rss: list[list[float]] = [[_rss_mb(w)] for w in serving]
                traffic = Traffic()
                for minute in range(max(1, seconds // 60)):
                    traffic.add(asyncio.run(_drive(base, 60, samples, key, 2 + minute)))
                    for held, worker in zip(rss, serving, strict=True):
                        held.append(_rss_mb(worker))
                faults = _faults(base, proc, url)
    finally:
        drop_database(admin, BENCH_DB)
    sent = sum(traffic.statuses.values()) + sum(traffic.failures.values())
    server_errors = sum(n for s, n in traffic.statuses.items() if s >= 500)
    rows = [
        f"| {kind} | {_statuses(traffic.by_kind.get(kind, Counter()))} | "
        f"{traffic.p(kind, 0.5):.1f} | {traffic.p(kind, 0.99):.1f} | "
        f"{max(traffic.latencies.get(kind, [0])) * 1000:.1f} |"
        for kind in MIX
    ]
    memory = "; ".join(
        f"worker {n + 1}: " + ", ".join(f"{mb:.0f}" for mb in held) for n, held in enumerate(rss)
    )
    return "\n".join(
        [
            "## Soak and faults",
            "",
            __doc__.split("\n\n")[0].replace("\n", " "),
            "",
            f"Region: `nsai synth --properties {properties:,}`: {records:,} source records, "
            f"{national:,} national records. `nsai serve --workers 2` on this machine, the "
            f"traffic from one Python process beside it: {RATE} requests a second for "
            f"{seconds // 60} minutes, open loop, mixed {json.dumps(MIX)} (bulk matching "
            f"{BULK_RECORDS} addresses a request), after a minute of warming.",
            "",
            f"Requests: {sent:,}; answered {sum(traffic.statuses.values()):,} "
            f"({_statuses(traffic.statuses)}); no answer: {sum(traffic.failures.values())}; "
            f"server errors (5xx): {server_errors}. Overall p50 {traffic.p(None, 0.5):.1f} ms, "
            f"p99 {traffic.p(None, 0.99):.1f} ms.",
            "",
            "| request | answers | p50 ms | p99 ms | slowest ms |",
            "|---|---:|---:|---:|---:|",
            *rows,
            "",
            f"Memory (resident, MB) of each worker after warming, then after each minute: "
            f"{memory}.",
            "",
            "| fault | what happened | requests while it lasted |",
            "|---|---|---|",
            *faults,
        ]
    )


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
