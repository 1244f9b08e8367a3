"""The API's speed and bulk matching's accuracy (issue 6, "Speed"), every figure from one run.

Speed, on the national records of the three councils' LLPGs of `nsai synth --properties
1,000,000` (quick: 20,000), loaded into a fresh database and reconciled: `nsai serve --workers 2`
(anonymous reads, rate limits off) under wrk, each request asking for a different UPRN, postcode
or text drawn from the database; a bare FastAPI app returning a constant (bench/ceiling_app.py,
the same uvicorn with 2 workers) is the ceiling every requests/s figure is a ratio to; the same
read-side calls (nsai.query) timed on one connection without HTTP; POST /v1/match in batches of
1,000 and 10,000 of the region's queries.csv, and nsai.query.bulk.match in process. The database
is VACUUM ANALYZEd first (the settled state autovacuum reaches some minutes after a publish).
Both apps are also served by bench/serve_nodelay.py, on a socket whose connections get
TCP_NODELAY, which `uvicorn --workers N` leaves off (see there).

Accuracy, on a full region of 100,000 properties (quick: 10,000; every source, reconciled):
precision and recall of bulk.match on queries.csv against truth.csv at several thresholds.

Needs wrk (`bash scripts/setup-bench.sh` installs it). Nothing is cached between runs; both
databases are dropped at the end.
"""

# No `from __future__ import annotations`: bench/run.py runs this module without registering it
# in sys.modules, where dataclasses cannot resolve string annotations.
import csv
import importlib.util
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TypeVar
from urllib.parse import quote, urlencode

import httpx
import psycopg
import uvicorn
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from bench.scratch import admin_url, drop_database, env, fresh_database
from nsai.config import Settings
from nsai.db.engine import to_sqlalchemy_url
from nsai.query import bulk, lookup, postcodes, search
from nsai.query.limits import DEFAULT_PAGE, DEFAULT_RANKED, DEFAULT_SUGGESTIONS
from nsai.query.text import search_text

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NSAI = str(Path(sys.executable).with_name("nsai"))
LUA = HERE / "wrk_paths.lua"
SPEED_DB = f"nsai_bench_api_{os.getpid()}"
ACCURACY_DB = f"nsai_bench_api_accuracy_{os.getpid()}"
WORKERS = 2
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.975)
PLAUSIBLE = 0.5
PRECISION_BAR = 0.9999
SAMPLES = 20_000  # distinct UPRNs, postcodes and texts drawn for the load generator
T = TypeVar("T")


@dataclass(frozen=True)
class Sizes:
    properties: int  # the speed region (LLPGs only)
    queries: int  # its queries.csv, the bulk requests' addresses
    judged: int  # the accuracy region (every source)
    judged_queries: int
    seconds: int  # each wrk run, after a warm-up
    warmup: int
    bare: dict[str, int]  # calls timed without HTTP, per lookup
    bulk_requests: dict[int, int]  # batch size -> requests per client


FULL = Sizes(
    1_000_000,
    10_000,
    100_000,
    10_000,
    15,
    3,
    {"uprn": 2_000, "postcode": 500, "search": 300, "autocomplete": 300},
    {1_000: 8, 10_000: 2},
)
QUICK = Sizes(
    20_000,
    2_000,
    10_000,
    1_000,
    5,
    2,
    {"uprn": 500, "postcode": 200, "search": 100, "autocomplete": 100},
    {1_000: 3, 10_000: 1},
)


# --- databases and processes -------------------------------------------------------------------


def _env(url: str, **extra: str) -> dict[str, str]:
    return {**env(url), **extra}


def _nsai(args: list[str], url: str) -> tuple[float, str]:
    """Seconds taken and stdout of an nsai command on the database at `url`."""
    started = time.monotonic()
    out = subprocess.run([NSAI, *args], env=_env(url), capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        raise RuntimeError(f"nsai {' '.join(args)} failed: {out.stderr.strip()}")
    return time.monotonic() - started, out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _server(args: list[str], env: dict[str, str], ready: str, log: Path) -> Iterator[None]:
    """A server process, up once `ready` has answered 200 a few times in a row (every worker
    started), stopped at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        answered = 0
        while answered < 2 * WORKERS:
            if proc.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{' '.join(args)} exited with {proc.returncode}:\n{tail}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(args)} not ready in 120 s ({ready})")
            try:
                answered = answered + 1 if httpx.get(ready, timeout=5).status_code == 200 else 0
            except httpx.HTTPError:
                answered = 0
            time.sleep(0.2)
        time.sleep(1)  # let the last worker finish starting
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- the speed region ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    source_records: int
    national: int
    load_s: float
    reconcile_s: float
    unsettled: list[str]  # national tables not yet vacuumed nor analysed after the publish


def _llpg_region(directory: Path, size: Sizes, url: str) -> Region:
    """The three councils' LLPGs of a synthetic region, loaded and reconciled."""
    _synth(directory, size.properties, size.queries)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["sources"] = [s for s in manifest["sources"] if s["name"].startswith("llpg-")]
    (directory / "manifest-llpg.json").write_text(json.dumps(manifest, indent=2))
    load_s, _ = _nsai(["load-manifest", str(directory / "manifest-llpg.json")], url)
    reconcile_s, _ = _nsai(["reconcile", "--workers", "2"], url)
    unsettled = _analyse(url)
    with psycopg.connect(url) as conn:
        (records,) = conn.execute(
            "SELECT count(*) FROM source_record WHERE removed_batch_id IS NULL"
        ).fetchone() or (0,)
        (national,) = conn.execute(
            "SELECT count(*) FROM national_address WHERE status = 'active'"
        ).fetchone() or (0,)
    return Region(records, national, load_s, reconcile_s, unsettled)


def _analyse(url: str) -> list[str]:
    """VACUUM ANALYZE, as autovacuum does some time after a publish, so that the plans measured
    are those of a settled database (planner statistics, and the GIN pending list of the search
    index merged: until then search and typeahead may scan every record). Returns the national
    tables that neither had been through yet."""
    with psycopg.connect(url, autocommit=True) as conn:
        unsettled = [
            r[0]
            for r in conn.execute(
                "SELECT relname FROM pg_stat_user_tables "
                "WHERE relname IN ('national_address', 'national_match_key') "
                "AND coalesce(last_analyze, last_autoanalyze) IS NULL "
                "AND coalesce(last_vacuum, last_autovacuum) IS NULL ORDER BY relname"
            )
        ]
        conn.execute("VACUUM ANALYZE")
    return unsettled


def _synth(directory: Path, properties: int, queries: int) -> None:
    subprocess.run(
        [NSAI, "synth", str(directory), "--properties", str(properties), "--queries", str(queries)],
        check=True,
        capture_output=True,
    )


@dataclass(frozen=True)
class Samples:
    uprns: list[int]
    postcodes: list[str]
    searches: list[str]
    typed: list[str]  # what a user has typed so far, for autocomplete


def _samples(url: str) -> Samples:
    """UPRNs, postcodes and addresses of active national records, drawn at random (seeded)."""
    with psycopg.connect(url) as conn:
        conn.execute("SELECT setseed(0.6)")
        uprns = [
            r[0]
            for r in conn.execute(
                "SELECT uprn FROM national_address WHERE status = 'active' "
                "ORDER BY random() LIMIT %s",
                (SAMPLES,),
            )
        ]
        codes = [
            r[0]
            for r in conn.execute(
                "SELECT postcode FROM (SELECT DISTINCT postcode FROM national_address "
                "WHERE status = 'active' AND postcode IS NOT NULL) p ORDER BY random() LIMIT %s",
                (SAMPLES,),
            )
        ]
        lines = conn.execute(
            "SELECT single_line, postcode FROM national_address WHERE status = 'active' "
            "ORDER BY random() LIMIT %s",
            (SAMPLES,),
        ).fetchall()
    searches, typed = [], []
    for line, postcode in lines:
        # The address as typed into a search box: without its postcode, in lower case.
        if postcode and line.endswith(postcode):
            line = line[: -len(postcode)].rstrip(", ")
        searches.append(line.lower())
        # Typeahead: two words and the first three letters of the third ("12 church str").
        words = search_text(line).lower().split()
        typed.append(" ".join([*words[:2], *(w[:3] for w in words[2:3])]))
    typed = [t for t in typed if max(len(w) for w in t.split()) >= 3]
    return Samples(uprns, codes, searches, typed)


def _paths(samples: Samples) -> dict[str, list[str]]:
    return {
        "uprn": [f"/v1/addresses/{u}" for u in samples.uprns],
        "postcode": [f"/v1/postcodes/{quote(p)}/addresses" for p in samples.postcodes],
        "search": [f"/v1/search?{urlencode({'q': q})}" for q in samples.searches],
        "autocomplete": [f"/v1/autocomplete?{urlencode({'q': q})}" for q in samples.typed],
    }


# --- wrk ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    connections: int
    requests: int
    seconds: float
    errors: int  # socket errors and timeouts
    bad_status: int  # answers other than 2xx/3xx
    p50: float  # ms
    p95: float
    p99: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _wrk(base: str, paths: Path, connections: int, size: Sizes, url: str | None) -> Load:
    """wrk with `connections` connections for `size.seconds`, after a warm-up from elsewhere in
    the list of paths; each run starts once the server's database is idle (wrk drops the
    requests in flight when it stops, and the server still answers them)."""
    threads = min(2, connections)
    common = ["wrk", f"-t{threads}", f"-c{connections}", "--timeout", "60s", "-s", str(LUA)]
    subprocess.run(
        [*common, f"-d{size.warmup}s", base, "--", str(paths), str(SAMPLES // 2)],
        check=True,
        capture_output=True,
    )
    _settle(url)
    out = subprocess.run(
        [*common, "--latency", f"-d{size.seconds}s", base, "--", str(paths), "0"],
        check=True,
        capture_output=True,
        text=True,
    )
    _settle(url)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {out.stdout}{out.stderr}")
    got = json.loads(line.removeprefix("WRK "))
    # No answer within the run: its latency is longer than the run, not 0.
    ms = {p: got[p] / 1000 if got["requests"] else math.inf for p in ("p50", "p95", "p99")}
    return Load(
        connections=connections,
        requests=got["requests"],
        seconds=got["duration_us"] / 1e6,
        errors=got["connect"] + got["read"] + got["write"] + got["timeout"],
        bad_status=got["status"],
        **ms,
    )


def _settle(url: str | None) -> None:
    """Wait (at most 5 minutes) until no other session runs a query in the database."""
    if url is None:
        return
    with psycopg.connect(url, autocommit=True) as conn:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            (busy,) = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            ).fetchone() or (0,)
            if busy == 0:
                return
            time.sleep(0.2)


READS = ("uprn", "postcode", "search", "autocomplete")


def _reads(base: str, files: dict[str, Path], size: Sizes, url: str) -> dict[str, Load]:
    """The read routes under wrk: UPRN lookups at 32 and 4 connections, the others at 4. A
    first lookup run at 32 connections ("fill") lets each worker keep most samples in memory
    (api/lookup_cache.py), so that the measured ones are those of lookups asked for again."""
    return {
        "fill": _wrk(base, files["uprn"], 32, size, url),
        "uprn32": _wrk(base, files["uprn"], 32, size, url),
        **{name: _wrk(base, files[name], 4, size, url) for name in READS},
    }


def _check_paths(base: str, paths: dict[str, list[str]]) -> None:
    """Each kind of request answers 200 before it is measured (a 404 or 422 would be cheap)."""
    with httpx.Client(base_url=base, timeout=300) as client:
        for name, listed in paths.items():
            for path in listed[:2]:
                got = client.get(path)
                if got.status_code != 200:
                    raise RuntimeError(f"{name}: GET {path} answered {got.status_code}: {got.text}")


# --- bare calls --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bare:
    median: float  # ms
    calls: int


BARE_BUDGET = 30.0  # seconds of timed calls per lookup at most


def _timed(conn: Connection, call: Callable[[Connection, T], object], items: list[T]) -> Bare:
    """The median milliseconds of `call` over `items` (or as many as fit in BARE_BUDGET), after
    a few untimed calls."""
    for item in items[-3:]:
        call(conn, item)
    times: list[float] = []
    for item in items:
        started = time.perf_counter()
        call(conn, item)
        times.append((time.perf_counter() - started) * 1000)
        if sum(times) > BARE_BUDGET * 1000 and len(times) >= 3:
            break
    return Bare(statistics.median(times), len(times))


def _bare(url: str, samples: Samples, size: Sizes) -> dict[str, Bare]:
    # In autocommit, as the API reads (api/database.py): no BEGIN or ROLLBACK round trips.
    engine = create_engine(to_sqlalchemy_url(url), isolation_level="AUTOCOMMIT")
    n = size.bare
    no_filter = search.Filters()
    try:
        with engine.connect() as conn:
            return {
                "uprn": _timed(conn, lookup.address, samples.uprns[: n["uprn"]]),
                "postcode": _timed(
                    conn,
                    lambda c, p: postcodes.addresses(c, p, DEFAULT_PAGE, 0),
                    samples.postcodes[: n["postcode"]],
                ),
                "search": _timed(
                    conn,
                    lambda c, q: search.search(c, q, no_filter, DEFAULT_RANKED),
                    samples.searches[: n["search"]],
                ),
                "autocomplete": _timed(
                    conn,
                    lambda c, q: search.autocomplete(c, q, DEFAULT_SUGGESTIONS),
                    samples.typed[: n["autocomplete"]],
                ),
            }
    finally:
        engine.dispose()


# --- bulk matching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    id: str
    address: str
    true_id: str


def _queries(region: Path) -> list[Query]:
    with (region / "queries.csv").open() as handle:
        return [Query(r["id"], r["address"], r["true_id"]) for r in csv.DictReader(handle)]


def _batch(queries: Sequence[Query], start: int, size: int) -> list[Query]:
    """`size` queries from `start` on, going round the list as often as needed."""
    return [queries[(start + i) % len(queries)] for i in range(size)]


@dataclass(frozen=True)
class BulkSpeed:
    batch: int
    clients: int
    addresses: int
    seconds: float
    answered: float  # share of the addresses given a UPRN


def _bulk_http(
    base: str, key: str, queries: list[Query], batch: int, clients: int, per: int
) -> BulkSpeed:
    """`clients` clients at once, each posting `per` batches of `batch` addresses in turn."""
    bodies = [
        [
            json.dumps(
                {
                    "records": [
                        {"id": q.id, "address": q.address}
                        for q in _batch(queries, (c * per + r) * batch, batch)
                    ]
                }
            ).encode()
            for r in range(per)
        ]
        for c in range(clients)
    ]
    headers = {"X-API-Key": key, "Content-Type": "application/json"}

    def client(mine: list[bytes]) -> bytes:
        last = b""
        with httpx.Client(base_url=base, timeout=600, headers=headers) as http:
            for body in mine:
                got = http.post("/v1/match", content=body)
                if got.status_code != 200:
                    raise RuntimeError(f"POST /v1/match answered {got.status_code}: {got.text}")
                last = got.content
        return last

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        lasts = list(pool.map(client, bodies))
    seconds = time.monotonic() - started
    results = json.loads(lasts[0])["results"]
    if len(results) != batch:
        raise RuntimeError(f"POST /v1/match answered {len(results)} results for {batch}")
    answered = sum(1 for r in results if r["uprn"] is not None) / batch
    return BulkSpeed(batch, clients, batch * per * clients, seconds, answered)


def _bulk_warmup(base: str, key: str, queries: list[Query]) -> None:
    """Every worker's caches (the gazetteer's places) filled before anything is timed."""
    _bulk_http(base, key, queries, 100, 2 * WORKERS, 1)


def _in_process(url: str, queries: list[Query], threshold: float) -> tuple[float, float]:
    """Seconds of one bulk.match call of 10,000 addresses on one connection (the places cache
    warmed first), and the share answered."""
    batch = [bulk.Query(q.id, q.address) for q in _batch(queries, 0, bulk.MAX_RECORDS)]
    engine = create_engine(to_sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            bulk.match(conn, batch[:10], threshold, PLAUSIBLE)
            started = time.perf_counter()
            found = bulk.match(conn, batch, threshold, PLAUSIBLE)
            seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    return seconds, sum(1 for m in found if m.uprn is not None) / len(found)


@dataclass(frozen=True)
class Accuracy:
    threshold: float
    answered: int
    right: int
    with_answer: int  # queries that have a true answer
    seconds: float

    @property
    def precision(self) -> float:
        return self.right / self.answered if self.answered else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.with_answer if self.with_answer else 1.0


def _accuracy(url: str, region: Path) -> list[Accuracy]:
    """bulk.match of the region's queries.csv at each threshold, judged against truth.csv: a
    UPRN is right when its national record holds a source record of the query's property."""
    with (region / "truth.csv").open() as handle:
        truth = {(r["source"], r["source_ref"]): r["true_id"] for r in csv.DictReader(handle)}
    holds: dict[int, set[str]] = defaultdict(set)
    with psycopg.connect(url) as conn:
        for uprn, source, ref in conn.execute(
            "SELECT l.uprn, s.name, r.source_ref FROM address_link l "
            "JOIN source_record r USING (record_id) JOIN source s USING (source_id)"
        ):
            if (source, ref) in truth:
                holds[uprn].add(truth[(source, ref)])
    queries = _queries(region)
    asked = [bulk.Query(q.id, q.address) for q in queries]
    with_answer = sum(1 for q in queries if q.true_id)
    engine = create_engine(to_sqlalchemy_url(url))
    results = []
    try:
        with engine.connect() as conn:
            for threshold in THRESHOLDS:
                started = time.perf_counter()
                found = bulk.match(conn, asked, threshold, PLAUSIBLE)
                seconds = time.perf_counter() - started
                conn.rollback()
                answered = [(q, m.uprn) for q, m in zip(queries, found, strict=True) if m.uprn]
                right = sum(1 for q, uprn in answered if q.true_id and q.true_id in holds[uprn])
                results.append(Accuracy(threshold, len(answered), right, with_answer, seconds))
    finally:
        engine.dispose()
    return results


# --- the report --------------------------------------------------------------------------------


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
    return f"{os.cpu_count()} cores ({cpu}), {mem_kib / 1024**2:.0f} GiB RAM"


AUTOGROUP = Path("/proc/sys/kernel/sched_autogroup_enabled")


@contextmanager
def _one_scheduling_group() -> Iterator[str]:
    """The kernel's session groups (sched_autogroup) off while the bench runs, when this process
    may switch them (as root), and back as they were after; yields what the runs had, and why
    it matters, for BENCHMARKS.md."""
    try:
        before = AUTOGROUP.read_text().strip()
    except OSError:
        yield "The kernel has no session groups (sched_autogroup)."
        return
    if before == "0":
        yield "The kernel's `sched_autogroup_enabled` is 0: every process competes on its own."
        return
    try:
        AUTOGROUP.write_text("0")
    except OSError:
        yield (
            "The kernel's `sched_autogroup_enabled` is 1 and the bench may not switch it off: "
            "the CPU is shared between sessions first, and PostgreSQL, the servers and wrk are "
            "each a session, so a query waits now and then for PostgreSQL to get a core; the "
            "p95 and p99 of the rows that read the database hold such waits."
        )
        return
    try:
        yield (
            "The kernel's `sched_autogroup_enabled` is 1 on this machine; the bench switched it "
            "to 0 for its runs (and back after), so that PostgreSQL, the servers and wrk, each a "
            "session of its own, compete for the two cores process by process, as a database on "
            "a machine of its own would not compete at all. With it on, a query waits now and "
            "then hundreds of milliseconds for PostgreSQL to get a core: measured by hand on "
            "2026-11-27 on 1M records, autocomplete p95 at 4 connections was 10.8-89.6 ms over "
            "eight runs (p99 up to 411 ms), against 8.1-8.5 ms over three with it off."
        )
    finally:
        AUTOGROUP.write_text(before)


def _say(what: str) -> None:
    print(f"bench api: {what}", file=sys.stderr, flush=True)


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


ROUTES = {
    "uprn32": "GET /v1/addresses/{uprn}",
    "uprn": "GET /v1/addresses/{uprn}",
    "postcode": "GET /v1/postcodes/{postcode}/addresses",
    "search": "GET /v1/search?q=",
    "autocomplete": "GET /v1/autocomplete?q=",
}
P95_AIMS = {"postcode": 50, "search": 50, "autocomplete": 30}
SERVERS = {
    "plain": f"uvicorn --workers {WORKERS}",
    "nodelay": "same, TCP_NODELAY",
    "serve": f"`nsai serve --workers {WORKERS}`",
    "app-nodelay": "NSAI's app, TCP_NODELAY",
    "serve-uncached": "`nsai serve`, nothing kept (`NSAI_API_LOOKUP_CACHE=0`)",
}


def _aim(name: str, load: Load, ceiling: float) -> str:
    if name == "uprn32":
        return f"≥ 0.5 x ceiling: {_met(load.rps >= 0.5 * ceiling)}"
    if name == "uprn":
        return f"p99 < 10 ms: {_met(load.p99 < 10)}"
    limit = P95_AIMS[name]
    return f"p95 < {limit} ms: {_met(load.p95 < limit)}"


def _ms(value: float) -> str:
    return "no answer" if math.isinf(value) else f"{value:,.1f}"


def _row(what: str, server: str, load: Load, ceiling: float, bare: Bare | None, aim: str) -> str:
    bare_text = "" if bare is None else f"{bare.median:.2f} ({bare.calls:,})"
    return (
        f"| {what} | {SERVERS[server]} | {load.connections} | {load.rps:,.0f} | "
        f"{load.rps / ceiling:.2f} | {_ms(load.p50)} | {_ms(load.p95)} | {_ms(load.p99)} | "
        f"{bare_text} | {aim} |"
    )


def _stack() -> str:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn {uvicorn.__version__} with its {loop} loop and {http} protocol"


def _uvicorn(app: str, server: str, port: int, *, factory: bool = False) -> list[str]:
    """How a server is started: `nsai serve`, `python -m uvicorn` as `nsai serve` runs it, or
    bench/serve_nodelay.py (the same, but on a socket whose connections get TCP_NODELAY)."""
    where = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)]
    if server == "serve":
        return [NSAI, "serve", *where]
    if server == "plain":
        start = [sys.executable, "-m", "uvicorn", app, "--app-dir", str(HERE)]
    else:
        start = [sys.executable, str(HERE / "serve_nodelay.py"), app]
    return [*start, *where, "--log-level", "info", *(["--factory"] if factory else [])]


# --- one run -----------------------------------------------------------------------------------

DEFAULT_THRESHOLD: float = Settings.model_fields["bulk_match_threshold"].default


@dataclass(frozen=True)
class Measured:
    """What one run measured: everything the report says."""

    size: Sizes
    scheduling: str  # the kernel's session groups during the runs, as the report says it
    region: Region  # the speed region
    bare: dict[str, Bare]  # lookup -> its bare calls
    queries: int  # typed addresses in the speed region's queries.csv
    ceilings: dict[tuple[str, int], Load]  # (server, connections) -> the `async def` constant
    sync32: Load  # the plain `def` constant at 32 connections, TCP_NODELAY
    reads: dict[str, dict[str, Load]]  # server -> _reads' runs (serve-uncached: UPRNs only)
    speeds: list[tuple[str, BulkSpeed]]  # server, POST /v1/match
    in_process: tuple[float, float]  # bulk.match of MAX_RECORDS: seconds, share given a UPRN
    accuracy: list[Accuracy]  # one per threshold
    judged_national: int  # active national records of the accuracy region


def _measure(size: Sizes) -> Measured:
    """The speed region and the accuracy region, each in a database of its own that is dropped
    when done, and every run on them."""
    admin = admin_url()
    try:
        with (
            TemporaryDirectory(prefix="nsai-bench-api-") as tmp,
            _one_scheduling_group() as scheduling,
        ):
            work = Path(tmp)
            _say(f"speed region, {size.properties:,} properties")
            url = fresh_database(admin, SPEED_DB)
            region = _llpg_region(work / "region", size, url)
            samples = _samples(url)
            files = {}
            for name, listed in _paths(samples).items():
                files[name] = work / f"{name}.txt"
                files[name].write_text("\n".join(listed) + "\n")
            _say("bare calls")
            bare = _bare(url, samples, size)
            queries = _queries(work / "region")
            ceilings, sync32 = _ceilings(work, size)
            reads, speeds = _served(work, size, url, samples, files, queries)
            _say("bulk.match in process")
            in_process = _in_process(url, queries, DEFAULT_THRESHOLD)
            drop_database(admin, SPEED_DB)
            accuracy, judged_national = _judged(work / "judged", size, admin)
    finally:
        drop_database(admin, SPEED_DB)
        drop_database(admin, ACCURACY_DB)
    return Measured(
        size,
        scheduling,
        region,
        bare,
        len(queries),
        ceilings,
        sync32,
        reads,
        speeds,
        in_process,
        accuracy,
        judged_national,
    )


def _ceilings(work: Path, size: Sizes) -> tuple[dict[tuple[str, int], Load], Load]:
    """The constant JSON (bench/ceiling_app.py) under wrk, `async def` at 32 and 4 connections
    on both sockets, and plain `def` at 32 with TCP_NODELAY."""
    _say("ceiling")
    constant = {kind: work / f"constant-{kind}.txt" for kind in ("async", "sync")}
    for kind, path in constant.items():
        path.write_text(f"/{kind}\n")
    ceilings: dict[tuple[str, int], Load] = {}
    for server in ("plain", "nodelay"):
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with _server(
            _uvicorn("ceiling_app:app", server, port),
            {"PATH": os.environ["PATH"]},
            f"{base}/healthz",
            work / f"ceiling-{server}.log",
        ):
            for c in (32, 4):
                ceilings[(server, c)] = _wrk(base, constant["async"], c, size, None)
            if server == "nodelay":
                sync32 = _wrk(base, constant["sync"], 32, size, None)
    return ceilings, sync32


def _served(
    work: Path,
    size: Sizes,
    url: str,
    samples: Samples,
    files: dict[str, Path],
    queries: list[Query],
) -> tuple[dict[str, dict[str, Load]], list[tuple[str, BulkSpeed]]]:
    """NSAI's app as `nsai serve` runs it and with TCP_NODELAY: the reads and bulk matching;
    then the UPRN lookups of `nsai serve` keeping nothing, the baseline of the lookups."""
    key = _nsai(["keys", "create", "--name", "bench", "--scopes", "match"], url)[1].strip()
    serve_env = _env(
        url,
        NSAI_ANONYMOUS_READS="true",
        NSAI_RATE_LIMIT_ANONYMOUS="0",
        NSAI_RATE_LIMIT_PER_KEY="0",
    )
    reads: dict[str, dict[str, Load]] = {}
    speeds: list[tuple[str, BulkSpeed]] = []
    for server in ("serve", "app-nodelay"):
        _say(SERVERS[server])
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        args = _uvicorn("api.app:create_app_from_environ", server, port, factory=True)
        with _server(args, serve_env, f"{base}/readyz", work / f"{server}.log"):
            _check_paths(base, _paths(samples))
            reads[server] = _reads(base, files, size, url)
            _bulk_warmup(base, key, queries)
            speeds += [
                (server, _bulk_http(base, key, queries, batch, clients, per))
                for batch, per in size.bulk_requests.items()
                for clients in (1, WORKERS)
            ]
    # The baseline of the lookups: every one read from the database.
    _say(SERVERS["serve-uncached"])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    uncached_env = serve_env | {"NSAI_API_LOOKUP_CACHE": "0"}
    args = _uvicorn("api.app:create_app_from_environ", "serve", port, factory=True)
    with _server(args, uncached_env, f"{base}/readyz", work / "serve-uncached.log"):
        reads["serve-uncached"] = {
            "uprn32": _wrk(base, files["uprn"], 32, size, url),
            "uprn": _wrk(base, files["uprn"], 4, size, url),
        }
    return reads, speeds


def _judged(judged: Path, size: Sizes, admin: str) -> tuple[list[Accuracy], int]:
    """The accuracy region (every source) loaded and reconciled: bulk.match's accuracy at each
    threshold, and the region's active national records."""
    _say(f"accuracy region, {size.judged:,} properties")
    _synth(judged, size.judged, size.judged_queries)
    acc_url = fresh_database(admin, ACCURACY_DB)
    _nsai(["load-manifest", str(judged / "manifest.json")], acc_url)
    _nsai(["reconcile", "--workers", "2"], acc_url)
    _analyse(acc_url)
    accuracy = _accuracy(acc_url, judged)
    with psycopg.connect(acc_url) as conn:
        (judged_national,) = conn.execute(
            "SELECT count(*) FROM national_address WHERE status = 'active'"
        ).fetchone() or (0,)
    return accuracy, judged_national


# --- the report's tables and paragraphs --------------------------------------------------------


def _report(m: Measured) -> str:
    return "\n".join(
        [
            "## API",
            "",
            f"Machine: {_machine()}; the load generator (wrk, 2 threads) runs on the same "
            "machine and takes CPU from the server.",
            "",
            _data_text(m),
            "",
            _servers_text(m),
            "",
            _lookups_text(m),
            "",
            *_reads_table(m),
            "",
            _bulk_text(m),
            "",
            *_bulk_table(m),
            "",
            _accuracy_text(m),
            "",
            *_accuracy_table(m),
            "",
            _verdict(m),
        ]
    )


def _ceiling(m: Measured) -> dict[int, float]:
    """The ceiling at 32 and 4 connections: the constant JSON's best run at that number."""
    constants = [*m.ceilings.values(), m.sync32]
    return {c: max(x.rps for x in constants if x.connections == c) for c in (32, 4)}


def _reads_table(m: Measured) -> list[str]:
    ceiling = _ceiling(m)
    table = [
        "| requests | server | connections | requests/s | ratio to ceiling | p50 ms | p95 ms "
        "| p99 ms | bare call: median ms (calls) | aim |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for (server, c), load in m.ceilings.items():
        table.append(_row("constant JSON (`async def`)", server, load, ceiling[c], None, ""))
    table.append(_row("constant JSON (plain `def`)", "nodelay", m.sync32, ceiling[32], None, ""))
    for name, route in ROUTES.items():
        for server, measured in m.reads.items():
            if name not in measured:
                continue
            load = measured[name]
            c = load.connections
            aim = _aim(name, load, ceiling[c])
            table.append(
                _row(route, server, load, ceiling[c], m.bare[name.removesuffix("32")], aim)
            )
    return table


def _bulk_table(m: Measured) -> list[str]:
    rows = [
        "| batch | server | requests at once | addresses | seconds | addresses/s | given a UPRN "
        "| aim |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for server, s in m.speeds:
        rate = s.addresses / s.seconds
        rows.append(
            f"| {s.batch:,} | {SERVERS[server]} | {s.clients} | {s.addresses:,} | "
            f"{s.seconds:.1f} | {rate:,.0f} | {s.answered:.1%} | ≥ 2,000/s: {_met(rate >= 2000)} |"
        )
    seconds, share = m.in_process
    rows.append(
        f"| {bulk.MAX_RECORDS:,} | `bulk.match` in process, no HTTP | 1 | {bulk.MAX_RECORDS:,} | "
        f"{seconds:.1f} | {bulk.MAX_RECORDS / seconds:,.0f} | {share:.1%} | |"
    )
    return rows


def _accuracy_table(m: Measured) -> list[str]:
    rows = [
        "| threshold | answered | right | precision | recall | seconds | aim: precision ≥ 0.999, "
        "recall ≥ 0.99 |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for a in m.accuracy:
        mark = " (default)" if a.threshold == DEFAULT_THRESHOLD else ""
        rows.append(
            f"| {a.threshold}{mark} | {a.answered:,} | {a.right:,} | {a.precision:.4f} | "
            f"{a.recall:.4f} | {a.seconds:.1f} | precision {_met(a.precision >= 0.999)}, "
            f"recall {_met(a.recall >= 0.99)} |"
        )
    return rows


def _data_text(m: Measured) -> str:
    region = m.region
    unsettled = (
        f" The publish left {' and '.join(f'`{t}`' for t in region.unsettled)} neither "
        "vacuumed nor analysed (autovacuum gets to them within minutes); the bench ran VACUUM "
        "ANALYZE before measuring, so these are the settled service's figures."
        if region.unsettled
        else " The bench ran VACUUM ANALYZE before measuring."
    )
    return (
        f"Data: the three councils' LLPGs (DTF 7.3) of `nsai synth --properties "
        f"{m.size.properties:,}`, loaded with `nsai load-manifest` ({region.load_s:.0f} s) and "
        f"reconciled with `--workers 2` ({region.reconcile_s:.0f} s): "
        f"{region.source_records:,} source records, **{region.national:,} national "
        f"records**.{unsettled}"
    )


def _servers_text(m: Measured) -> str:
    loads = [*m.ceilings.values(), m.sync32, *(x for r in m.reads.values() for x in r.values())]
    errors = sum(x.errors + x.bad_status for x in loads)
    plain4, nodelay4 = m.ceilings[("plain", 4)], m.ceilings[("nodelay", 4)]
    return (
        f"Servers ({_stack()}): `nsai serve --workers {WORKERS}` with anonymous reads, rate "
        "limits off, log level INFO. Ceiling: a bare FastAPI app returning a constant JSON "
        f"(`bench/ceiling_app.py`), served by uvicorn with {WORKERS} workers and the same "
        "log level, in the same run. `uvicorn --workers N` listens on a socket whose "
        "connections do not get TCP_NODELAY (uvicorn issue 3149); without uvloop, every "
        "keep-alive request after a connection's first then waits for the client's delayed "
        f"ACK (here the constant's p50 at 4 connections: {plain4.p50:.1f} ms as "
        f"`nsai serve` runs uvicorn, {nodelay4.p50:.1f} ms with TCP_NODELAY). So both apps "
        "are also served on a socket that gets it (`bench/serve_nodelay.py`); the ceiling "
        "is the constant's best run at the same number of connections, and the aims are "
        "judged on every row. wrk ran "
        f"{m.size.seconds} s per line after a {m.size.warmup} s warm-up (`bench/wrk_paths.lua`), "
        f"every request asking for a different one of {SAMPLES:,} UPRNs, postcodes, "
        "addresses (searched in lower case without their postcode) or typeahead texts (two "
        "words and three letters of the third: `12 church str`) drawn at random from the "
        f"active national records; socket errors and non-2xx answers in all runs: {errors}. "
        "Bare call: the function the route calls (`lookup.address`, `postcodes.addresses` "
        f"with {DEFAULT_PAGE} a page, `search.search` with {DEFAULT_RANKED}, "
        f"`search.autocomplete` with {DEFAULT_SUGGESTIONS}) on one connection in autocommit "
        f"as the API reads, no HTTP, the same samples, at most {BARE_BUDGET:.0f} s of calls "
        "each."
    )


def _lookups_text(m: Measured) -> str:
    cached = [measured for server, measured in m.reads.items() if server != "serve-uncached"]
    fills = " and ".join(f"{r['fill'].rps:,.0f}" for r in cached)
    lookups = " and ".join(f"{r['uprn32'].requests + r['uprn'].requests:,}" for r in cached)
    return (
        "UPRN lookups: each worker keeps up to "
        f"{Settings.model_fields['api_lookup_cache'].default:,} answers in memory until the "
        "gazetteer changes (`api/lookup_cache.py`) and answers a kept one ahead of "
        "FastAPI's routing and parameter solving (the `KeptLookups` middleware, "
        "`api/v1/addresses.py`), so each worker reads each of the "
        f"{SAMPLES:,} UPRNs from the database once and answers it from memory after that. "
        "Each server with the cache first answered an unmeasured lookup run like the one at "
        f"32 connections, which filled the cache ({fills} lookups/s); then {lookups} "
        f"lookups in the measured runs, of which at most {WORKERS} x {SAMPLES:,} each, less "
        "those the first run kept, were read from the database. The rows with nothing kept "
        "read every lookup from the database: the figures of a lookup not asked for lately. "
        + m.scheduling
    )


def _bulk_text(m: Measured) -> str:
    return (
        "Bulk matching: `POST /v1/match` with batches of the region's queries.csv "
        f"({m.queries:,} typed addresses, about 15% naming no real property; repeated to "
        "fill a batch), one client or one per worker at once, on the same national records, "
        "after a warm-up, at the default threshold "
        f"({DEFAULT_THRESHOLD}); and `nsai.query.bulk.match` called directly with "
        f"{bulk.MAX_RECORDS:,} of them on one connection. `bulk.match` finds candidates in "
        f"round trips of {bulk.CHUNK:,} queries, on a thread of its own, while it parses "
        "and scores the next."
    )


def _accuracy_text(m: Measured) -> str:
    size, with_answer = m.size, m.accuracy[0].with_answer
    return (
        f"Accuracy: a full region, `nsai synth --properties {size.judged:,} --queries "
        f"{size.judged_queries:,}` (every source, `nsai load-manifest`, `nsai reconcile "
        f"--workers 2`: {m.judged_national:,} national records); `nsai.query.bulk.match` of "
        f"its queries.csv at each threshold (plausible {PLAUSIBLE}). A UPRN is right when its "
        "national record holds a source record of the query's property (truth.csv); "
        f"{size.judged_queries - with_answer:,} queries name no real property, so any UPRN "
        "for them is wrong. Precision: right / answered; recall: right / the "
        f"{with_answer:,} queries with an answer."
    )


def _verdict(m: Measured) -> str:
    """Precision and recall at the default threshold, and the lowest threshold at the bar."""
    lowest = next((a.threshold for a in m.accuracy if a.precision >= PRECISION_BAR), None)
    default = next((a for a in m.accuracy if a.threshold == DEFAULT_THRESHOLD), None)
    found = (
        f"the lowest threshold here with precision at or above {PRECISION_BAR} is {lowest}"
        if lowest is not None
        else f"no threshold here keeps precision at or above {PRECISION_BAR}"
    )
    if default is None:
        return (
            f"The default `NSAI_BULK_MATCH_THRESHOLD` ({DEFAULT_THRESHOLD}) is not among the "
            f"thresholds measured; {found}."
        )
    return (
        f"At the default `NSAI_BULK_MATCH_THRESHOLD` ({DEFAULT_THRESHOLD}): precision "
        f"{default.precision:.4f}, recall {default.recall:.4f}; {found} (nsai/config.py says "
        "why the default is where it is)."
    )


def run(quick: bool) -> str:
    if shutil.which("wrk") is None:
        raise RuntimeError(
            "bench_api needs wrk: run `bash scripts/setup-bench.sh` (or `apt-get install wrk`)"
        )
    return _report(_measure(QUICK if quick else FULL))
