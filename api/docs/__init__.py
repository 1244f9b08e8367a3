"""The API's browsable documentation, `/docs` (Swagger UI) and `/redoc` (ReDoc), from files this
server holds: the two builds come with the fastapi-offline package, the pages and Swagger UI's
start-up script are ours. No CDN, so they work on a machine with no internet and run nothing
from elsewhere on the console's origin (where a steward's key sits), under the console's content
security policy: no inline script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import fastapi_offline
from fastapi import APIRouter, FastAPI
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.console import secure

HERE: Final = Path(__file__).resolve().parent / "static"
# swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js, favicon.png
BUILDS: Final = Path(fastapi_offline.__file__).resolve().parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui() -> Response:
    return secure(FileResponse(HERE / "swagger.html"))


@router.get("/redoc")
def redoc() -> Response:
    return secure(FileResponse(HERE / "redoc.html"))


@router.get("/docs/swagger-init.js")
def swagger_init() -> Response:
    return secure(FileResponse(HERE / "swagger-init.js"))


class _Builds(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        return secure(await super().get_response(path, scope))


def install(app: FastAPI) -> None:
    """Serve `/docs`, `/redoc` and their files (`/docs/vendor/...`) on `app`."""
    app.include_router(router)
    app.mount("/docs/vendor", _Builds(directory=BUILDS), name="docs-vendor")
