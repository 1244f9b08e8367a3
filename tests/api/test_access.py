"""Access through the real app against the test database: keys in either header, scopes, 401/403/
429 as problem documents with RateLimit-* headers, revocation, anonymous reads, CORS, /metrics."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.security import APIKeyHeader, HTTPBearer
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from api.access import Access, RateLimiter, client_of, presented_key, require
from api.app import create_app
from api.problems import Problem
from nsai import api_keys
from nsai.config import Settings
from nsai.db.engine import to_sqlalchemy_url
from tests.conftest import Server
from tests.served import served


class FakeClock:
    """The access layer's clock, moved by hand: cache expiry and refills without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# Routes needing the scopes no real router has yet.
probes = APIRouter()


@probes.post("/probe/match", dependencies=[Depends(require("match"))])
def match_probe() -> dict[str, str]:
    return {"scope": "match"}


@probes.get("/probe/steward", dependencies=[Depends(require("steward"))])
def steward_probe() -> dict[str, str]:
    return {"scope": "steward"}


# A steward route in a router included with `read`: both checks apply, one charge.
read_probes = APIRouter()


@read_probes.get("/probe/read/steward", dependencies=[Depends(require("steward"))])
def read_steward_probe() -> dict[str, str]:
    return {"scope": "read+steward"}


MakeClient = Callable[..., TestClient]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine(to_sqlalchemy_url(db_url))
    yield engine
    engine.dispose()


@pytest.fixture
def new_key(engine: Engine) -> Callable[..., str]:
    def make(name: str, scopes: str = "read") -> str:
        return api_keys.create(engine, name, api_keys.parse_scopes(scopes)).key

    return make


@pytest.fixture
def make_client(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[MakeClient]:
    """The real app with the given settings, the fake clock and the probe routes."""
    opened: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        config = Settings(database_url=db_url, home=tmp_path, **settings)
        app = create_app(config)
        app.state.access = Access(config, clock=clock)
        app.include_router(probes)
        app.include_router(read_probes, dependencies=[Depends(require("read"))])
        client = TestClient(app).__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def assert_problem(response: httpx.Response, status: int, detail: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail"}
    assert body["status"] == status
    assert detail in body["detail"]


def test_the_key_is_accepted_in_either_header(
    make_client: MakeClient, new_key: Callable[..., str], db_url: str
) -> None:
    key = new_key("ctax", "read,match")
    client = make_client()
    for headers in ({"X-API-Key": key}, {"Authorization": f"Bearer {key}"}):
        response = client.get("/v1/whoami", headers=headers)
        assert response.status_code == 200
        assert response.json() == {
            "key": "ctax",
            "scopes": ["read", "match"],
            "rate_limit_per_minute": 600,
        }
    assert client.post("/probe/match", headers={"X-API-Key": key}).json() == {"scope": "match"}
    with psycopg.connect(db_url) as conn:
        (used,) = conn.execute("SELECT last_used_at FROM api_key").fetchone() or (None,)
    assert used is not None


def test_no_key_is_401_while_reads_are_closed(make_client: MakeClient) -> None:
    response = make_client().get("/v1/whoami")
    assert_problem(response, 401, "this route needs an API key with scope 'read'")
    assert response.headers["www-authenticate"] == 'Bearer realm="nsai"'
    assert response.headers["ratelimit-limit"] == "60"  # charged to the client address


@pytest.mark.parametrize(
    ("presented", "detail"),
    [
        ("letmein", "this is not an NSAI API key"),
        ("nsai_0123abcd_" + "x" * 43, "this API key is not recognised"),
        ("nsai_0123abcd_" + "x" * 42 + "'", "this is not an NSAI API key"),
    ],
)
def test_a_bad_key_is_401(make_client: MakeClient, presented: str, detail: str) -> None:
    response = make_client(anonymous_reads=True).get("/v1/whoami", headers={"X-API-Key": presented})
    assert_problem(response, 401, detail)


def test_a_right_prefix_with_a_wrong_secret_is_401(
    make_client: MakeClient, new_key: Callable[..., str]
) -> None:
    key = new_key("fire")
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    response = make_client().get("/v1/whoami", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(response, 401, "this API key is not recognised")


def test_a_key_without_the_scope_is_403(
    make_client: MakeClient, new_key: Callable[..., str]
) -> None:
    client = make_client()
    key = new_key("reader", "read")
    assert_problem(
        client.post("/probe/match", headers={"X-API-Key": key}),
        403,
        "the API key 'reader' lacks scope 'match' (it has read)",
    )
    assert_problem(
        client.get("/probe/steward", headers={"X-API-Key": key}), 403, "lacks scope 'steward'"
    )
    steward = new_key("steward", "steward")
    assert client.get("/probe/steward", headers={"X-API-Key": steward}).status_code == 200
    # Scopes do not imply each other: a steward key without `read` may not read.
    assert_problem(client.get("/v1/whoami", headers={"X-API-Key": steward}), 403, "'read'")


def test_anonymous_reads_open_reads_only(make_client: MakeClient) -> None:
    client = make_client(anonymous_reads=True)
    response = client.get("/v1/whoami")
    assert response.status_code == 200
    assert response.json() == {"key": None, "scopes": ["read"], "rate_limit_per_minute": 60}
    assert_problem(client.post("/probe/match"), 401, "needs an API key with scope 'match'")
    # Steward routes are never anonymous, whatever the configuration.
    assert_problem(client.get("/probe/steward"), 401, "needs an API key with scope 'steward'")


@pytest.mark.parametrize(
    "headers",
    [{"X-API-Key": ""}, {"Authorization": "Bearer "}, {"Authorization": "Basic YTpi"}],
)
def test_a_key_sent_empty_or_not_as_bearer_is_refused_even_when_reads_are_open(
    make_client: MakeClient, headers: dict[str, str]
) -> None:
    client = make_client(anonymous_reads=True)
    assert client.get("/v1/whoami", headers=headers).status_code == 401


def test_a_revoked_key_is_refused_within_the_cache_period(
    make_client: MakeClient, new_key: Callable[..., str], engine: Engine, clock: FakeClock
) -> None:
    key = new_key("leaver")
    client = make_client(api_key_cache_seconds=30)
    assert client.get("/v1/whoami", headers={"X-API-Key": key}).status_code == 200
    api_keys.revoke(engine, "leaver")
    clock.now += 29
    assert client.get("/v1/whoami", headers={"X-API-Key": key}).status_code == 200  # cached
    clock.now += 2
    assert_problem(
        client.get("/v1/whoami", headers={"X-API-Key": key}), 401, "this API key has been revoked"
    )


def test_without_a_cache_revocation_is_immediate(
    make_client: MakeClient, new_key: Callable[..., str], engine: Engine
) -> None:
    key = new_key("leaver")
    client = make_client(api_key_cache_seconds=0)
    assert client.get("/v1/whoami", headers={"X-API-Key": key}).status_code == 200
    api_keys.revoke(engine, "leaver")
    assert_problem(client.get("/v1/whoami", headers={"X-API-Key": key}), 401, "revoked")


def test_each_key_has_its_own_rate_limit(
    make_client: MakeClient, new_key: Callable[..., str], clock: FakeClock
) -> None:
    client = make_client(rate_limit_per_key=2, anonymous_reads=True)
    key, other = new_key("busy"), new_key("quiet")
    headers = {"X-API-Key": key}
    seen = []
    for _ in range(2):
        response = client.get("/v1/whoami", headers=headers)
        assert response.status_code == 200
        seen.append([response.headers[f"ratelimit-{h}"] for h in ("limit", "remaining", "reset")])
    # Two a minute: a token every 30 s; the bucket is full again 30 s per spent token later.
    assert seen == [["2", "1", "30"], ["2", "0", "60"]]
    refused = client.get("/v1/whoami", headers=headers)
    assert_problem(refused, 429, "rate limit of 2 requests a minute exceeded; retry in 30 s")
    assert refused.headers["retry-after"] == "30"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert client.get("/v1/whoami", headers={"X-API-Key": other}).status_code == 200
    assert client.get("/v1/whoami").headers["ratelimit-limit"] == "60"  # anonymous: by address
    clock.now += 30
    assert client.get("/v1/whoami", headers=headers).status_code == 200


def test_requests_without_a_valid_key_share_their_address_limit(
    make_client: MakeClient, new_key: Callable[..., str]
) -> None:
    client = make_client(rate_limit_anonymous=1, anonymous_reads=True)
    assert client.get("/v1/whoami").status_code == 200
    assert_problem(client.get("/v1/whoami"), 429, "rate limit of 1 requests a minute")
    # Guessing keys spends the same bucket: 429, not another 401 to learn from.
    guess = {"X-API-Key": "nsai_0123abcd_" + "x" * 43}
    assert client.get("/v1/whoami", headers=guess).status_code == 429
    assert client.get("/v1/whoami", headers={"X-API-Key": new_key("k")}).status_code == 200


def test_a_request_is_charged_once_however_many_checks_it_passes(
    make_client: MakeClient, new_key: Callable[..., str]
) -> None:
    client = make_client(rate_limit_per_key=10)
    key = new_key("all", "read,match,steward")
    remaining = [
        client.get(path, headers={"X-API-Key": key}).headers["ratelimit-remaining"]
        for path in ("/v1/whoami", "/probe/read/steward", "/v1/whoami")
    ]
    assert remaining == ["9", "8", "7"]
    steward_only = new_key("steward", "steward")
    assert_problem(
        client.get("/probe/read/steward", headers={"X-API-Key": steward_only}), 403, "'read'"
    )


def test_a_limit_of_zero_is_no_limit(make_client: MakeClient) -> None:
    client = make_client(rate_limit_anonymous=0, anonymous_reads=True)
    for _ in range(3):
        response = client.get("/v1/whoami")
        assert response.status_code == 200
        assert "ratelimit-limit" not in response.headers
        assert response.json()["rate_limit_per_minute"] is None


def test_unlimited_routes_carry_no_rate_limit_headers(make_client: MakeClient) -> None:
    response = make_client().get("/healthz")
    assert response.status_code == 200
    assert "ratelimit-limit" not in response.headers


PREFLIGHT = {
    "Origin": "https://portal.example",
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "x-api-key",
}


def test_cors_answers_configured_origins(
    make_client: MakeClient, new_key: Callable[..., str]
) -> None:
    client = make_client(cors_origins="https://portal.example, https://other.example")
    preflight = client.options("/v1/whoami", headers=PREFLIGHT)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://portal.example"
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
    response = client.get(
        "/v1/whoami", headers={"Origin": "https://portal.example", "X-API-Key": new_key("web")}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://portal.example"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"} <= {
        h.strip() for h in exposed.split(",")
    }
    # A browser can read errors too.
    refused = client.get("/v1/whoami", headers={"Origin": "https://portal.example"})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "https://portal.example"
    stranger = client.options("/v1/whoami", headers={**PREFLIGHT, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in stranger.headers


def test_no_cors_without_configured_origins(make_client: MakeClient) -> None:
    client = make_client(anonymous_reads=True)
    preflight = client.options("/v1/whoami", headers=PREFLIGHT)
    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers
    response = client.get("/v1/whoami", headers={"Origin": "https://portal.example"})
    assert "access-control-allow-origin" not in response.headers


def test_metrics_count_requests_by_route_template(
    make_client: MakeClient, new_key: Callable[..., str]
) -> None:
    client = make_client()
    assert client.get("/v1/whoami", headers={"X-API-Key": new_key("m")}).status_code == 200
    assert client.get("/v1/whoami").status_code == 401
    assert client.get("/v1/addresses/100023336956/nowhere").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.text
    ok = 'method="GET",route="/v1/whoami",status="200"'
    assert f"nsai_http_requests_total{{{ok}}} 1.0" in text
    assert 'nsai_http_requests_total{method="GET",route="/v1/whoami",status="401"} 1.0' in text
    assert f"nsai_http_request_duration_seconds_count{{{ok}}} 1.0" in text
    assert f'nsai_http_request_duration_seconds_bucket{{le="+Inf",{ok}}} 1.0' in text
    # A path no route matches is one series, whatever the path: bounded labels.
    assert 'route="unmatched",status="404"} 1.0' in text
    assert "100023336956" not in text


def test_the_openapi_schema_declares_both_ways_to_send_a_key(make_client: MakeClient) -> None:
    schemes = make_client().get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["APIKeyHeader"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An NSAI API key (`nsai keys create`).",
    }
    assert schemes["HTTPBearer"]["scheme"] == "bearer"


def test_a_lost_database_is_503_not_401(server: Server, template_db: str, tmp_path: Path) -> None:
    name = server.create_database(template=template_db)
    url = server.url(name)
    engine = create_engine(to_sqlalchemy_url(url))
    try:
        key = api_keys.create(engine, "k", ("read",)).key
    finally:
        engine.dispose()
    settings = Settings(database_url=url, home=tmp_path, api_key_cache_seconds=0)
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/v1/whoami", headers={"X-API-Key": key}).status_code == 200
        server.drop(name)
        response = client.get("/v1/whoami", headers={"X-API-Key": key})
    assert_problem(response, 503, "the key store is unavailable; try again shortly")


HEADER_CASES = [
    [],
    [(b"x-api-key", b"K1")],
    [(b"x-api-key", b"")],
    [(b"authorization", b"Bearer K2")],
    [(b"authorization", b"bearer K2")],
    [(b"authorization", b"BEARER   K2  ")],
    [(b"authorization", b"Bearer")],
    [(b"authorization", b"Bearer ")],
    [(b"authorization", b"")],
    [(b"authorization", b" Bearer K2")],
    [(b"authorization", b"Basic dXNlcjpwYXNz")],
    [(b"x-api-key", b"K1"), (b"authorization", b"Bearer K2")],
    [(b"x-api-key", b""), (b"authorization", b"Bearer K2")],
    [(b"x-api-key", b"K1"), (b"x-api-key", b"K3")],
    [(b"X-Api-Key", b"K1")],
]


@pytest.mark.parametrize("headers", HEADER_CASES)
def test_the_key_presented_is_read_as_fastapis_security_schemes_read_it(
    headers: list[tuple[bytes, bytes]],
) -> None:
    """presented_key (shared by the access dependency and the kept-lookup route) against what
    FastAPI's two schemes give, as the dependency once took the key from them."""
    request = Request({"type": "http", "headers": [(k.lower(), v) for k, v in headers]})

    async def schemes() -> str | None:
        api_key = await APIKeyHeader(name="X-API-Key", auto_error=False)(request)
        bearer = await HTTPBearer(auto_error=False)(request)
        given = api_key if api_key is not None else bearer.credentials if bearer else None
        if given is None and ("x-api-key" in request.headers or "authorization" in request.headers):
            given = ""
        return given

    assert presented_key(request.headers) == asyncio.run(schemes())


# --- behind a proxy ----------------------------------------------------------------------------


def _scope(peer: str, forwarded: str | None = None) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"type": "http", "client": (peer, 40000), "headers": headers}


PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # No trusted proxy in front: the connection's address, whatever the header says.
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # Through the proxy: the address it saw, not what the client wrote further left.
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.1, 10.0.0.9", "198.51.100.1"),  # two proxies
        ("10.0.0.2", "garbage", "unparsable"),
        ("10.0.0.2", None, "10.0.0.2"),  # the proxy itself asked
        ("10.0.0.2", "10.0.0.3", "10.0.0.3"),
        # IPv6 clients by /64: one subscriber's addresses share a bucket.
        ("2001:db8:1:2:aaaa::1", None, "2001:db8:1:2::/64"),
        ("fd00::1", "2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # A proxy that writes ports: the address all the same.
        ("10.0.0.2", "198.51.100.1:5555", "198.51.100.1"),
        ("10.0.0.2", "[2001:db8:1:2::9]:443", "2001:db8:1:2::/64"),
    ],
)
def test_the_client_is_the_right_most_untrusted_hop(
    peer: str, forwarded: str | None, client: str
) -> None:
    assert client_of(_scope(peer, forwarded), PROXIES) == client


def test_anonymous_clients_behind_a_trusted_proxy_have_buckets_of_their_own(
    make_client: MakeClient, db_url: str, tmp_path: Path
) -> None:
    client = make_client(rate_limit_anonymous=1, anonymous_reads=True)
    proxied = TestClient(client.app, client=("10.0.0.2", 5000))
    settings = Settings(database_url=db_url, home=tmp_path, rate_limit_anonymous=1,
                        anonymous_reads=True, trusted_proxies=("10.0.0.0/8",))  # fmt: skip
    client.app.state.access = Access(settings)  # type: ignore[attr-defined]
    for who in ("198.51.100.1", "198.51.100.2"):
        assert proxied.get("/v1/whoami", headers={"X-Forwarded-For": who}).status_code == 200
    again = proxied.get("/v1/whoami", headers={"X-Forwarded-For": "198.51.100.1"})
    assert again.status_code == 429
    # A client naming someone else's address in front of its own still pays for its own.
    spoofed = proxied.get("/v1/whoami", headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.2"})
    assert spoofed.status_code == 429


def test_a_wildcard_is_no_trusted_proxy() -> None:
    with pytest.raises(ValueError, match="'\\*' is no CIDR"):
        Settings(trusted_proxies="*")
    for everyone in ("0.0.0.0/0", "::/0"):
        with pytest.raises(ValueError, match="trusts every address"):
            Settings(trusted_proxies=everyone)
    assert Settings().trusted_proxies == ("127.0.0.1/32", "::1/128")  # a proxy on this machine


def test_the_bucket_table_is_bounded(clock: FakeClock) -> None:
    limiter = RateLimiter(5, clock, max_clients=100)
    for n in range(1_000):
        limiter.take(("address", n))
    assert len(limiter) <= 100
    # The most recent clients are remembered.
    assert limiter.take(("address", 999)).remaining == 3


# --- bulk matching pays by the record ----------------------------------------------------------


def _records(n: int) -> dict[str, Any]:
    return {"records": [{"id": str(i), "address": f"{i} CHURCH STREET"} for i in range(n)]}


def test_bulk_matching_is_charged_by_its_records(
    make_client: MakeClient, new_key: Callable[..., str], clock: FakeClock
) -> None:
    client = make_client(match_records_per_minute=15, rate_limit_per_key=0)
    headers = {"X-API-Key": new_key("bulk", "match")}
    first = client.post("/v1/match", json=_records(10), headers=headers)
    assert first.status_code == 200
    assert [first.headers[f"match-records-{h}"] for h in ("limit", "remaining", "reset")] == [
        "15", "5", "40",
    ]  # fmt: skip
    refused = client.post("/v1/match", json=_records(10), headers=headers)
    assert_problem(refused, 429, "10 addresses is more than this key's budget has left")
    assert refused.headers["retry-after"] == "20"
    assert refused.headers["match-records-remaining"] == "5"
    never = client.post("/v1/match", json=_records(16), headers=headers)
    assert never.status_code == 422  # more than the whole budget: waiting would not help
    assert "this key may send 15 addresses a minute" in never.text
    clock.now += 20
    assert client.post("/v1/match", json=_records(10), headers=headers).status_code == 200
    # Each key its own budget.
    other = {"X-API-Key": new_key("other", "match")}
    assert client.post("/v1/match", json=_records(10), headers=other).status_code == 200


# --- checked before the body is read -----------------------------------------------------------


def test_a_body_is_refused_before_it_is_read_without_a_key_for_its_route(
    make_client: MakeClient, new_key: Callable[..., str]
) -> None:
    app = make_client().app
    reader = new_key("reader")
    with served(app) as (host, port):
        for key, status in ((None, b"401"), (reader, b"403")):
            # Headers announcing 8 MiB, and not one byte of the body sent: the answer comes
            # anyway, so nothing of the body was waited for.
            head = f"POST /v1/match HTTP/1.1\r\nHost: {host}\r\n"
            head += "Content-Type: application/json\r\nContent-Length: 8000000\r\n"
            head += f"X-API-Key: {key}\r\n" if key else ""
            with socket.create_connection((host, port), timeout=5) as conn:
                conn.sendall((head + "\r\n").encode())
                answer = conn.recv(65536)
            assert answer.split(b" ")[1] == status, answer[:200]


def test_bodies_other_than_bulk_matchings_are_small(
    make_client: MakeClient, new_key: Callable[..., str]
) -> None:
    client = make_client()
    steward = {"X-API-Key": new_key("s", "read,steward,match")}
    big = {"uprns": [1] * 700_000}  # 1.4 MB of JSON
    assert_problem(
        client.post("/v1/steward/merge", json=big, headers=steward), 413, "larger than 1 MiB"
    )
    # Bulk matching still takes its 10,000 records (about 0.4 MB here).
    assert client.post("/v1/match", json=_records(10_000), headers=steward).status_code == 200


# --- metrics, and the key store under load -----------------------------------------------------


def test_metrics_may_need_a_key(make_client: MakeClient, new_key: Callable[..., str]) -> None:
    client = make_client(metrics_public=False)
    assert_problem(client.get("/metrics"), 401, "needs a valid API key")
    assert client.get("/metrics", headers={"X-API-Key": new_key("scraper")}).status_code == 200
    assert make_client().get("/metrics").status_code == 200  # public by default


def test_a_pool_timeout_during_a_key_check_is_503(
    db_url: str, tmp_path: Path, new_key: Callable[..., str]
) -> None:
    key = new_key("k")
    tiny = create_engine(to_sqlalchemy_url(db_url), pool_size=1, max_overflow=0, pool_timeout=0.2)
    access = Access(Settings(database_url=db_url, home=tmp_path, api_key_cache_seconds=0))
    held = tiny.connect()  # the pool's only connection, taken
    try:
        request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(writes=tiny)))
        with pytest.raises(Problem) as refused:
            asyncio.run(access._verify(request.app.state.writes, key))
        assert refused.value.status == 503
        assert refused.value.headers == {"Retry-After": "5"}
    finally:
        held.close()
        tiny.dispose()
