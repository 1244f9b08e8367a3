"""`GET /metrics` in Prometheus text format: requests and latency by route template and status.

Labels are the route's template (`/v1/addresses/{uprn}`, never the raw path), the method (the
usual ones, else `other`) and the status code, so the number of series stays bounded whatever
clients send; a path that matches no route counts as `unmatched`. Each app has its own registry;
with several uvicorn workers each worker counts its own requests (a scrape sees one worker).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.process_collector import ProcessCollector
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access import Access, presented_key

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# From a cached lookup (~1 ms) to a bulk match of 10,000 records (seconds).
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The registry of one app and the request metrics in it."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        labels = ("method", "route", "status")
        self.requests = Counter(
            "nsai_http_requests", "HTTP requests answered.", labels, registry=self.registry
        )
        self.latency = Histogram(
            "nsai_http_request_duration_seconds",
            "Time to answer an HTTP request, body included.",
            labels,
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.lookup_cache = Counter(
            "nsai_lookup_cache",
            "UPRN lookups answered from memory (hit) or from the database (miss).",
            ("result",),
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method if method in METHODS else "other", route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)


class MetricsMiddleware:
    """Times every HTTP request and counts it under its route's template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            # The router leaves the matched route in the scope.
            route: BaseRoute | None = scope.get("route")
            # path_format: the template without converters ({uprn}, not {uprn:uprn}).
            template = (
                getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"
            )
            self.metrics.observe(scope["method"], template, status, time.perf_counter() - started)


router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """This worker's request metrics, in the exposition format the scraper asks for; with
    NSAI_METRICS_PUBLIC=false only to a request with a valid key (any scope)."""
    if not request.app.state.settings.metrics_public:
        access: Access = request.app.state.access
        await access.caller(request, presented_key(request.headers), key_required=True)
    registry: CollectorRegistry = request.app.state.metrics.registry
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(registry), headers={"Content-Type": content_type})


def install(app: FastAPI) -> None:
    """Count `app`'s requests and serve them at /metrics."""
    app.state.metrics = Metrics()
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.include_router(router)
