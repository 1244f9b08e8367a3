"""The web console: static files (plain ES modules, no build step) served at `/`, and its one
setting, the map's tile URL, at `/console/config.json`.

The files answer what no route does: they are the router's fallback (where it would answer 404),
not a mount at `/`, which would shadow every route included after it. Only GET and HEAD outside
`/v1` reach them, so an unknown API path still gets the API's 404 problem, a wrong method its 405
(with `Allow`), and a missing file a 404 problem too. Without NSAI_CONSOLE_TILE_URL the map draws
its points and outlines on a plain background, offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from nsai.config import Settings

STATIC: Final = Path(__file__).resolve().parent / "static"


class ConsoleConfig(BaseModel):
    tile_url: str | None
    tile_attribution: str | None


def tile_url(request: Request) -> str | None:
    # NSAI_CONSOLE_TILE_URL: an XYZ template such as https://tile.example.org/{z}/{x}/{y}.png.
    settings: Settings = request.app.state.settings
    return settings.console_tile_url or None


def _tile_origin(url: str | None) -> str:
    """The origin the tiles come from, as a CSP source (`{s}` subdomains as a wildcard)."""
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f" {parts.scheme}://{parts.netloc}"


def policy(tiles: str | None = None) -> str:
    """The content security policy of every page the server sends: its own scripts and the API
    only (and the tile server, when one is configured), so that a pasted key stays in the page."""
    return (
        "default-src 'self'; script-src 'self'; connect-src 'self'; "
        # Leaflet positions its panes and markers with inline styles; Swagger UI and ReDoc too.
        f"style-src 'self' 'unsafe-inline'; img-src 'self' data:{_tile_origin(tiles)}; "
        # ReDoc searches in a worker it makes from its own script.
        "worker-src 'self' blob:; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )


def secure(response: Response, tiles: str | None = None) -> Response:
    """`response` with the headers every page and file of the console and the docs carry."""
    response.headers["Content-Security-Policy"] = policy(tiles)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


router = APIRouter(include_in_schema=False)


@router.get("/console/config.json")
def console_config(request: Request) -> ConsoleConfig:
    """What the console needs to know of this deployment."""
    return ConsoleConfig(
        tile_url=tile_url(request),
        tile_attribution=request.app.state.settings.console_tile_attribution,
    )


class ConsoleFiles(StaticFiles):
    """The console's files, under the content security policy (`policy`)."""

    def __init__(self, tiles: str | None) -> None:
        super().__init__(directory=STATIC, html=True)
        self.tiles = tiles

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = secure(await super().get_response(path, scope), self.tiles)
        if path in ("", ".", "index.html"):
            response.headers["Cache-Control"] = "no-cache"
        return response


class ConsoleFallback:
    """The router's fallback: the console's files for GET and HEAD outside the API, else what the
    router did before (a 404 problem)."""

    def __init__(self, files: ASGIApp, otherwise: ASGIApp) -> None:
        self.files = files
        self.otherwise = otherwise

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and not (path == "/v1" or path.startswith("/v1/"))
        ):
            await self.files(scope, receive, send)
        else:
            await self.otherwise(scope, receive, send)


def install(app: FastAPI) -> None:
    """Serve the console at `/`, behind every route of `app` (whenever they are included)."""
    app.include_router(router)
    settings: Settings = app.state.settings
    files = ConsoleFiles(settings.console_tile_url)
    app.router.default = ConsoleFallback(files, app.router.default)
