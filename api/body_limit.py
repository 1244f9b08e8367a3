"""Request bodies larger than the API takes are refused with 413, whether the client declares
their length or streams them, before any route reads them: bulk matching takes up to 8 MiB, a
polygon 4 MiB, every other route 1 MiB."""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response

# The largest legitimate body: 10,000 bulk-match records of the longest id, address and
# postcode allowed (about 6.5 MB of JSON), with room to spare.
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
# A polygon of the most vertices allowed (10,000) is about 400 KB of compact GeoJSON, 1.2 MB
# indented; a steward's operation a few hundred bytes, and so is every other body.
POLYGON_BODY_BYTES: Final = 4 * 1024 * 1024
SMALL_BODY_BYTES: Final = 1024 * 1024
LARGE_BODIES: Final = {"/v1/match": MAX_BODY_BYTES, "/v1/addresses/within": POLYGON_BODY_BYTES}


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = LARGE_BODIES.get(scope["path"], SMALL_BODY_BYTES)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(limit, scope, receive, send)
            return
        # Read here, up to the limit, and hand the app what was read: a streamed body that
        # grows past the limit is refused without the app holding it. (FastAPI turns any error
        # while it reads a body into a 400, so the limit cannot be enforced from inside.)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away: the app sees the disconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(limit, scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    detail = f"the body is larger than {limit // (1024 * 1024)} MiB"
    await problem_response(413, detail)(scope, receive, send)
