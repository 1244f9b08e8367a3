"""Who may call what: API keys, scopes, rate limits.

Routes declare the scope they need with `Depends(require("read"|"match"|"steward"))`, usually
once for a whole router: `app.include_router(router, dependencies=[Depends(require("read"))])`.
KeptLookups (api/v1/addresses.py), ahead of the routes, calls `Access.authorize` itself.

- A key comes as `X-API-Key: KEY` or `Authorization: Bearer KEY` (X-API-Key wins if both).
- No key: anonymous, with the `read` scope only when NSAI_ANONYMOUS_READS is on; never `match`
  or `steward`. A missing, malformed, unknown or revoked key is 401; a key without the scope 403.
- A verified key is trusted for NSAI_API_KEY_CACHE_SECONDS: a revoked key is refused within that
  time, and the database is asked at most once per key per period (its `last_used_at` is written
  at most once a minute on top of that, see sql/access/keys.sql).
- Rate limits are token buckets (capacity N, refilled at N a minute): one per key, and one per
  client address for requests without a valid key (so guessing keys is limited too). The state is
  in this process: with W uvicorn workers a client may get up to W times the limit. The tables
  are bounded (MAX_CLIENTS): past it the least recently seen clients are forgotten.
- The client address is the connection's, unless that is a proxy of NSAI_TRUSTED_PROXIES: then
  it is the right-most address of X-Forwarded-For that is not a trusted proxy (what a client
  writes there itself is further left, never believed). IPv6 clients are counted by their /64,
  which one subscriber usually holds whole.
- Bulk matching costs what it asks: each key has a budget of addresses a minute
  (NSAI_MATCH_RECORDS_PER_MINUTE), charged by the records of each request, stated in
  `Match-Records-Limit`, `Match-Records-Remaining` and `Match-Records-Reset`.
- Every response of a limited route says `RateLimit-Limit`, `RateLimit-Remaining` and
  `RateLimit-Reset` (seconds until the bucket is full again); a 429 adds `Retry-After`.
- A request with a body is checked before its body is read (`Gate`): without a key for its
  route it is refused before it is sent whole, and only bulk matching takes a large body.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Final

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ACCESS_RESPONSES
from api.problems import Problem, handle_problem, problem_response
from nsai import api_keys
from nsai.config import Settings
from nsai.query.errors import BadInput

Clock = Callable[[], float]
_STATE_PRINCIPAL = "nsai_principal"
_STATE_QUOTA = "nsai_quota"
_STATE_RECORDS = "nsai_records_quota"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="nsai"'}

_X_API_KEY = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An NSAI API key (`nsai keys create`)."
)
_BEARER = HTTPBearer(auto_error=False, description="The same key as `Authorization: Bearer KEY`.")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a verified key, or anonymous (key_id None)."""

    key_id: int | None
    name: str | None
    scopes: tuple[api_keys.Scope, ...]


@dataclass(frozen=True)
class Quota:
    """One request's standing against a rate limit."""

    limit: int
    remaining: int
    reset: int
    retry_after: int | None  # None: the request is allowed

    def headers(self, prefix: bytes = b"ratelimit") -> list[tuple[bytes, bytes]]:
        return [
            (prefix + b"-limit", str(self.limit).encode()),
            (prefix + b"-remaining", str(self.remaining).encode()),
            (prefix + b"-reset", str(self.reset).encode()),
        ]


# Clients each limiter remembers at most (about 200 bytes each): an attacker with many
# addresses can make it forget others' spent buckets, never exhaust the process's memory.
MAX_CLIENTS = 100_000


class RateLimiter:
    """Token buckets per client, in this process: `per_minute` tokens, refilled evenly."""

    def __init__(self, per_minute: int, clock: Clock, max_clients: int = MAX_CLIENTS) -> None:
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._clock = clock
        self._max_clients = max_clients
        # who -> (tokens, at), least recently seen first
        self._buckets: dict[Hashable, tuple[float, float]] = {}
        self._next_prune = clock() + 60.0

    def take(self, who: Hashable, cost: int = 1) -> Quota:
        """Spend `cost` tokens of `who`'s bucket if it holds them (nothing is spent if not)."""
        now = self._clock()
        tokens = self._tokens(who, now)
        allowed = tokens >= cost
        if allowed:
            tokens -= cost
        self._buckets.pop(who, None)
        self._buckets[who] = (tokens, now)
        if len(self._buckets) > self._max_clients:
            del self._buckets[next(iter(self._buckets))]  # the least recently seen
        if now >= self._next_prune:
            self._prune(now)
        return Quota(
            limit=self.per_minute,
            remaining=int(tokens),
            reset=math.ceil((self.per_minute - tokens) / self._rate),
            retry_after=None if allowed else max(1, math.ceil((cost - tokens) / self._rate)),
        )

    def _tokens(self, who: Hashable, now: float) -> float:
        held = self._buckets.get(who)
        if held is None:
            return float(self.per_minute)
        tokens, at = held
        return min(float(self.per_minute), tokens + (now - at) * self._rate)

    def _prune(self, now: float) -> None:
        # A full bucket is the same as none, and every bucket is full a minute after its last
        # use: forgetting full ones once a minute keeps the clients of the last two minutes
        # in memory, not every address ever seen.
        self._buckets = {
            who: held
            for who, held in self._buckets.items()
            if self._tokens(who, now) < self.per_minute
        }
        self._next_prune = now + 60.0

    def __len__(self) -> int:
        return len(self._buckets)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_of(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """Whom a request counts against: its client's address (an IPv6 client's /64), found as the
    module says."""
    peer = scope.get("client")
    hops: list[str] = [peer[0]] if peer else []
    if hops and _among(hops[0], trusted):
        forwarded = Headers(scope=scope).getlist("x-forwarded-for")
        hops = [hop.strip() for value in forwarded for hop in value.split(",")] + hops
    for hop in reversed(hops):
        if not _among(hop, trusted):
            return _counted(hop)
    # Every hop a trusted proxy: the first of them stands for the client.
    return _counted(hops[0]) if hops else "unknown"


def _address(hop: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """A hop of X-Forwarded-For as an address: "1.2.3.4", "1.2.3.4:5555", "[2001:db8::1]:443"
    or "2001:db8::1"; None when it is none."""
    hop = hop.strip()
    if hop.startswith("["):
        hop = hop[1 : hop.find("]")] if "]" in hop else hop
    elif hop.count(":") == 1:
        hop = hop.split(":", 1)[0]
    try:
        return ipaddress.ip_address(hop)
    except ValueError:
        return None


def _among(hop: str, networks: tuple[Network, ...]) -> bool:
    address = _address(hop)
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def _counted(hop: str) -> str:
    address = _address(hop)
    if address is None:
        return "unparsable"  # one bucket for every address no proxy would write
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class Access:
    """The access state of one app (one worker process): key cache and rate limiters. Used
    only on the app's event loop (the access check is an async dependency), so without locks."""

    def __init__(self, settings: Settings, clock: Clock = time.monotonic) -> None:
        self._anonymous = Principal(None, None, ("read",) if settings.anonymous_reads else ())
        self._ttl = settings.api_key_cache_seconds
        self._clock = clock
        self._verified: dict[str, tuple[Principal, float]] = {}  # digest -> (key, valid until)
        self._per_key = _limiter(settings.rate_limit_per_key, clock)
        self._per_address = _limiter(settings.rate_limit_anonymous, clock)
        self._records = _limiter(settings.match_records_per_minute, clock)
        self._trusted = tuple(
            ipaddress.ip_network(network, strict=False) for network in settings.trusted_proxies
        )

    async def caller(
        self, request: Request, presented: str | None, *, key_required: bool = False
    ) -> Principal:
        """Who calls, checked once per request (a gate's, a router's and a route's checks share
        it); a Problem (401/429/503) for a bad key, or no key where nothing is open without one
        (or, with `key_required`, where anything is)."""
        principal: Principal | None = getattr(request.state, _STATE_PRINCIPAL, None)
        if principal is None:
            principal = await self._identify(request, presented)
            setattr(request.state, _STATE_PRINCIPAL, principal)
        if not principal.scopes or (key_required and principal.key_id is None):
            raise Problem(
                401,
                "this route needs a valid API key: send it as X-API-Key or Authorization: Bearer",
                _CHALLENGE,
            )
        return principal

    async def authorize(
        self, request: Request, scope: api_keys.Scope, presented: str | None
    ) -> Principal:
        """The caller if it may use a route needing `scope`; else a Problem (401/403/429/503)."""
        principal: Principal | None = getattr(request.state, _STATE_PRINCIPAL, None)
        if principal is None:
            # First access check of this request (a router's and a route's share one).
            principal = await self._identify(request, presented)
            setattr(request.state, _STATE_PRINCIPAL, principal)
        if scope in principal.scopes:
            return principal
        if principal.key_id is None:
            raise Problem(
                401,
                f"this route needs an API key with scope {scope!r}: send it as X-API-Key "
                "or Authorization: Bearer",
                _CHALLENGE,
            )
        raise Problem(
            403,
            f"the API key {principal.name!r} lacks scope {scope!r} "
            f"(it has {', '.join(principal.scopes)})",
        )

    async def _identify(self, request: Request, presented: str | None) -> Principal:
        rejected: str | None = None
        principal = self._anonymous
        if presented is not None:
            try:
                principal = await self._verify(request.app.state.writes, presented)
            except api_keys.KeyRejected as exc:
                rejected = str(exc)
        if principal.key_id is not None:
            quota = self._charge(request, self._per_key, ("key", principal.key_id))
        else:
            # Without a valid key the client address pays, so guessing keys is limited too.
            address = client_of(request.scope, self._trusted)
            quota = self._charge(request, self._per_address, ("address", address))
        if quota is not None and quota.retry_after is not None:
            raise Problem(
                429,
                f"rate limit of {quota.limit} requests a minute exceeded; retry in "
                f"{quota.retry_after} s",
                {"Retry-After": str(quota.retry_after)},
            )
        if rejected is not None:
            raise Problem(401, rejected, _CHALLENGE)
        return principal

    def charge_records(self, request: Request, principal: Principal, records: int) -> None:
        """Charge bulk matching's `records` to the caller's budget; a Problem (429) when it
        cannot pay them now."""
        if self._records is None:
            return
        limit = self._records.per_minute
        if records > limit:
            # Never payable: not a matter of waiting.
            raise BadInput("records", f"this key may send {limit:,} addresses a minute")
        quota = self._records.take(("key", principal.key_id), records)
        setattr(request.state, _STATE_RECORDS, quota)
        if quota.retry_after is not None:
            raise Problem(
                429,
                f"{records:,} addresses is more than this key's budget has left "
                f"({quota.remaining:,} of {limit:,} a minute); retry in {quota.retry_after} s",
                {"Retry-After": str(quota.retry_after)},
            )

    def _charge(self, request: Request, limiter: RateLimiter | None, who: Hashable) -> Quota | None:
        if limiter is None:
            return None
        quota = limiter.take(who)
        setattr(request.state, _STATE_QUOTA, quota)  # RateLimitHeaders puts it on the response
        return quota

    async def _verify(self, engine: Engine, presented: str) -> Principal:
        digest = api_keys.digest(presented)
        now = self._clock()
        cached = self._verified.get(digest)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            # The key store only on a miss, and off the event loop.
            key = await run_in_threadpool(api_keys.verify, engine, presented)
        except api_keys.KeyRejected:
            self._verified.pop(digest, None)  # revoked: kept no longer
            raise
        except (DBAPIError, PoolTimeout):
            raise Problem(
                503, "the key store is unavailable; try again shortly", {"Retry-After": "5"}
            ) from None
        principal = Principal(key.key_id, key.name, key.scopes)
        if self._ttl > 0:
            # Bounded by the number of active keys: only verified keys are kept.
            self._verified[digest] = (principal, now + self._ttl)
        return principal


def _limiter(per_minute: int, clock: Clock) -> RateLimiter | None:
    return RateLimiter(per_minute, clock) if per_minute > 0 else None


def presented_key(headers: Headers) -> str | None:
    """The key a request presents: X-API-Key, else Authorization: Bearer. None: no key at all;
    "": a key header without a usable key (sent empty, or not as Bearer), which is refused,
    never taken as anonymous."""
    api_key = headers.get("x-api-key")
    if api_key:
        return api_key
    authorization = headers.get("authorization")
    scheme, credentials = get_authorization_scheme_param(authorization)
    if scheme.lower() == "bearer" and credentials:
        return credentials
    return None if api_key is None and authorization is None else ""


@cache
def require(scope: api_keys.Scope) -> Callable[..., Awaitable[Principal]]:
    """The dependency for routes needing `scope`; one function per scope, so that FastAPI runs
    it once per request even when both a router and its route declare it."""

    async def dependency(
        request: Request,
        # The two schemes declare the headers in the OpenAPI schema; presented_key reads them.
        _api_key: Annotated[str | None, Depends(_X_API_KEY)],
        _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
    ) -> Principal:
        access: Access = request.app.state.access
        return await access.authorize(request, scope, presented_key(request.headers))

    dependency.__name__ = f"require_{scope}"
    return dependency


BODY_METHODS = frozenset(("POST", "PUT", "PATCH"))


# The scope of each route that takes a large body (api/body_limit.py), checked before it is read.
LARGE_BODY_SCOPES: Final[dict[str, api_keys.Scope]] = {"/v1/match": "match"}


class Gate:
    """The access check of a request with a body, before its body is read: a caller without a
    valid key (where the route needs one) is refused while its body is still on the wire, and
    so is a caller whose key lacks the scope of a route taking a large body. The route's own
    check then finds the caller known, and charges nothing twice."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in BODY_METHODS:
            request = Request(scope)  # no receive: nothing of the body is read here
            access: Access = request.app.state.access
            presented = presented_key(request.headers)
            needed = LARGE_BODY_SCOPES.get(scope["path"])
            try:
                if needed is None:
                    await access.caller(request, presented)
                else:
                    await access.authorize(request, needed, presented)
            except Problem as exc:
                await problem_response(exc.status, exc.detail, exc.headers)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RateLimitHeaders:
    """Adds a limited request's RateLimit-* headers to whatever response it gets, errors too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_quota(message: Message) -> None:
            if message["type"] == "http.response.start":
                # request.state lives in scope["state"]: the access check left the quota there.
                state = scope.get("state", {})
                quota: Quota | None = state.get(_STATE_QUOTA)
                records: Quota | None = state.get(_STATE_RECORDS)
                headers = [*message.get("headers", [])]
                if quota is not None:
                    headers += quota.headers()
                if records is not None:
                    headers += records.headers(b"match-records")
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_quota)


def install(app: FastAPI, settings: Settings) -> None:
    """The access state, problem responses, the gate and rate-limit headers of `app` (the gate
    runs before the body limit, which app.py adds before them)."""
    app.state.access = Access(settings)
    app.add_exception_handler(Problem, handle_problem)
    app.add_middleware(Gate)
    app.add_middleware(RateLimitHeaders)


class Caller(BaseModel):
    key: str | None
    scopes: list[str]
    rate_limit_per_minute: int | None


router = APIRouter(tags=["access"], responses=ACCESS_RESPONSES)


@router.get("/v1/whoami")
async def whoami(
    request: Request, principal: Annotated[Principal, Depends(require("read"))]
) -> Caller:
    """The key this request was made with (null: anonymous), its scopes and its rate limit."""
    quota: Quota | None = getattr(request.state, _STATE_QUOTA, None)
    return Caller(
        key=principal.name,
        scopes=list(principal.scopes),
        rate_limit_per_minute=quota.limit if quota else None,
    )
